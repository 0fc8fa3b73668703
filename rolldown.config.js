// The command-line program as bin/cx.js loads it: dist/index.js (tsc's output) and the modules it imports,
// bundled into dist/cli/ so that a start-up reads a few files instead of ~60 (issue 14: a start-up paid for
// every module it resolved). Packages from node_modules stay outside, loaded by Node as before; dist/
// itself stays for the sync recorder's worker thread, its own entry point.
//
// The bundle is CommonJS (strict mode, as the ES modules it comes from): Node 20 starts and compiles
// CommonJS faster than ES modules (a lookup measured ~15 ms of CPU less, of ~150), and the bundle needs
// nothing of ESM but `import()` of the ESM-only packages (chalk, @inquirer/prompts), which CommonJS has.
// So no module of the program may use a top-level await (rolldown refuses to build one).
//
// Chunks: the entry keeps only what it imports itself, so `cx --version` loads nothing more. The modules a
// plain `cx lookup` loads after it (the lookup command's and the context's static imports, which most
// commands share) make one chunk; every other command keeps its own chunks, loaded when it runs. One chunk
// for everything was tried: it loads every package any command imports (archiver, zod, undici) on every
// start, ~300 ms.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { defineConfig } from 'rolldown';

const BUNDLED_PACKAGES = ['fast-string-width', 'fast-string-truncated-width', 'better-sqlite3'];
const ENTRY = staticImports(['dist/index.js']);
const START_PATH = new Set([...staticImports(['dist/commands/lookup.js', 'dist/context.js'])].filter((file) => !ENTRY.has(file)));

export default defineConfig({
  input: 'dist/index.js',
  platform: 'node',
  // Packages stay outside, but for those every run that opens the mirror or draws a table needs: loading a
  // package file by file (better-sqlite3's JavaScript is a dozen CommonJS files, ~8 ms; its compiled addon
  // stays a file, loaded by path) costs a start-up more than its code.
  external: (id) => !id.startsWith('.') && !isAbsolute(id) && !BUNDLED_PACKAGES.includes(id),
  plugins: [commonJsFolder()],
  output: {
    dir: 'dist/cli',
    format: 'cjs',
    strict: true,
    cleanDir: true,
    keepNames: true, // class and function names stay as written: errors and stack traces name them
    codeSplitting: {
      groups: [
        { name: 'entry', test: (id) => ENTRY.has(resolve(id)), priority: 2 },
        { name: 'start', test: (id) => START_PATH.has(resolve(id)), priority: 1 },
      ],
    },
  },
});

/** The files these modules import statically, transitively (dynamic `import()` is where chunks part). */
function staticImports(entries) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const [, spec] of text.matchAll(/^(?:import|export)\s(?:[^;]*?\sfrom\s)?'(\.{1,2}\/[^']+)';/gm)) visit(join(dirname(file), spec));
  };
  for (const entry of entries) visit(resolve(entry));
  return seen;
}

/** dist/cli/package.json: the package is "type": "module", so the bundle's folder says its .js is CommonJS. */
function commonJsFolder() {
  return {
    name: 'commonjs-folder',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'package.json', source: '{ "type": "commonjs" }\n' });
    },
  };
}
