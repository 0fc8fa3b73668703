import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import { cx, DEMO, demoMirror, emptyMirror, query, snapshot, tempDir } from '../helpers/cx.js';
import { auditChainHolds, cxIn } from '../helpers/in-process.js';
import { unprivileged } from '../helpers/other-user.js';
import { openDb } from '../helpers/sqlite.js';

/** A copy of the demo exports that a test may spoil. */
function demoCopy(): string {
  const dir = join(tempDir(), 'export');
  cpSync(DEMO, dir, { recursive: true });
  return dir;
}

function editCsv(dir: string, file: string, edit: (text: string) => string): void {
  const path = join(dir, file);
  writeFileSync(path, edit(readFileSync(path, 'utf8')));
}

describe('cx db init / seed / doctor', () => {
  it('creates a WAL mirror at the current schema version', async () => {
    const db = join(tempDir(), 'm.db');
    const r = await cxIn(['db', 'init', '--json'], { db });
    expect(r.code).toBe(0);
    expect(r.json()).toEqual({ path: db, schema_version: SCHEMA_VERSION, encrypted: true, key_from: 'CX_DB_KEY' });
    expect(query(db, 'PRAGMA journal_mode')[0].journal_mode).toBe('wal');
    expect(query(db, 'PRAGMA user_version')[0].user_version).toBe(SCHEMA_VERSION);
  });

  it('seeds the demo world and audits the load', async () => {
    const db = demoMirror();
    const [counts] = query(db, "SELECT sum(role='client') AS clients, sum(role='provider') AS providers FROM accounts");
    expect(counts.clients).toBeGreaterThanOrEqual(30);
    expect(counts.providers).toBeGreaterThanOrEqual(6);
    const audit = query(db, 'SELECT action, outcome, agent FROM audit_log');
    expect(audit).toEqual([{ action: 'db.seed', outcome: 'done', agent: 'test-agent' }]);
    expect(await auditChainHolds(db)).toBe(true);
  });

  it('re-importing the same files changes nothing', async () => {
    const db = demoMirror();
    const before = snapshot(db);
    const r = await cxIn(['db', 'import', DEMO, '--json'], { db });
    expect(r.code).toBe(0);
    expect(r.json().files.every((f: { changed: number }) => f.changed === 0)).toBe(true);
    const after = snapshot(db);
    const { audit_log: _a, ...beforeData } = before;
    const { audit_log: _b, ...afterData } = after;
    expect(afterData).toEqual(beforeData);
    expect(query(db, "SELECT outcome FROM audit_log WHERE action = 'db.import'")).toEqual([{ outcome: 'already_done' }]);
  });

  it('doctor reports a healthy mirror as JSON and exits 0', async () => {
    const db = demoMirror();
    const r = await cxIn(['db', 'doctor', '--json'], { db });
    expect(r.code).toBe(0);
    const report = r.json();
    expect(report.ok).toBe(true);
    expect(report.integrity).toEqual(['ok']);
    expect(report.journal_mode).toBe('wal');
    expect(report.row_counts.accounts).toBeGreaterThan(35);
  });

  it('doctor exits 6 when a foreign key is broken behind its back', async () => {
    const db = demoMirror();
    const conn = openDb(db);
    conn.pragma('foreign_keys = OFF');
    conn.prepare("UPDATE appointments SET client_id = 'ghost' WHERE rowid = (SELECT min(rowid) FROM appointments)").run();
    conn.close();
    const r = await cxIn(['db', 'doctor', '--json'], { db });
    expect(r.code).toBe(6);
    expect(r.json().problems.join()).toMatch(/foreign key/);
  });
});

