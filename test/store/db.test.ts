import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, openMirror, schemaVersion, tuneForBatch, writeTransaction } from '../../src/store/db.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/schema.js';
import { tempDir } from '../helpers/cx.js';
import { TEST_KEYS, openDb } from '../helpers/sqlite.js';

describe('the mirror store', () => {
  it('applies the migrations in order and records the version', () => {
    const path = join(tempDir(), 'm.db');
    const db = openMirror(path, { keys: TEST_KEYS, create: true });
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    expect(tables.map((t: any) => t.name)).toEqual([
      'accounts', 'appointments', 'audit_accounts', 'audit_anchor', 'audit_log', 'changes', 'former_emails', 'mirror_meta', 'processed_tickets', 'progress_notes',
      'suppressions',
    ]);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'view'").all()).toEqual([{ name: 'outbox' }]);
    expect((db.prepare("SELECT value FROM mirror_meta WHERE key = 'mirror_id'").get() as { value: string }).value).toMatch(/^[0-9a-f]{32}$/);
    // A second run finds nothing to do.
    migrate(db);
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it("a batch's page cache and rarer checkpoints stay on its own connection", () => {
    // An import keeps its memory aim (issue 14) and a lookup its start-up: they open their own connection.
    const path = join(tempDir(), 'm.db');
    const batch = openMirror(path, { keys: TEST_KEYS, create: true });
    const other = openMirror(path, { keys: TEST_KEYS });
    const settings = (db: Database.Database) => ['temp_store', 'cache_size', 'wal_autocheckpoint'].map((p) => db.pragma(p, { simple: true }));
    const defaults = settings(other);
    tuneForBatch(batch);
    expect(settings(batch)).toEqual([2, -65536, 10000]);
    expect(settings(other)).toEqual(defaults);
    expect(settings(openMirror(path, { keys: TEST_KEYS }))).toEqual(defaults);
    // Every connection keeps sorts and temporary tables in memory: SQLite's temporary files are not encrypted.
    expect(defaults[0]).toBe(2);
    batch.close();
    other.close();
  });

  it('a failing migration leaves the old version and no half-made schema', () => {
    const path = join(tempDir(), 'm.db');
    const raw = openDb(path);
    raw.exec('CREATE TABLE outbox (x)'); // collides with migration 1, after it has made other tables
    expect(() => migrate(raw)).toThrow(/already exists/);
    expect(raw.pragma('user_version', { simple: true })).toBe(0);
    expect(raw.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'accounts'").get()).toEqual({ n: 0 });
    raw.close();
  });

  it('a database of another program is refused before anything is written to it', () => {
    const path = join(tempDir(), 'm.db');
    const raw = openDb(path);
    raw.exec('CREATE TABLE accounts (x)');
    raw.close();
    expect(() => openMirror(path, { keys: TEST_KEYS, create: true })).toThrow(/not a cx mirror/);
  });

  it('write transactions take the lock up front, so a second writer waits instead of failing', () => {
    const path = join(tempDir(), 'm.db');
    const a = openMirror(path, { keys: TEST_KEYS, create: true });
    const b = openMirror(path, { keys: TEST_KEYS });
    b.pragma('busy_timeout = 0');
    writeTransaction(a, () => {
      // While A holds the write lock, B's immediate transaction cannot even start.
      expect(() => writeTransaction(b, () => undefined)).toThrow(/locked|busy/i);
    });
    expect(() => writeTransaction(b, () => undefined)).not.toThrow();
    a.close();
    b.close();
  });

  it('a nested unit of work is a savepoint: its failure rolls back only itself', () => {
    const db = openMirror(join(tempDir(), 'm.db'), { keys: TEST_KEYS, create: true });
    writeTransaction(db, () => {
      db.prepare("INSERT INTO suppressions VALUES ('a@x.com', 'a@x.com', 'bounce', '2026-01-01')").run();
      expect(() =>
        writeTransaction(db, () => {
          db.prepare("INSERT INTO suppressions VALUES ('b@x.com', 'b@x.com', 'bounce', '2026-01-01')").run();
          throw new Error('this ticket fails');
        }),
      ).toThrow('this ticket fails');
    });
    expect(db.prepare('SELECT email_key FROM suppressions').all()).toEqual([{ email_key: 'a@x.com' }]);
    db.close();
  });

  it('nested units of work keep their writes, two deep, and one that returns a promise is refused and undone', () => {
    const db = openMirror(join(tempDir(), 'm.db'), { keys: TEST_KEYS, create: true });
    const add = (key: string) => db.prepare(`INSERT INTO suppressions VALUES (?, ?, 'bounce', '2026-01-01')`).run(key, key);
    const value = writeTransaction(db, () => {
      add('a@x.com');
      return writeTransaction(db, () => {
        add('b@x.com');
        writeTransaction(db, () => add('c@x.com'));
        expect(() => writeTransaction(db, () => Promise.resolve(add('d@x.com')))).toThrow('cannot return a promise');
        return 'kept';
      });
    });
    expect(value).toBe('kept');
    expect(db.inTransaction).toBe(false);
    expect(db.prepare('SELECT email_key FROM suppressions ORDER BY 1').all()).toEqual([{ email_key: 'a@x.com' }, { email_key: 'b@x.com' }, { email_key: 'c@x.com' }]);
    db.close();
  });
});
