// The outbox: every email an action asks for is a row here, written inside the action's own write
// transaction. The platform's mail service drains it and mints any token or link itself: cx never holds one.
import { sql, type Db } from './db.js';

export const OUTBOX_STATUSES = ['queued', 'sent', 'failed', 'cancelled'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** A row as `cx outbox --json` shows it (CONTRACTS.md); the id is an opaque string. */
export interface OutboxRow {
  id: string;
  to: string;
  template: string;
  subject: string;
  account_id: string | null;
  ticket: string;
  created_at: string;
  status: OutboxStatus;
}

export interface NewEmail {
  to: string;
  template: string;
  subject: string;
  accountId: string | null;
  ticket: string;
  /** Unique per email asked for: a second enqueue with the same key queues nothing. */
  idempotencyKey: string;
  now: Date;
}

const COLUMNS = `CAST(id AS TEXT) AS id, to_email AS "to", template, subject, account_id, ticket, created_at, status`;

/**
 * Queue one email. Call inside the change's writeTransaction. When the idempotency key was used before,
 * nothing is inserted and the earlier row comes back with `queued: false`.
 */
export function enqueueEmail(db: Db, email: NewEmail): { queued: boolean; row: OutboxRow } {
  const info = sql(
    db,
    `INSERT INTO outbox (to_email, template, subject, account_id, ticket, idempotency_key, created_at, status)
     VALUES (@to, @template, @subject, @accountId, @ticket, @idempotencyKey, @createdAt, 'queued')
     ON CONFLICT (idempotency_key) DO NOTHING`,
  ).run({
    to: email.to,
    template: email.template,
    subject: email.subject,
    accountId: email.accountId,
    ticket: email.ticket,
    idempotencyKey: email.idempotencyKey,
    createdAt: email.now.toISOString(),
  });
  const row = sql(db, `SELECT ${COLUMNS} FROM outbox WHERE idempotency_key = ?`).get(email.idempotencyKey) as OutboxRow;
  return { queued: info.changes === 1, row };
}

/**
 * The latest email of this template for this account queued (or already sent) at or after `since`.
 * A failed or cancelled one does not count: asking again is then the right thing to do.
 */
export function recentEmail(db: Db, accountId: string, template: string, since: Date): OutboxRow | undefined {
  return sql(
    db,
    `SELECT ${COLUMNS} FROM outbox
     WHERE account_id = ? AND template = ? AND created_at >= ? AND status IN ('queued', 'sent')
     ORDER BY created_at DESC, id DESC LIMIT 1`,
  ).get(accountId, template, since.toISOString()) as OutboxRow | undefined;
}

/** The id of the last email of this template for this account, whatever its status (null: none yet). */
export function lastEmailId(db: Db, accountId: string, template: string): string | null {
  const row = sql(db, 'SELECT CAST(max(id) AS TEXT) AS id FROM outbox WHERE account_id = ? AND template = ?').get(accountId, template) as
    | { id: string | null }
    | undefined;
  return row?.id ?? null;
}

export interface OutboxFilter {
  status?: OutboxStatus;
  /** Rows sent to this address key, or about one of these accounts. */
  emailKey?: string;
  accountIds?: string[];
  ticket?: string;
}

/** Rows in the order they were queued. */
export function listOutbox(db: Db, filter: OutboxFilter = {}): OutboxRow[] {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.status) {
    where.push('status = @status');
    params.status = filter.status;
  }
  if (filter.ticket) {
    where.push('ticket = @ticket');
    params.ticket = filter.ticket;
  }
  if (filter.emailKey !== undefined) {
    // By the address written on the row (any ASCII case), or by the account it was about.
    where.push(`(lower(to_email) = @emailKey OR account_id IN (SELECT value FROM json_each(@accounts)))`);
    params.emailKey = filter.emailKey;
    params.accounts = JSON.stringify(filter.accountIds ?? []);
  }
  const text = `SELECT ${COLUMNS} FROM outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
  return sql(db, text).all(params) as OutboxRow[];
}
