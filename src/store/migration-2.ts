// Migration 2's steps that SQL alone cannot do: every outbox row becomes a pending email change with its
// key (a SHA-256), and the ticket ledger gains the help desk, the action and the account as its key. Old
// rows come from the default desk (`cx`): before this migration cx did not know a ticket's help desk.
// Minimum necessary: a batch lookup by name recorded the date of birth typed in its detail, and a recorded
// minor retention rule named the birthday; both are dropped here (the audit log, append-only, keeps what
// it has). Runs inside the migration's transaction.
import { changeKey } from '../rules/change-key.js';
import { DEFAULT_DESK } from '../rules/tickets.js';
import type { Db } from './db.js';

interface OldOutboxRow {
  id: number;
  to_email: string;
  template: string;
  subject: string;
  account_id: string | null;
  ticket: string;
  created_at: string;
  status: 'queued' | 'sent' | 'failed' | 'cancelled';
}

interface OldProcessedTicket {
  ticket_id: string;
  type: string;
  email: string;
  outcome: string;
  account_id: string | null;
  detail: string;
  agent: string;
  processed_at: string;
}

/** The ticket action an old email came from, by its template. */
function actionOfTemplate(template: string): string {
  return template === 'client_deactivation_next_steps' ? 'deactivate_client' : 'password_reset';
}

const STATE = { queued: 'pending', sent: 'delivered', failed: 'failed', cancelled: 'failed' } as const;

export function moveOutboxIntoChanges(db: Db): void {
  const agentOf = db.prepare<unknown[], { agent: string }>(
    `SELECT agent FROM audit_log WHERE at = @at AND ticket IS @ticket AND account_id IS @account ORDER BY id LIMIT 1`,
  );
  const insert = db.prepare(
    `INSERT INTO changes (id, key, kind, account_id, desk, ticket, action, n, agent, created_at, data, state, last_error, delivered_at)
     VALUES (@id, @key, 'email', @account_id, @desk, @ticket, @action, @n, @agent, @created_at, @data, @state, @last_error, @delivered_at)`,
  );
  const seen = new Map<string, number>();
  for (const row of db.prepare<unknown[], OldOutboxRow>('SELECT * FROM outbox ORDER BY id').all()) {
    const action = actionOfTemplate(row.template);
    const identity = `${row.ticket}|${action}|${row.account_id ?? ''}`;
    const n = (seen.get(identity) ?? 0) + 1;
    seen.set(identity, n);
    const agent = agentOf.get({ at: row.created_at, ticket: row.ticket, account: row.account_id })?.agent;
    insert.run({
      id: row.id,
      key: changeKey({ desk: DEFAULT_DESK, ticket: row.ticket, action, accountId: row.account_id, kind: 'email', n }),
      account_id: row.account_id,
      desk: DEFAULT_DESK,
      ticket: row.ticket,
      action,
      n,
      agent: agent ?? 'unknown',
      created_at: row.created_at,
      data: JSON.stringify({ template: row.template, to: row.to_email, subject: row.subject }),
      state: STATE[row.status],
      last_error: row.status === 'cancelled' ? 'cancelled in the outbox before cx sync existed' : row.status === 'failed' ? 'failed before cx sync existed' : null,
      delivered_at: row.status === 'sent' ? row.created_at : null,
    });
  }
  db.exec(`
DROP TABLE outbox;
-- The emails among the pending changes, with the columns the outbox had; status is the change's state.
CREATE VIEW outbox AS
  SELECT id, to_email, template, json_extract(data, '$.subject') AS subject, account_id, ticket,
         key AS idempotency_key, created_at, state AS status
  FROM changes WHERE kind = 'email';`);

  const record = db.prepare(
    `INSERT INTO processed_tickets_v2 (desk, ticket_id, action, account_id, email, outcome, detail, agent, processed_at, via)
     VALUES (@desk, @ticket_id, @action, @account_id, @email, @outcome, @detail, @agent, @processed_at, 'batch')`,
  );
  for (const row of db.prepare<unknown[], OldProcessedTicket>('SELECT * FROM processed_tickets ORDER BY rowid').all()) {
    record.run({
      desk: DEFAULT_DESK,
      ticket_id: row.ticket_id,
      action: row.type,
      account_id: row.account_id ?? '',
      email: row.email,
      outcome: row.outcome,
      detail: row.detail.replace(/ born \d{4}-\d{2}-\d{2}/g, ''),
      agent: row.agent,
      processed_at: row.processed_at,
    });
  }
  db.exec('DROP TABLE processed_tickets; ALTER TABLE processed_tickets_v2 RENAME TO processed_tickets;');

  // A recorded minor rule named the birthday ('minor: age 18 on 2030-03-09 + 3y'): it names the age now.
  const rules = db.prepare<unknown[], { id: string; retention_rule: string }>("SELECT id, retention_rule FROM accounts WHERE retention_rule LIKE 'minor: age % on %'").all();
  const rename = db.prepare('UPDATE accounts SET retention_rule = ? WHERE id = ?');
  for (const r of rules) rename.run(r.retention_rule.replace(/^minor: age (\d+) on \d{4}-\d{2}-\d{2} \+/, 'minor: age $1 +'), r.id);
}
