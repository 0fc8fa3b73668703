// The output module on real files, folders, symlinks, devices and pipes (src/files/output-file.ts). The
// commands built on it are tested in test/cli/output-safety.test.ts.
import { spawn, spawnSync } from 'node:child_process';
import {
  chownSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputExistsError, OutputPathError, OutputWriteError } from '../../src/files/errors.js';
import { checkOutput, openOutput } from '../../src/files/output-file.js';
import { mirrorFiles } from '../../src/files/protected.js';
import { removeStaleTemps, STALE_AFTER_MS, TEMP_PREFIX } from '../../src/files/stale-temps.js';
import { tempDir } from '../helpers/cx.js';
import { NOBODY } from '../helpers/other-user.js';

const isRoot = process.getuid?.() === 0;
const opts = (force = false, protect: Array<{ path: string; what: string }> = []) => ({ label: '--out', force, protect });
const temps = (dir: string) => readdirSync(dir).filter((n) => n.startsWith(TEMP_PREFIX));

function written(path: string, text: string, force = false): void {
  const out = openOutput(path, opts(force));
  try {
    out.write(text);
    out.publish();
  } finally {
    out.discard();
  }
}

describe('openOutput: a regular file', () => {
  it('makes an owner-only temporary file beside the target, whatever the umask, and renames it at the end', () => {
    const dir = tempDir();
    const target = join(dir, 'results.csv');
    const umask = process.umask(0);
    let out;
    try {
      out = openOutput(target, opts());
    } finally {
      process.umask(umask);
    }
    const [temp, ...more] = temps(dir);
    expect(more).toEqual([]);
    expect(temp).toMatch(/^\.cx-tmp-[0-9a-f]{16}$/);
    expect(statSync(join(dir, temp!)).mode & 0o777).toBe(0o600);
    expect(existsSync(target)).toBe(false); // nothing under the name until it is complete
    out.write('a,b\n');
    out.publish();
    expect(readdirSync(dir)).toEqual(['results.csv']);
    expect(readFileSync(target, 'utf8')).toBe('a,b\n');
    expect(statSync(target).mode & 0o777).toBe(0o600);
  });

  it('keeps a name too long for the folder out: the temporary name is short, the check is on the target', () => {
    const dir = tempDir();
    expect(() => openOutput(join(dir, `${'x'.repeat(252)}.csv`), opts())).toThrow(/the file name is 256 bytes long; a name holds at most 255/);
    expect(() => openOutput(join(dir, `${'é'.repeat(126)}.csv`), opts())).toThrow(OutputPathError); // 256 bytes in UTF-8
    written(join(dir, `${'x'.repeat(251)}.csv`), 'ok'); // 255: fits
    expect(readdirSync(dir)).toEqual([`${'x'.repeat(251)}.csv`]);
  });

  it('refuses an existing file without force (bytes intact), replaces it with force', () => {
    const dir = tempDir();
    const target = join(dir, 'r.csv');
    writeFileSync(target, 'old');
    expect(() => openOutput(target, opts())).toThrow(OutputExistsError);
    expect(readFileSync(target, 'utf8')).toBe('old');
    expect(temps(dir)).toEqual([]);
    written(target, 'new', true);
    expect(readFileSync(target, 'utf8')).toBe('new');
  });

  it('never replaces a file that appeared while it was writing, even one another user made', () => {
    const dir = tempDir();
    const target = join(dir, 'r.csv');
    const out = openOutput(target, opts());
    out.write('mine');
    writeFileSync(target, 'theirs');
    if (isRoot) chownSync(target, NOBODY, NOBODY);
    expect(() => out.publish()).toThrow(OutputExistsError);
    out.discard();
    expect(readFileSync(target, 'utf8')).toBe('theirs');
    expect(readdirSync(dir)).toEqual(['r.csv']);
  });

  it('replaces a symlink at the target (also a dangling one) with the file, never writing through it', () => {
    const dir = tempDir();
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, join(dir, 'r.csv'));
    symlinkSync(join(dir, 'nowhere'), join(dir, 'd.csv'));
    expect(() => openOutput(join(dir, 'r.csv'), opts())).toThrow(OutputExistsError); // a symlink is something there
    expect(() => openOutput(join(dir, 'd.csv'), opts())).toThrow(OutputExistsError);
    written(join(dir, 'r.csv'), 'results', true);
    written(join(dir, 'd.csv'), 'results', true);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(join(dir, 'r.csv')).isFile()).toBe(true);
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
    expect(lstatSync(join(dir, 'd.csv')).isFile()).toBe(true);
  });

  it('says what is wrong with the path, exit 2 class, before creating anything', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), '');
    mkdirSync(join(dir, 'sub'));
    symlinkSync(join(dir, 'sub'), join(dir, 'link-to-folder'));
    const cases: Array<[string, RegExp]> = [
      [join(dir, 'missing', 'r.csv'), /the folder .*missing does not exist/],
      [join(dir, 'file', 'r.csv'), /is a file, not a folder/],
      [join(dir, 'file', 'deeper', 'r.csv'), /a part of .* is a file, not a folder/],
      [join(dir, 'sub'), /it is a folder/],
      [join(dir, 'link-to-folder'), /it is a folder/],
      [`${dir}/sub/`, /it names a folder/],
      ['', /is empty/],
    ];
    for (const [path, why] of cases) {
      expect(() => openOutput(path, opts(true)), path).toThrow(why);
      expect(() => openOutput(path, opts(true)), path).toThrow(OutputPathError);
    }
    expect(readdirSync(dir).sort()).toEqual(['file', 'link-to-folder', 'sub']);
    expect(readdirSync(join(dir, 'sub'))).toEqual([]);
  });

  it('never names the mirror, its -wal/-shm/-journal, however the path is spelled, even with force', () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    mkdirSync(data);
    const db = join(data, 'mirror.db');
    writeFileSync(db, 'the mirror');
    linkSync(db, join(dir, 'hard-link.db'));
    symlinkSync(db, join(dir, 'soft-link.db'));
    symlinkSync(data, join(dir, 'data-link'));
    const protect = mirrorFiles(db);
    for (const path of [db, `${db}-wal`, `${db}-shm`, `${db}-journal`, join(data, '..', 'data', 'mirror.db'), join(dir, 'data-link', 'mirror.db-wal'), join(dir, 'hard-link.db'), join(dir, 'soft-link.db')]) {
      expect(() => openOutput(path, opts(true, protect)), path).toThrow(/it is the mirror/);
      expect(() => checkOutput(path, opts(true, protect)), path).toThrow(OutputPathError);
    }
    expect(readFileSync(db, 'utf8')).toBe('the mirror');
    expect(temps(data)).toEqual([]);
  });

  it('a full disk is an OutputWriteError naming the path; the temporary file goes with discard()', () => {
    const out = openOutput('/dev/full', opts());
    expect(out.direct).toBe('device');
    expect(() => out.write('x'.repeat(100_000))).toThrow(OutputWriteError);
    expect(() => out.write('x')).toThrow(/cannot write \/dev\/full: no space left on the disk \(ENOSPC\)/);
    out.discard();
  });
});

