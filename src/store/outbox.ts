// The outbox: the emails among the pending changes (store/changes.ts). Every email an action asks for is
// a change recorded inside the action's own write transaction; `cx sync push` delivers it to the platform,
// whose mail service mints any token or link itself: cx never holds one. An email's status is its
// change's delivery state.
import { CHANGE_STATES, recordChange, type ChangeState } from './changes.js';
import { sql, type Db } from './db.js';

export const OUTBOX_STATUSES = CHANGE_STATES;
export type OutboxStatus = ChangeState;

/** A row as `cx outbox --json` shows it (docs/reference.md#json-of-cx-outbox): the id, a number, is the change's. */
export interface OutboxRow {
  id: number;
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
  desk: string;
  ticket: string;
  /** The ticket action that asks for the email (password_reset, deactivate_client). */
  action: string;
  agent: string;
  now: Date;
}

const COLUMNS = `id, to_email AS "to", template, json_extract(data, '$.subject') AS subject, account_id, ticket, created_at,
  state AS status`;

/**
 * The reads an action makes before queuing an email (a reset, a deactivation's next steps): batch's hot
 * path. Named so that test/store/migration-3.test.ts can check that they search an account's changes
 * through changes_by_account (an account has a handful), never a scan.
 */
export const OUTBOX_SQL = {
  recent: `SELECT ${COLUMNS} FROM changes
     WHERE kind = 'email' AND account_id = ? AND template = ? AND (state = 'pending' OR (state = 'delivered' AND created_at >= ?))
     ORDER BY created_at DESC, id DESC LIMIT 1`,
  everEmailed: `SELECT 1 AS yes FROM changes WHERE kind = 'email' AND account_id = ? AND template = ? LIMIT 1`,
  pending: `SELECT ${COLUMNS} FROM changes WHERE kind = 'email' AND account_id = ? AND state = 'pending'
     ORDER BY created_at DESC, id DESC LIMIT 1`,
} as const;

/** Queue one email; call inside the change's writeTransaction. */
export function enqueueEmail(db: Db, email: NewEmail): OutboxRow {
  const change = recordChange(db, {
    kind: 'email',
    accountId: email.accountId,
    desk: email.desk,
    ticket: email.ticket,
    action: email.action,
    agent: email.agent,
    now: email.now,
    data: { template: email.template, to: email.to, subject: email.subject },
  });
  // The row as emailById reads it, from the change just inserted (no second read on a batch's hot path).
  return { id: change.id, to: email.to, template: email.template, subject: email.subject, account_id: change.account_id, ticket: change.ticket, created_at: change.created_at, status: change.state };
}

export function emailById(db: Db, id: number): OutboxRow | undefined {
  return sql<OutboxRow>(db, `SELECT ${COLUMNS} FROM changes WHERE id = ? AND kind = 'email'`).get(id);
}

/**
 * The latest email of this template for this account that no push has sent yet (however old), or that was
 * queued at or after `since` and delivered. A failed one does not count: asking again is then the right thing to do.
 */
export function recentEmail(db: Db, accountId: string, template: string, since: Date): OutboxRow | undefined {
  return sql<OutboxRow>(db, OUTBOX_SQL.recent).get(accountId, template, since.toISOString());
}

/** The latest email queued for this account that no push has delivered yet (a lookup says so). */
export function pendingEmailOf(db: Db, accountId: string): OutboxRow | undefined {
  return sql<OutboxRow>(db, OUTBOX_SQL.pending).get(accountId);
}

/** Whether this account was ever sent an email of this template (any state). */
export function everEmailed(db: Db, accountId: string, template: string): boolean {
  const row = sql(db, OUTBOX_SQL.everEmailed).get(accountId, template);
  return row !== undefined;
}

export interface OutboxFilter {
  status?: OutboxStatus;
  /** Rows sent to this address key, or about one of these accounts. */
  emailKey?: string;
  accountIds?: string[];
  ticket?: string;
  /** Queued at or after this date or time. */
  since?: string;
}

/** Rows in the order they were queued; with a limit, the latest `limit` of them (still oldest first). */
export function listOutbox(db: Db, filter: OutboxFilter = {}, limit?: number): OutboxRow[] {
  const { where, params } = outboxWhere(filter);
  const latest = limit === undefined ? '' : `ORDER BY id DESC LIMIT ${Math.max(1, Math.floor(limit))}`;
  return sql<OutboxRow>(db, `SELECT * FROM (SELECT ${COLUMNS} FROM changes WHERE ${where} ${latest}) ORDER BY id`).all(params);
}

/** How many rows the filter matches (for "showing 200 of 1,234"). */
export function countOutbox(db: Db, filter: OutboxFilter = {}): number {
  const { where, params } = outboxWhere(filter);
  return sql<{ n: number }>(db, `SELECT count(*) AS n FROM changes WHERE ${where}`).get(params)!.n;
}

function outboxWhere(filter: OutboxFilter): { where: string; params: Record<string, unknown> } {
  const where: string[] = [`kind = 'email'`];
  const params: Record<string, unknown> = {};
  if (filter.status) {
    where.push('state = @status');
    params.status = filter.status;
  }
  if (filter.ticket) {
    where.push('ticket = @ticket');
    params.ticket = filter.ticket;
  }
  if (filter.since) {
    where.push('created_at >= @since');
    params.since = filter.since;
  }
  if (filter.emailKey !== undefined) {
    // By the address written on the row (any ASCII case), or by the account it was about.
    where.push(`(lower(to_email) = @emailKey OR account_id IN (SELECT value FROM json_each(@accounts)))`);
    params.emailKey = filter.emailKey;
    params.accounts = JSON.stringify(filter.accountIds ?? []);
  }
  return { where: where.join(' AND '), params };
}
