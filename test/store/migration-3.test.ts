// Migration 3 on a mirror made by the previous release (schema version 2, with pending and delivered changes,
// ledger and audit rows): two indexes on changes that no query needed are gone, nothing else changes, the
// mirror passes the CI gate, and the reads that used them still search an index.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changeKey } from '../../src/rules/change-key.js';
import { appendAudit } from '../../src/store/audit.js';
import { recordChange } from '../../src/store/changes.js';
import { OUTBOX_SQL } from '../../src/store/outbox.js';
import { tableScans } from '../../src/store/query-plan.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/schema.js';
import { tempDir } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { openDb } from '../helpers/sqlite.js';

function versionTwoMirror(): string {
  const path = join(tempDir(), 'v2.db');
  const db = openDb(path, { encrypt: true }); // the previous release's schema, encrypted as every test mirror
  db.pragma('journal_mode = WAL');
  for (const m of MIGRATIONS.filter((m) => m.version <= 2)) {
    db.exec(m.sql);
    m.after?.(db);
    db.pragma(`user_version = ${m.version}`);
  }
  db.exec(`
    INSERT INTO accounts (id, email, email_key, mailbox_key, base_key, email_rev, role, status, email_verified_at, created_at, first_name, last_name, first_key, last_key)
      VALUES ('1001', 'jane.doe@gmail.com', 'jane.doe@gmail.com', 'janedoe@gmail.com', 'janedoe@gmail.com', 'moc.liamg@eod.enaj', 'client', 'active', '2024-01-02', '2024-01-01', 'Jane', 'Doe', 'jane', 'doe'),
             ('1002', 'wei@x.com', 'wei@x.com', 'wei@x.com', 'wei@x.com', 'moc.x@iew', 'client', 'active', '2024-01-02', '2024-01-01', 'Wei', 'Chen', 'wei', 'chen');
    INSERT INTO suppressions VALUES ('old@x.com', 'old@x.com', 'unsubscribe', '2025-01-01T00:00:00Z');
  `);
  const at = (iso: string) => new Date(iso);
  const base = { desk: 'cx', agent: 'dana' };
  recordChange(db, { ...base, kind: 'email', accountId: '1001', ticket: 'T-1', action: 'password_reset', now: at('2026-11-20T10:00:00.000Z'), data: { template: 'client_password_reset', to: 'jane.doe@gmail.com', subject: 'Reset your password' } });
  recordChange(db, { ...base, kind: 'deactivate_client', accountId: '1002', ticket: 'T-2', action: 'deactivate_client', now: at('2026-11-21T10:00:00.000Z'), data: { deactivated_at: '2026-11-21', retain_until: '2033-11-21', retention_rule: 'adult: last service + 7y (default)' } });
  recordChange(db, { ...base, kind: 'lift_suppression', accountId: null, ticket: 'T-3', action: 'resubscribe', now: at('2026-11-22T10:00:00.000Z'), data: { email: 'gone@x.com', reason: 'unsubscribe', forced: false } });
  db.exec(`UPDATE changes SET state = 'delivered', delivered_at = '2026-11-21T10:05:00.000Z', receipt = 'r-1', attempts = 1 WHERE ticket = 'T-2'`);
  for (const [ticket, account, action] of [['T-1', '1001', 'reset'], ['T-2', '1002', 'deactivate'], ['T-3', null, 'resubscribe']] as const) {
    appendAudit(db, { agent: 'dana', action, ticket, account_id: account, outcome: 'done', detail: `${action} done` }, at('2026-11-22T11:00:00.000Z'));
  }
  db.exec(`INSERT INTO processed_tickets (desk, ticket_id, action, account_id, email, outcome, detail, agent, processed_at, via)
    VALUES ('cx', 'T-2', 'deactivate_client', '1002', 'wei@x.com', 'done', 'deactivated', 'dana', '2026-11-21T10:00:00.000Z', 'batch')`);
  db.close();
  return path;
}

