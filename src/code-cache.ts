// A code cache for the bundle (dist/cli/): V8's compiled code of each chunk kept between runs, so that a
// start-up does not parse and compile ~270 KB of JavaScript again (a lookup compiled for ~22 ms; reading the
// cache takes ~7; issue 22). Node 22 has this built in (module.enableCompileCache); Node 20 has the pieces,
// vm.Script's cachedData. The package that does this for Node 20 (v8-compile-cache) was not taken: it keeps
// its cache in the shared temporary folder, where another user can plant one, writes it in place, where two
// runs at once can tear it, and breaks the bundle's import() of chalk and @inquirer/prompts.
//
// The cache is code cx runs, so it lives only in a folder that is the user's own: `$XDG_CACHE_HOME/cx/code`,
// else `~/.cache/cx/code`, made 0700, theirs, not a link, written by no one else; otherwise cx runs without
// it. An entry is named by its chunk's name (which carries its content hash), length and time of change, and
// V8's version: a rebuilt chunk never meets an old entry (V8 itself checks little more than the source's
// length: test/cli/code-cache.test.ts plants code that way), and a corrupt one fails V8's checksum and is
// written again. Entries are written at exit, with the
// functions the run compiled, under a temporary name renamed into place.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import vm from 'node:vm';

/** What Node's CommonJS loader calls to run a module's source (not in @types/node: it is internal). */
interface CompilingModule {
  _compile(content: string, filename: string): unknown;
  require(id: string): unknown;
}

interface NewEntry {
  script: vm.Script;
  file: string;
}

/** Serves the chunks of `bundleDir` from the cache from now on; without a safe folder, changes nothing. */
export function installCodeCache(bundleDir: string, env: NodeJS.ProcessEnv): void {
  const folder = cacheFolder(env, bundleDir);
  if (folder === undefined) return;
  const loader = Module.prototype as unknown as CompilingModule;
  const compile = loader._compile;
  const written: NewEntry[] = [];
  loader._compile = function (this: CompilingModule, content: string, filename: string): unknown {
    // import() runs only in code Node compiled itself (Node 20 has no loader for it in vm.Script without an
    // experimental flag): a chunk that holds one is compiled as usual (src/packages.ts keeps them out).
    const name = dirname(filename) === bundleDir && !content.includes('import(') ? entryName(filename, content) : undefined;
    if (name === undefined) return compile.call(this, content, filename);
    const file = join(folder, name);
    const cachedData = readEntry(file);
    const script = new vm.Script(Module.wrap(content), { filename, cachedData });
    if (cachedData === undefined || script.cachedDataRejected) written.push({ script, file });
    return runWrapped(this, script, filename);
  };
  process.once('exit', () => writeEntries(folder, bundleDir, written));
}

/** Runs a module compiled from Module.wrap's source as Node's loader would: its own require, its paths. */
function runWrapped(module: CompilingModule, script: vm.Script, filename: string): unknown {
  const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
  const require = Object.assign((id: string) => module.require(id), {
    resolve: (request: string) => (Module as unknown as { _resolveFilename(r: string, m: unknown): string })._resolveFilename(request, module),
  });
  const exports = (module as unknown as { exports: unknown }).exports;
  return wrapper.call(exports, exports, require, module, filename, dirname(filename));
}

/**
 * The cache folder of this install (two installs of cx keep apart), when it is safe to run code from: it and
 * the folders above it up to the cache base are real folders of this user's that no one else can write to
 * (nor swap one of them for their own).
 */
function cacheFolder(env: NodeJS.ProcessEnv, bundleDir: string): string | undefined {
  try {
    const base = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
    const install = fnv1a(bundleDir);
    const folder = join(base, 'cx', 'code', install);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    // The cache base may be writable by the user's group (a umask of 002 makes it so, with a group of the
    // user's own); the folders cx makes are the user's alone.
    const ours = writtenByUserAlone(base, 0o002) && [join(base, 'cx'), join(base, 'cx', 'code'), folder].every((path) => writtenByUserAlone(path, 0o022));
    return ours ? folder : undefined;
  } catch {
    return undefined; // no home, a read-only one, a folder of another user's: run without the cache
  }
}

/** A short name for a path (FNV-1a, 32 bits): node:crypto is not loaded for it, `cx --version` needs none. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

/** A real folder (not a link) of this user's that no one in `others` (mode bits) can write to. */
function writtenByUserAlone(path: string, others: number): boolean {
  const found = lstatSync(path);
  const mine = process.getuid === undefined || found.uid === process.getuid();
  return found.isDirectory() && mine && (found.mode & others) === 0;
}

/** A temporary entry older than this was left by a run that was killed while writing it. */
const STALE_WRITE_MS = 60 * 60 * 1000;

/** The chunk an entry is of: its name up to the first dot (chunk names have none: `start-Dnh2z7Nm`). */
const chunkOf = (entry: string): string => entry.slice(0, entry.indexOf('.'));

/**
 * The entry of a chunk whose name carries its content hash (rolldown's `start-Dnh2z7Nm.js`), with its length
 * and time of change (a chunk rewritten in place); a chunk named otherwise (index.js) is not cached.
 */
function entryName(filename: string, content: string): string | undefined {
  const chunk = basename(filename, '.js');
  if (!/-[\w-]{8}$/.test(chunk)) return undefined;
  const changed = Math.trunc(statSync(filename).mtimeMs);
  return `${chunk}.${content.length}-${changed}.v8-${process.versions.v8}.bin`;
}

function readEntry(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Writes each new entry whole (temporary name, then rename), and drops the entries of an earlier build: those
 * of chunks no longer in the bundle, and the older entries of the chunks written now.
 */
function writeEntries(folder: string, bundleDir: string, written: readonly NewEntry[]): void {
  if (written.length === 0) return;
  try {
    for (const { script, file } of written) {
      const temporary = `${file}.${process.pid}.${Date.now()}.tmp`; // this process writes each entry once
      writeFileSync(temporary, script.createCachedData(), { mode: 0o600, flag: 'wx' });
      renameSync(temporary, file);
    }
    const current = new Set(written.map(({ file }) => basename(file)));
    const rewritten = new Set([...current].map(chunkOf));
    for (const name of readdirSync(folder)) {
      if (current.has(name)) continue;
      if (name.endsWith('.tmp')) {
        // Another run's write in progress, unless it is old: what a run killed while writing left.
        if (Date.now() - statSync(join(folder, name)).mtimeMs > STALE_WRITE_MS) unlinkSync(join(folder, name));
        continue;
      }
      const chunk = chunkOf(name);
      if (rewritten.has(chunk) || !existsSync(join(bundleDir, `${chunk}.js`))) unlinkSync(join(folder, name));
    }
  } catch {
    // A full disk or a folder gone: the next run compiles again, as without the cache.
  }
}
