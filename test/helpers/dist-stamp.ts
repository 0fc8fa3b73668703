// Process tests run bin/cx.js, that is dist/cli/, not src/: a dist/ built from older sources passes tests
// the sources fail. After a build, dist/ is stamped with a digest of every file the build reads; a test run
// (test/helpers/global-setup.ts) rebuilds when the sources' digest is not the stamp's.
//
// A digest of the contents, not modification times: a checkout, `git stash`, a copy or an editor can give
// a source file an older time than the build (dist/ would look current), and a build that failed half-way
// leaves files newer than the sources. The stamp is removed before a build and written only after one
// that succeeded, and it lists each file's digest so that the message names what changed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * What the two builds read: `npm run build` (the product: src/, the compiler's and the bundler's settings,
 * the packages) and `npm run build:scripts` (the generator the test worlds come from, the bench, and the
 * platform stand-in they start, into build/).
 */
export const BUILD_INPUTS = ['src', 'tsconfig.json', 'rolldown.config.js', 'package.json', 'package-lock.json', 'scripts', 'test/support'];
export const STAMP = 'dist/.source-digest.json';
/** The files bin/cx.js and the test worlds load: without them there is no build, whatever the stamp says. */
const ENTRIES = ['dist/cli/index.js', 'build/scripts/tools/generate.js'];

type Digests = Record<string, string>;

/** Every build input's digest, by its path from the repo's top (sorted, so equal trees give equal JSON). */
export function sourceDigests(root: string): Digests {
  const out: Digests = {};
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(path, name));
      return;
    }
    out[relative(root, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
  };
  for (const input of BUILD_INPUTS) visit(join(root, input));
  return out;
}

export type DistState = { current: true } | { current: false; why: string };

/** Whether dist/ was built from the sources as they are now, and if not, what differs. */
export function distState(root: string): DistState {
  const missing = ENTRIES.find((entry) => !existsSync(join(root, entry)));
  if (missing) return { current: false, why: `${missing} is missing` };
  let stamped: Digests;
  try {
    stamped = JSON.parse(readFileSync(join(root, STAMP), 'utf8')) as Digests;
  } catch {
    return { current: false, why: `${STAMP} is missing (dist/ was not built by a test run, or the build failed)` };
  }
  const now = sourceDigests(root);
  const changed = [...new Set([...Object.keys(now), ...Object.keys(stamped)])]
    .filter((path) => now[path] !== stamped[path])
    .sort()
    .map((path) => (!(path in stamped) ? `${path} (new)` : !(path in now) ? `${path} (removed)` : path));
  if (changed.length === 0) return { current: true };
  const shown = changed.length > 5 ? [...changed.slice(0, 5), `and ${changed.length - 5} more`] : changed;
  return { current: false, why: `changed since the build: ${shown.join(', ')}` };
}

export interface BuildRun {
  status: number | null;
  /** What the build said (it also went to the terminal), for the error. */
  output?: string;
}

/** `npm run build`, then `npm run build:scripts`, in `root`, their output on the terminal. */
export function npmBuild(root: string): BuildRun {
  for (const script of ['build', 'build:scripts']) {
    const r = spawnSync('npm', ['run', script], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) return { status: r.status };
  }
  return { status: 0 };
}

/**
 * Rebuild dist/ when it is not current; stamp it after a build that succeeded. Throws, saying why the build
 * was needed, when it fails. Returns what it did, for the log.
 */
export function ensureBuilt(root: string, build: (root: string) => BuildRun = npmBuild): { built: false } | { built: true; why: string } {
  const state = distState(root);
  if (state.current) return { built: false };
  const digests = sourceDigests(root); // before the build: a file edited meanwhile makes the next run build again
  rmSync(join(root, STAMP), { force: true });
  const r = build(root);
  if (r.status !== 0) {
    throw new Error(`dist/ is not current (${state.why}) and \`npm run build\` failed (exit ${r.status}): fix what it said above, then run the tests again${r.output ? `\n${r.output}` : ''}`);
  }
  writeFileSync(join(root, STAMP), `${JSON.stringify(digests, null, 1)}\n`);
  return { built: true, why: state.why };
}
