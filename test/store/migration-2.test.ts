// Migration 2 on a mirror made by the previous release (schema version 1, with an outbox and batch records):
// every outbox row becomes a pending email change without loss, and the ledger gains its key.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changeKey } from '../../src/rules/change-key.js';
import { MIGRATIONS } from '../../src/store/schema.js';
import { tempDir } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { openDb } from '../helpers/sqlite.js';

const V1 = MIGRATIONS[0]!.sql;

function versionOneMirror(): string {
  const path = join(tempDir(), 'v1.db');
  const db = openDb(path, { encrypt: true }); // the previous release's schema, encrypted as every test mirror
  db.exec(V1);
  db.pragma('user_version = 1');
  db.exec(`
    INSERT INTO accounts (id, email, email_key, mailbox_key, base_key, email_rev, role, status, created_at)
      VALUES ('1001', 'jane.doe@gmail.com', 'jane.doe@gmail.com', 'janedoe@gmail.com', 'janedoe@gmail.com', 'x', 'client', 'active', '2024-01-01'),
             ('1002', 'wei@x.com', 'wei@x.com', 'wei@x.com', 'wei@x.com', 'y', 'client', 'deactivated', '2024-01-01');
    UPDATE accounts SET retain_until = '2033-03-09', retention_rule = 'minor: age 18 on 2030-03-09 + 3y (default)' WHERE id = '1002';
    INSERT INTO outbox (id, to_email, template, subject, account_id, ticket, idempotency_key, created_at, status) VALUES
      (1, 'jane.doe@gmail.com', 'client_password_reset', 'Reset your Headway password', '1001', 'T-1', 'a', '2026-11-01T10:00:00.000Z', 'sent'),
      (2, 'jane.doe@gmail.com', 'client_password_reset', 'Reset your Headway password', '1001', 'T-1', 'b', '2026-11-01T11:00:00.000Z', 'queued'),
      (3, 'wei@x.com', 'client_deactivation_next_steps', 'Next steps', '1002', 'T-2', 'c', '2026-11-02T10:00:00.000Z', 'cancelled');
    INSERT INTO audit_log (at, agent, action, ticket, account_id, outcome, detail, prev_hash, hash)
      VALUES ('2026-11-01T11:00:00.000Z', 'dana', 'reset', 'T-1', '1001', 'done', 'queued', '', 'h');
    INSERT INTO processed_tickets (ticket_id, type, email, outcome, account_id, detail, agent, processed_at) VALUES
      ('N1', 'lookup', '', 'done', NULL, '1 account(s) named Jane Doe born 1990-01-31: 1001', 'dana', '2026-11-01T12:00:00.000Z'),
      ('T-2', 'deactivate_client', 'wei@x.com', 'done', '1002', 'deactivated', 'dana', '2026-11-02T10:00:00.000Z');
  `);
  db.close();
  return path;
}

describe('migration 2', () => {
  it('turns every outbox row into an email change and re-keys the ledger, losing nothing', async () => {
    const db = versionOneMirror();
    // Any command opening the mirror for writing brings it to the current schema.
    const r = await cxIn(['outbox', '--json'], { db });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toEqual([
      { id: 1, to: 'jane.doe@gmail.com', template: 'client_password_reset', subject: 'Reset your Headway password', account_id: '1001', ticket: 'T-1', created_at: '2026-11-01T10:00:00.000Z', status: 'delivered' },
      { id: 2, to: 'jane.doe@gmail.com', template: 'client_password_reset', subject: 'Reset your Headway password', account_id: '1001', ticket: 'T-1', created_at: '2026-11-01T11:00:00.000Z', status: 'pending' },
      { id: 3, to: 'wei@x.com', template: 'client_deactivation_next_steps', subject: 'Next steps', account_id: '1002', ticket: 'T-2', created_at: '2026-11-02T10:00:00.000Z', status: 'failed' },
    ]);
    const conn = openDb(db, { readonly: true });
    try {
      const changes = conn.prepare('SELECT id, key, desk, action, n, agent, last_error FROM changes ORDER BY id').all();
      const key = (ticket: string, action: string, account: string, n: number) => changeKey({ desk: 'cx', ticket, action, accountId: account, kind: 'email', n });
      expect(changes).toEqual([
        { id: 1, key: key('T-1', 'password_reset', '1001', 1), desk: 'cx', action: 'password_reset', n: 1, agent: 'unknown', last_error: null },
        { id: 2, key: key('T-1', 'password_reset', '1001', 2), desk: 'cx', action: 'password_reset', n: 2, agent: 'dana', last_error: null },
        { id: 3, key: key('T-2', 'deactivate_client', '1002', 1), desk: 'cx', action: 'deactivate_client', n: 1, agent: 'unknown', last_error: 'cancelled in the outbox before cx sync existed' },
      ]);
      expect(conn.prepare('SELECT desk, ticket_id, action, account_id, detail, via FROM processed_tickets ORDER BY ticket_id').all()).toEqual([
        { desk: 'cx', ticket_id: 'N1', action: 'lookup', account_id: '', detail: '1 account(s) named Jane Doe: 1001', via: 'batch' },
        { desk: 'cx', ticket_id: 'T-2', action: 'deactivate_client', account_id: '1002', detail: 'deactivated', via: 'batch' },
      ]);
      expect(conn.prepare("SELECT retention_rule FROM accounts WHERE id = '1002'").get()).toEqual({ retention_rule: 'minor: age 18 + 3y (default)' });
      expect(conn.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(conn.pragma('foreign_key_check')).toEqual([]);
    } finally {
      conn.close();
    }
    // A new change numbers on from the migrated ones.
    const again = await cxIn(['reset', 'jane.doe@gmail.com', '--ticket', 'T-1', '--yes', '--json'], { db });
    expect(again.code, again.stderr).toBe(0);
    const last = openDb(db, { readonly: true });
    expect(last.prepare('SELECT n FROM changes ORDER BY id DESC LIMIT 1').get()).toEqual({ n: 3 });
    last.close();
  });
});
