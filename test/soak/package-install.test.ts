// The package as npm ships it (issue 18): `npm pack` makes the tarball from package.json's `files`, and
// `npm install -g` puts it into an empty prefix with its dependencies, the way an agent's machine gets cx.
// The installed `cx` must start and seed the demo mirror from the files it carries, found from its own
// install, not from this repository. Install scripts are not run: the one that matters, better-sqlite3's,
// compiles SQLite from source (two to four minutes here, testing node-gyp rather than cx), so the addon that
// `npm ci` compiled for this repository is copied into the install instead: same package version, same Node.
//
// The tarball is packed from the dist/ the suite already built (--ignore-scripts: the prepare script would
// empty and rebuild dist/ under the feet of the tests running beside this one).
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, REPO, tempDir } from '../helpers/cx.js';

const INSTALL_TIMEOUT_MS = 10 * 60_000;

interface Packed {
  filename: string;
  files: Array<{ path: string }>;
}

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number }): SpawnSyncReturns<string> {
  return spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: options.timeout ?? 60_000, ...options });
}

const shown = (r: SpawnSyncReturns<string>) => `exit ${r.status} ${r.signal ?? ''}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

describe('the packed package, installed with npm install -g into an empty prefix', () => {
  let files: string[];
  let prefix: string;
  let cx: string;
  const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

  beforeAll(() => {
    if (!existsSync(join(REPO, 'dist/cli/index.js'))) throw new Error('dist/ is not built: run `npm run build` first');
    const work = tempDir('cx-package-');
    const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: REPO });
    if (packed.status !== 0) throw new Error(`npm pack failed: ${shown(packed)}`);
    const [info] = JSON.parse(packed.stdout) as [Packed];
    files = info.files.map((f) => f.path);
    prefix = join(work, 'prefix');
    // From npm's cache where it can.
    const installed = run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', join(work, info.filename)], {
      cwd: work,
      timeout: INSTALL_TIMEOUT_MS,
    });
    if (installed.status !== 0) throw new Error(`npm install -g failed: ${shown(installed)}`);
    const addon = join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    const target = join(prefix, 'lib', 'node_modules', 'cx', addon);
    mkdirSync(join(target, '..'), { recursive: true });
    copyFileSync(join(REPO, addon), target);
    cx = join(prefix, 'bin', 'cx');
  }, INSTALL_TIMEOUT_MS + 60_000);

  it('holds the program, the demo world and the data folder; no source, tools or tests', () => {
    const needed = ['bin/cx.js', 'bin/package.json', 'dist/cli/index.js', 'dist/cli/package.json', 'dist/sync/recorder-worker.js'];
    const demo = ['fixtures/demo/accounts.csv', 'fixtures/demo/README.md', 'data/README.md', 'package.json'];
    expect(files).toEqual(expect.arrayContaining([...needed, ...demo]));
    const outside = files.filter((f) => /^(src|scripts|test|build|node_modules)\//.test(f) || /^dist\/(bench|tools)\//.test(f) || f.endsWith('.ts'));
    expect(outside).toEqual([]);
  });

  it('cx --version starts and prints the package version', () => {
    const r = run(cx, ['--version'], { cwd: tempDir('cx-installed-'), env: baseEnv(undefined) });
    expect(r.status, shown(r)).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
  });

  it('cx db seed --demo makes the mirror from the demo world in its own install, and cx answers from it', () => {
    const home = tempDir('cx-installed-');
    const db = join(home, 'mirror.db');
    const env = baseEnv(db);
    const seeded = run(cx, ['db', 'seed', '--demo'], { cwd: home, env });
    expect(seeded.status, shown(seeded)).toBe(0);
    expect(seeded.stdout).toMatch(/^accounts\.csv\t43\t43\t0$/m);
    expect(seeded.stderr).toContain(`Imported ${join(prefix, 'lib/node_modules/cx/fixtures/demo/')}`);
    expect(statSync(db).mode & 0o777).toBe(0o600);
    const lookup = run(cx, ['lookup', 'jane.doe@gmail.com', '--json'], { cwd: home, env });
    expect(lookup.status, shown(lookup)).toBe(0);
    expect(lookup.stdout).toContain('"jane.doe@gmail.com"');
  });
});
