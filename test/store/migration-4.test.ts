// Migration 4 ("audit_accounts") on a mirror made by the previous release (schema version 3), whose read rows
// name their accounts in their detail only ("…: showed 3 accounts: 1001, 1003, 1002"): those rows stay as they
// are and stay searchable by `cx audit --email` as before; rows from then on keep their ids in audit_accounts.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendAudit } from '../../src/store/audit.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/schema.js';
import { query, tempDir } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { openDb } from '../helpers/sqlite.js';

const LEGACY = [
  { action: 'lookup', account_id: null, detail: 'by address: showed 3 accounts: 1001, 1003, 1002' },
  { action: 'outbox', account_id: null, detail: 'the outbox: showed 12 accounts: 1001, 10011 and 10 more' },
  { action: 'lookup', account_id: '1002', detail: 'by address: showed 1 account: 1002' },
  // As the previous release wrote counts after it began writing them for people ("1,012", "and 1,010 more").
  { action: 'outbox', account_id: null, detail: 'the outbox: showed 1,012 accounts: 1003, 10011 and 1,010 more' },
];

function versionThreeMirror(): string {
  const path = join(tempDir(), 'v3.db');
  const db = openDb(path, { encrypt: true }); // the previous release's schema, encrypted as every test mirror
  db.pragma('journal_mode = WAL');
  for (const m of MIGRATIONS.filter((m) => m.version <= 3)) {
    db.exec(m.sql);
    m.after?.(db);
    db.pragma(`user_version = ${m.version}`);
  }
  const account = db.prepare(`INSERT INTO accounts (id, email, email_key, mailbox_key, base_key, email_rev, role, status, created_at)
    VALUES (?, ?, ?, ?, ?, 'x', 'client', 'active', '2024-01-01')`);
  for (const [id, email] of [['1001', 'jane@x.com'], ['1002', 'wei@x.com'], ['1003', 'sam@x.com'], ['10011', 'ten@x.com']]) account.run(id, email, email, email, email);
  for (const row of LEGACY) appendAudit(db, { agent: 'dana', ticket: null, outcome: 'read', ...row }, new Date('2026-11-20T10:00:00.000Z'));
  db.close();
  return path;
}

const search = async (db: string, email: string) => {
  const r = await cxIn(['audit', '--email', email, '--json'], { db });
  expect(r.code, r.stderr).toBe(0);
  return r.json().map((row: { id: number; action: string }) => [row.id, row.action]);
};

describe('migration 4 (audit_accounts)', () => {
  it('keeps the old rows as they are, searchable by the ids their detail lists; new rows keep theirs in audit_accounts', async () => {
    const db = versionThreeMirror();
    const before = query(db, 'SELECT * FROM audit_log ORDER BY id');
    const init = await cxIn(['db', 'init', '--json'], { db });
    expect(init.code, init.stderr).toBe(0);
    expect(init.json()).toMatchObject({ schema_version: SCHEMA_VERSION });
    expect(query(db, 'SELECT * FROM audit_log WHERE id <= 4 ORDER BY id')).toEqual(before);
    expect(query(db, 'SELECT count(*) AS n FROM audit_accounts')[0].n).toBe(0);
    expect(query(db, "SELECT value FROM mirror_meta WHERE key = 'audit_lists_from'")).toEqual([{ value: '5' }]);

    // As before the migration: whole ids of the old lists, never a prefix (1001 is not 10011).
    expect(await search(db, 'jane@x.com')).toEqual([[1, 'lookup'], [2, 'outbox']]);
    // That search showed rows about 1001, 1003, 1002 and 10011 (read from the old details): its own row
    // keeps them, so the next search for 1003 finds it through audit_accounts, and the old row as before.
    const read = query(db, 'SELECT id, detail FROM audit_log ORDER BY id DESC LIMIT 1')[0];
    expect(read.detail).toMatch(/^the log \(about an address\), 2 rows: showed 4 accounts: 1001, 1003, 1002, 10011 \[account ids: 4, sha256 [0-9a-f]{64}\]$/);
    expect(await search(db, 'sam@x.com')).toEqual([[1, 'lookup'], [4, 'outbox'], [read.id, 'audit.read']]);
    // The last id an old list names before "and 10 more" (or "and 1,010 more") is found too (it was not before).
    expect(await search(db, 'ten@x.com')).toEqual([[2, 'outbox'], [4, 'outbox'], [read.id, 'audit.read'], [read.id + 1, 'audit.read']]);

    const doctor = await cxIn(['db', 'doctor', '--strict', '--json'], { db });
    expect(doctor.code, doctor.stdout).toBe(0);
    expect(doctor.json().checks.find((c: { name: string }) => c.name === 'audit_triggers').detail).toMatch(/audit_accounts_no_update/);
    expect((await cxIn(['audit', '--verify', '--json'], { db })).json()).toMatchObject({ ok: true, first_bad_row: null });
  });
});
