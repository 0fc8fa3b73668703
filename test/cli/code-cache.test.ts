// The bundle's code cache (src/code-cache.ts): V8's compiled code of a chunk, kept between runs in a folder of
// the user's own. It is code cx runs, so the tests plant code in it: V8 accepts a cache made from any source of
// the same length, which is why the folder must be the user's alone and an entry is named by its chunk's digest.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseEnv, cx, demoMirror, NOW, REPO, tempDir, type TestClock } from '../helpers/cx.js';

const BUNDLE = join(REPO, 'dist/cli');
/** The chunk every lookup loads after the entry: the one worth caching. */
const START = readdirSync(BUNDLE).find((name) => /^start-.*\.js$/.test(name))!;

/** This install's cache folder under `base` (an XDG_CACHE_HOME), and the entry the start chunk gets there. */
function cachePaths(base: string, bundle = BUNDLE): { folder: string; entry: string } {
  const folder = join(base, 'cx', 'code', fnv1a(bundle));
  const chunk = join(bundle, START);
  const changed = Math.trunc(statSync(chunk).mtimeMs);
  return { folder, entry: join(folder, `${START.slice(0, -3)}.${readFileSync(chunk, 'utf8').length}-${changed}.v8-${process.versions.v8}.bin`) };
}

function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

function lookup(base: string, env: Record<string, string> = {}, now: TestClock = NOW) {
  return cx(['lookup', 'jane.doe@gmail.com'], { db: demoMirror(), env: { XDG_CACHE_HOME: base, ...env }, now });
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

  it('a cache base its group may write to (a umask of 002) is still used: the folders cx makes are its own', () => {
    const base = tempDir();
    chmodSync(base, 0o775);
    expect(lookup(base).code).toBe(0);
    expect(existsSync(cachePaths(base).entry)).toBe(true);
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
      'others can write to the cache folder above it',
      (folder: string) => {
        mkdirSync(folder, { recursive: true, mode: 0o700 });
        chmodSync(join(folder, '../../..'), 0o777);
        return folder;
      },
    ],
    [
      'its group can write to the folder cx made',
      (folder: string) => (mkdirSync(folder, { recursive: true }), chmodSync(join(folder, '..'), 0o770), folder),
    ],
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

  it('a new entry drops those of an earlier build and a killed run’s write, and leaves a write in progress', () => {
    const base = tempDir();
    const { folder, entry } = cachePaths(base);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const stem = START.slice(0, -3);
    const earlier = [`${stem}.1234-1700000000000.v8-${process.versions.v8}.bin`, 'start-Gone0000.1234-1700000000000.v8-1.bin'];
    const writing = `${stem}.1234-1700000000000.v8-1.bin.77.1700000000000.tmp`;
    const killed = `${stem}.1234-1700000000000.v8-1.bin.78.1700000000000.tmp`;
    for (const name of [...earlier, writing, killed]) writeFileSync(join(folder, name), 'x', { mode: 0o600 });
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(join(folder, killed), twoHoursAgo, twoHoursAgo);
    expect(lookup(base, {}, 'real').code).toBe(0); // the files' ages are against the real clock
    expect(readdirSync(folder).sort()).toEqual([entry.slice(folder.length + 1), writing].sort());
  });

  it('a chunk rewritten in place, of the same name and length, is compiled again, not taken from the cache', () => {
    // An install of its own (bin, dist; packages through a link) whose start chunk the test may change.
    const root = tempDir('cx-install-');
    for (const part of ['bin', 'dist', 'package.json']) cpSync(join(REPO, part), join(root, part), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
    const base = tempDir();
    const db = demoMirror();
    const run = () => spawnSync(process.execPath, [join(root, 'bin/cx.js'), 'lookup', 'jane.doe@gmail.com'], { encoding: 'utf8', env: baseEnv(db, { XDG_CACHE_HOME: base }) });
    expect(run().stdout).toMatch(/^ {2}found by {5}its current address$/m);
    const { folder } = cachePaths(base, join(root, 'dist/cli'));
    expect(readdirSync(folder).filter((name) => name.startsWith(`${START.slice(0, -3)}.`))).toHaveLength(1);
    // The card's "its current address" in capitals: the same length, so V8 alone would take the old entry.
    const chunk = join(root, 'dist/cli', START);
    const text = readFileSync(chunk, 'utf8');
    expect(text).toContain('"its current address"');
    writeFileSync(chunk, text.replace('"its current address"', '"ITS CURRENT ADDRESS"'));
    utimesSync(chunk, new Date(), new Date(Date.now() + 5000));
    expect(run().stdout).toMatch(/^ {2}found by {5}ITS CURRENT ADDRESS$/m);
  });

  it('no chunk of the bundle but the entry holds an import(): the others can all be cached', () => {
    const index = readFileSync(join(BUNDLE, 'index.js'), 'utf8');
    const entryChunk = /require\("\.\/(entry-[^"]+\.js)"\)/.exec(index)![1]!;
    const withImport = readdirSync(BUNDLE).filter((name) => name.endsWith('.js') && readFileSync(join(BUNDLE, name), 'utf8').includes('import('));
    expect(withImport).toEqual([entryChunk]);
  });
});