/** Everything a migration must carry over, table by table (the changes' generated columns included). */
function contents(path: string): Record<string, unknown[]> {
  const db = openDb(path, { readonly: true });
  try {
    const tables = ['accounts', 'suppressions', 'changes', 'processed_tickets', 'audit_log', 'mirror_meta'];
    return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT *, ${t === 'changes' ? 'template, to_email, ' : ''}rowid AS rid FROM ${t} ORDER BY rowid`).all()]));
  } finally {
    db.close();
  }
}

function indexesOf(path: string, table: string): string[] {
  const db = openDb(path, { readonly: true });
  try {
    return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? ORDER BY name").all(table) as Array<{ name: string }>).map((r) => r.name);
  } finally {
    db.close();
  }
}

describe('migration 3', () => {
  it('drops the two unused email indexes of changes, keeps every row, and the mirror passes cx db doctor --strict', async () => {
    const db = versionTwoMirror();
    const before = contents(db);
    expect(indexesOf(db, 'changes')).toContain('changes_emails_by_account');
    const init = await cxIn(['db', 'init', '--json'], { db });
    expect(init.code, init.stderr).toBe(0);
    expect(init.json()).toMatchObject({ schema_version: SCHEMA_VERSION });
    const conn = openDb(db, { readonly: true });
    expect(conn.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    conn.close();
    // Later migrations add their own facts (migration 4: where audit_accounts begins): nothing else changed.
    const after = contents(db);
    expect({ ...after, mirror_meta: after.mirror_meta!.filter((r) => (r as { key: string }).key !== 'audit_lists_from') }).toEqual(before);
    expect(indexesOf(db, 'changes')).toEqual(['changes_by_account', 'changes_by_ticket', 'changes_queue', 'sqlite_autoindex_changes_1']);
    const outbox = await cxIn(['outbox', '--json'], { db });
    expect(outbox.code, outbox.stderr).toBe(0);
    expect(outbox.json()).toEqual([
      { id: 1, to: 'jane.doe@gmail.com', template: 'client_password_reset', subject: 'Reset your password', account_id: '1001', ticket: 'T-1', created_at: '2026-11-20T10:00:00.000Z', status: 'pending' },
    ]);

    const doctor = await cxIn(['db', 'doctor', '--strict', '--json'], { db });
    expect(doctor.code, doctor.stdout).toBe(0);
    expect(doctor.json().checks.find((c: { name: string }) => c.name === 'schema').detail).toBe(`version ${SCHEMA_VERSION}, current`);
    expect((await cxIn(['audit', '--verify', '--json'], { db })).json()).toMatchObject({ ok: true, first_bad_row: null });
  });

  it('a reset and a deactivation still see the emails queued before, through changes_by_account', async () => {
    const db = versionTwoMirror();
    // Within the 15-minute window: the reset queued before the migration is found, nothing is queued twice.
    const soon = '2026-11-20T10:05:00.000Z';
    const again = await cxIn(['reset', 'jane.doe@gmail.com', '--ticket', 'T-1', '--yes', '--json'], { db, now: soon });
    expect(again.code, again.stderr).toBe(0);
    expect(again.json()).toMatchObject({ outcome: 'already_done', outbox_id: 1 });
    // Later, once the platform sent it, the same ticket sends it on purpose a second time: n = 2, keyed as the contract says.
    const sent = openDb(db);
    sent.prepare(`UPDATE changes SET state = 'delivered', delivered_at = created_at WHERE id = 1`).run();
    sent.close();
    const later = await cxIn(['reset', 'jane.doe@gmail.com', '--ticket', 'T-1', '--yes', '--json'], { db });
    expect(later.code, later.stderr).toBe(0);
    expect(later.json()).toMatchObject({ outcome: 'done', template: 'client_password_reset' });
    // A deactivation queues its next-steps email once: none was ever sent to this account.
    const deactivated = await cxIn(['deactivate', 'jane.doe@gmail.com', '--ticket', 'T-5', '--yes', '--json'], { db });
    expect(deactivated.code, deactivated.stderr).toBe(0);
    const conn = openDb(db, { readonly: true });
    try {
      expect(conn.prepare("SELECT template FROM changes WHERE ticket = 'T-5' AND kind = 'email'").all()).toEqual([{ template: 'client_deactivation_next_steps' }]);
      const key = changeKey({ desk: 'cx', ticket: 'T-1', action: 'password_reset', accountId: '1001', kind: 'email', n: 2 });
      expect(conn.prepare("SELECT id, key, n FROM changes WHERE ticket = 'T-1' ORDER BY id DESC LIMIT 1").get()).toEqual({ id: 4, key, n: 2 });
      // The key stays unique: the same change twice is refused by the table itself.
      expect(() => openDb(db).prepare(`INSERT INTO changes (key, kind, account_id, desk, ticket, action, n, agent, created_at, data)
        SELECT key, kind, account_id, desk, ticket, action, 3, agent, created_at, data FROM changes WHERE id = 4`).run()).toThrow(/UNIQUE constraint failed: changes.key/);
      for (const text of Object.values(OUTBOX_SQL)) {
        expect(tableScans(conn, text), text).toEqual([]);
        const plan = (conn.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...(text.match(/\?/g) ?? []).map(() => null)).map((r: any) => r.detail) as string[]).join('; ');
        expect(plan).toMatch(/SEARCH changes USING INDEX changes_by_account \(account_id=\?\)/);
      }
    } finally {
      conn.close();
    }
  });
});