describe('cx db import refuses bad input and writes nothing', () => {
  const cases: Array<[string, (dir: string) => void, RegExp]> = [
    ['an unknown role', (d) => editCsv(d, 'accounts.csv', (t) => t.replace(/,provider,/, ',admin,')), /accounts\.csv:\d+: role must be one of client, provider/],
    ['a date that does not exist', (d) => editCsv(d, 'appointments.csv', (t) => t.replace(/\d{4}-\d{2}-\d{2}T/, '2024-02-30T')), /appointments\.csv:2: starts_at is not an ISO 8601 time\n/],
    ['a duplicate id', (d) => editCsv(d, 'appointments.csv', (t) => { const lines = t.trimEnd().split('\n'); return `${[...lines, lines[1]].join('\n')}\n`; }), /appointments\.csv:\d+: duplicate id \(first on line 2\)/],
    ['a missing required column', (d) => editCsv(d, 'suppressions.csv', (t) => t.replace('reason', 'why')), /suppressions\.csv:1: missing column reason/],
    ['a file that is not UTF-8', (d) => writeFileSync(join(d, 'former_emails.csv'), Buffer.from([0x61, 0x63, 0xff, 0xfe, 0x0a])), /former_emails\.csv: not UTF-8/],
    ['an appointment for an account that does not exist', (d) => editCsv(d, 'appointments.csv', (t) => t.replace(/\n([^,\n]+),([^,\n]+),/, '\n$1,nobody,')), /provider_id nobody is not an account/],
  ];
  it.each(cases)('%s: exit 2, file:line, nothing written', async (_name, spoil, message) => {
    const db = emptyMirror();
    const before = snapshot(db);
    const dir = demoCopy();
    spoil(dir);
    const r = await cxIn(['db', 'import', dir], { db });
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/nothing was written/);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(snapshot(db)).toEqual(before);
  });

  it('skips absent files', async () => {
    const db = emptyMirror();
    const dir = join(tempDir(), 'only-accounts');
    mkdirSync(dir);
    cpSync(join(DEMO, 'accounts.csv'), join(dir, 'accounts.csv'));
    const r = await cxIn(['db', 'import', dir, '--json'], { db });
    expect(r.code).toBe(0);
    expect(r.json().skipped).toEqual(['former_emails.csv', 'suppressions.csv', 'appointments.csv', 'progress_notes.csv']);
  });

  it('--dry-run checks everything and writes nothing', async () => {
    const db = emptyMirror();
    const before = snapshot(db);
    const r = await cxIn(['db', 'import', DEMO, '--dry-run', '--json'], { db });
    expect(r.code).toBe(0);
    expect(r.json().files[0].changed).toBeGreaterThan(30);
    expect(snapshot(db)).toEqual(before);
  });
});

describe('opening the mirror', () => {
  it('a folder that does not exist: exit 2', async () => {
    const r = await cxIn(['db', 'doctor'], { db: join(tempDir(), 'missing/folder/m.db') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/folder for the mirror does not exist/);
  });

  it('no mirror yet: exit 2 with the command that makes one', async () => {
    const r = await cxIn(['audit'], { db: join(tempDir(), 'm.db') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cx db init/);
  });

  it('a file that is not a SQLite database: exit 2', async () => {
    const db = join(tempDir(), 'notes.txt');
    writeFileSync(db, 'this is not a database, just text that is long enough to have a header '.repeat(10));
    const r = await cxIn(['db', 'doctor'], { db });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cx: ${db} is not a SQLite database, so not a cx mirror`);
  });

  it('a mirror from a newer cx is refused', async () => {
    const db = emptyMirror();
    const conn = openDb(db);
    conn.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    conn.close();
    const r = await cxIn(['db', 'doctor'], { db });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/newer than this cx knows/);
  });

  it('a read-only mirror refuses a command that writes: exit 2, nothing written', async (ctx) => {
    const db = emptyMirror();
    const before = snapshot(db);
    // The reading connection above may leave an empty -shm behind, owned by root: not what is tested here.
    for (const f of [`${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
    chmodSync(db, 0o444);
    chmodSync(dirname(db), 0o555);
    // File modes do not bind root, so as root the command runs as uid 65534, with a cx (and fixtures) that
    // user can reach (test/helpers/other-user.ts).
    const runner = unprivileged();
    if ('skip' in runner) {
      chmodSync(dirname(db), 0o755);
      return ctx.skip(runner.skip);
    }
    const r = cx(['db', 'import', runner.as ? join(runner.as.root, 'fixtures/demo') : DEMO], { db, ...runner });
    chmodSync(dirname(db), 0o755);
    expect(r.stderr).toMatch(/read-only/);
    expect(r.code).toBe(2);
    expect(snapshot(db)).toEqual(before);
  });

  it('a mirror the user may not read: exit 2 naming it (its first bytes are read before SQLite opens it)', async (ctx) => {
    const db = emptyMirror();
    chmodSync(dirname(db), 0o755);
    chmodSync(db, 0o600); // root's, and uid 65534 runs cx
    const runner = unprivileged();
    if ('skip' in runner) return ctx.skip(runner.skip);
    const r = cx(['lookup', 'jane.doe@gmail.com'], { db, ...runner });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`cx: cannot open the mirror ${db}: permission denied (EACCES)`);
  });
});