describe('openOutput: devices and pipes are written to directly, never replaced', () => {
  it('/dev/null, and a character device made with mknod, stay devices', () => {
    const dir = tempDir();
    const node = join(dir, 'null-here');
    const made = spawnSync('mknod', [node, 'c', '1', '3']);
    for (const path of ['/dev/null', ...(made.status === 0 ? [node] : [])]) {
      const out = openOutput(path, opts()); // no --force needed: nothing is replaced
      out.write('phi');
      out.publish();
      out.discard();
      expect(statSync(path).isCharacterDevice(), path).toBe(true);
    }
    expect(temps(dir)).toEqual([]);
  });

  it('a FIFO with a reader gets the bytes; one without a reader is refused rather than waited on', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(() => openOutput(fifo, opts())).toThrow(/no process is reading the pipe/);
    const reader = spawn('cat', [fifo]);
    let got = '';
    reader.stdout.on('data', (d) => (got += d));
    const closed = new Promise((done) => reader.on('close', done));
    let out;
    for (let i = 0; !out; i++) {
      try {
        out = openOutput(fifo, opts());
      } catch (err) {
        if (i > 500) throw err; // cat has not opened it yet
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    expect(out.direct).toBe('pipe');
    out.write('through the pipe');
    out.publish();
    await closed;
    expect(got).toBe('through the pipe');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it.skipIf(!isRoot)('refuses a FIFO or a device owned by another user: it would receive the data (needs root to make one)', () => {
    const dir = tempDir();
    const fifo = join(dir, 'their-pipe');
    const node = join(dir, 'their-device');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(spawnSync('mknod', [node, 'c', '1', '3']).status).toBe(0);
    chownSync(fifo, NOBODY, NOBODY);
    chownSync(node, NOBODY, NOBODY);
    symlinkSync(fifo, join(dir, 'innocent.csv'));
    for (const path of [fifo, node, join(dir, 'innocent.csv')]) {
      expect(() => openOutput(path, opts(true)), path).toThrow(/owned by another user \(uid 65534\)/);
    }
  });

  it('cx creates and replaces nothing in /dev or /proc', () => {
    expect(() => checkOutput('/dev/cx-results.csv', opts(true))).toThrow(/creates and replaces no file in \/dev/);
    expect(() => checkOutput('/proc/self/cx.csv', opts(true))).toThrow(OutputPathError);
    expect(existsSync('/dev/cx-results.csv')).toBe(false);
  });
});

describe('removeStaleTemps', () => {
  it('removes only its own user\'s regular temporary files older than a day', () => {
    const dir = tempDir();
    const old = (Date.now() - STALE_AFTER_MS - 3_600_000) / 1000;
    const make = (name: string, age: number | null) => {
      writeFileSync(join(dir, name), 'x');
      if (age !== null) utimesSync(join(dir, name), age, age);
    };
    make(`${TEMP_PREFIX}old`, old);
    make(`${TEMP_PREFIX}young`, null);
    make('.results.csv.123.tmp', old); // not cx's prefix: someone else's naming
    make(`${TEMP_PREFIX}theirs`, old);
    if (isRoot) chownSync(join(dir, `${TEMP_PREFIX}theirs`), NOBODY, NOBODY);
    writeFileSync(join(dir, 'victim'), 'precious');
    symlinkSync(join(dir, 'victim'), join(dir, `${TEMP_PREFIX}link`));
    utimesSync(join(dir, 'victim'), old, old);
    removeStaleTemps(dir);
    const left = readdirSync(dir).sort();
    expect(left).not.toContain(`${TEMP_PREFIX}old`);
    expect(left).toContain(`${TEMP_PREFIX}young`);
    expect(left).toContain('.results.csv.123.tmp');
    expect(left).toContain(`${TEMP_PREFIX}link`);
    if (isRoot) expect(left).toContain(`${TEMP_PREFIX}theirs`);
    expect(readFileSync(join(dir, 'victim'), 'utf8')).toBe('precious');
  });
});
