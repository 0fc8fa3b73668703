// The bundle's code cache (src/code-cache.ts): V8's compiled code of a chunk, kept between runs in a folder of
// the user's own. It is code cx runs, so the tests plant code in it: V8 accepts a cache made from any source of
// the same length, which is why the folder must be the user's alone and an entry is named by its chunk's digest.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cx, demoMirror, REPO, tempDir } from '../helpers/cx.js';

const BUNDLE = join(REPO, 'dist/cli');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/** The chunk every lookup loads after the entry: the one worth caching. */
const START = readdirSync(BUNDLE).find((name) => /^start-.*\.js$/.test(name))!;

/** This install's cache folder under `base` (an XDG_CACHE_HOME), and the entry the start chunk gets there. */
function cachePaths(base: string): { folder: string; entry: string } {
  const folder = join(base, 'cx', 'code', sha256(BUNDLE).slice(0, 16));
  const content = readFileSync(join(BUNDLE, START), 'utf8');
  return { folder, entry: join(folder, `${START.slice(0, -3)}.${sha256(content).slice(0, 20)}.v8-${process.versions.v8}.bin`) };
}

function lookup(base: string, env: Record<string, string> = {}) {
  return cx(['lookup', 'jane.doe@gmail.com'], { db: demoMirror(), env: { XDG_CACHE_HOME: base, ...env } });
}

/**
 * A valid cache of other code, of the start chunk's exact length, that prints PLANTED when it runs. Made by a
 * node of the same flags as cx's: V8 takes a cache only from its own version and flags.
 */
function plantedCache(): Buffer {
  const length = readFileSync(join(BUNDLE, START), 'utf8').length;
  const made = spawnSync(
    process.execPath,
    [
      '-e',
      `const vm=require('node:vm'),M=require('node:module');let c='process.stdout.write("PLANTED\\\\n");';c+=' '.repeat(${length}-c.length);` +
        `process.stdout.write(new vm.Script(M.wrap(c),{filename:'planted.js'}).createCachedData().toString('base64'))`,
    ],
    { encoding: 'utf8', env: { PATH: process.env.PATH } },
  );
  expect(made.status, made.stderr).toBe(0);
  return Buffer.from(made.stdout, 'base64');
}

describe('the code cache', () => {
  it('keeps the start chunk compiled in a folder of the user alone; the next run takes it as it is', () => {
    const base = tempDir();
    const { folder, entry } = cachePaths(base);
    const first = lookup(base);
    expect(first.code, first.stderr).toBe(0);
    expect(statSync(entry).mode & 0o777).toBe(0o600);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(statSync(join(base, 'cx', 'code')).mode & 0o777).toBe(0o700);
    const kept = statSync(entry);
    const second = lookup(base);
    expect(second).toMatchObject({ code: 0, stdout: first.stdout, stderr: first.stderr });
    // Not written again: V8 took it (an entry it rejects is replaced).
    expect(statSync(entry)).toMatchObject({ ino: kept.ino, mtimeMs: kept.mtimeMs });
  });

  it('an entry that is not V8 code cache is rejected and written again; the run is as without it', () => {
    const base = tempDir();
    const { folder, entry } = cachePaths(base);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    writeFileSync(entry, 'not a code cache', { mode: 0o600 });
    const r = lookup(base);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Jane Doe · client 1001$/m);
    expect(readFileSync(entry).toString()).not.toBe('not a code cache');
  });

  it('code planted in the folder of the user alone runs: the control that shows the tests below can fail', () => {
    const base = tempDir();
    const { folder, entry } = cachePaths(base);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    writeFileSync(entry, plantedCache(), { mode: 0o600 });
    expect(lookup(base).stdout).toMatch(/^PLANTED$/m);
  });

  it.each([
    ['others can write to the folder', (folder: string) => (mkdirSync(folder, { recursive: true }), chmodSync(folder, 0o777), folder)],
    [
      'the folder is a link to another',
      (folder: string) => {
        const elsewhere = tempDir();
        chmodSync(elsewhere, 0o700);
        mkdirSync(join(folder, '..'), { recursive: true, mode: 0o700 });
        symlinkSync(elsewhere, folder);
        return elsewhere;
      },
    ],
  ])('%s: cx neither runs what is in it nor writes to it', (_case, make) => {
    const base = tempDir();
    const { folder, entry } = cachePaths(base);
    const target = make(folder);
    const planted = join(target, entry.slice(folder.length + 1));
    writeFileSync(planted, plantedCache(), { mode: 0o600 });
    const r = lookup(base);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/PLANTED/);
    expect(r.stdout).toMatch(/^Jane Doe · client 1001$/m);
    expect(readdirSync(target)).toEqual([entry.slice(folder.length + 1)]);
  });

  it('with colours on, chalk still loads (import() stays out of the cached chunks), from the cache as well', () => {
    const base = tempDir();
    for (let run = 0; run < 2; run++) {
      const r = lookup(base, { FORCE_COLOR: '1' });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('\u001b[1mJane Doe\u001b[22m');
    }
    expect(existsSync(cachePaths(base).entry)).toBe(true);
  });

  it('a new entry drops those of an earlier build, and leaves another run’s write in progress', () => {
    const base = tempDir();
    const { folder, entry } = cachePaths(base);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const stem = START.slice(0, -3);
    const earlier = [`${stem}.0123456789abcdef0123.v8-${process.versions.v8}.bin`, 'start-Gone0000.0123456789abcdef0123.v8-1.bin'];
    const writing = `${stem}.0123456789abcdef0123.v8-1.bin.77.0a0b0c0d.tmp`;
    for (const name of [...earlier, writing]) writeFileSync(join(folder, name), 'x', { mode: 0o600 });
    expect(lookup(base).code).toBe(0);
    expect(readdirSync(folder).sort()).toEqual([entry.slice(folder.length + 1), writing].sort());
  });

  it('no chunk of the bundle but the entry holds an import(): the others can all be cached', () => {
    const index = readFileSync(join(BUNDLE, 'index.js'), 'utf8');
    const entryChunk = /require\("\.\/(entry-[^"]+\.js)"\)/.exec(index)![1]!;
    const withImport = readdirSync(BUNDLE).filter((name) => name.endsWith('.js') && readFileSync(join(BUNDLE, name), 'utf8').includes('import('));
    expect(withImport).toEqual([entryChunk]);
  });
});
