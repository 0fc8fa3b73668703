// The mirror holds patient data: created for its owner alone, never made by a dry run, never written into
// a file that is not a cx mirror, and a damaged one is an integrity failure (exit 6), not a crash.
import { copyFileSync, existsSync, openSync, statSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoMirror, tempDir } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { openDb } from '../helpers/sqlite.js';

describe('the mirror file', () => {
  it('is created readable by its owner alone (0600)', async () => {
    const db = join(tempDir(), 'm.db');
    expect((await cxIn(['db', 'seed', '--demo'], { db })).code).toBe(0);
    expect(statSync(db).mode & 0o777).toBe(0o600);
  });

  it('doctor warns when others can read it', async () => {
    const db = demoMirror(); // copied with the default umask
    const r = await cxIn(['db', 'doctor', '--json'], { db });
    expect(r.code).toBe(0);
    expect(r.json().warnings.join()).toMatch(/readable by others/);
  });

  it.each([
    [['db', 'init']],
    [['db', 'seed', '--demo']],
    [['db', 'import', 'fixtures/demo']],
  ])('--dry-run %j creates no file', async (args) => {
    const db = join(tempDir(), 'm.db');
    const r = await cxIn(['--dry-run', '--json', ...args], { db });
    expect(r.code).toBe(0);
    expect(existsSync(db)).toBe(false);
  });

  it('an empty file is not made into a mirror by a reading command', async () => {
    const db = join(tempDir(), 'empty.db');
    writeFileSync(db, '');
    const r = await cxIn(['lookup', 'jane.doe@gmail.com'], { db });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/empty file, not a cx mirror/);
    expect(statSync(db).size).toBe(0);
  });

  it("another program's SQLite database is left untouched, even by db init", async () => {
    const db = join(tempDir(), 'other.db');
    const other = openDb(db);
    other.exec('CREATE TABLE foo (x)');
    other.close();
    for (const args of [['lookup', 'jane.doe@gmail.com'], ['db', 'init']]) {
      const r = await cxIn(args, { db });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/not a cx mirror/);
    }
    const check = openDb(db, { readonly: true });
    expect(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([{ name: 'foo' }]);
    check.close();
  });

  it('a damaged mirror: doctor and audit --verify exit 6 (not an internal error)', async () => {
    const db = join(tempDir(), 'damaged.db');
    copyFileSync(demoMirror(), db);
    const fd = openSync(db, 'r+');
    const junk = Buffer.alloc(4096 * 20, 0xa5);
    writeSync(fd, junk, 0, junk.length, 4096 * 5);
    closeSync(fd);
    for (const args of [['db', 'doctor', '--json'], ['audit', '--verify', '--json']]) {
      const r = await cxIn(args, { db });
      expect(r.code, args.join(' ')).toBe(6);
      expect(r.stderr).toMatch(/damaged/);
    }
  });
});
