// Pending changes (docs/reference.md#cx-sync): every change cx makes (an email to send, a client
// deactivation, a provider termination, an address taken off the suppression list) is a row here, written
// in the same transaction as the change and its audit row. `cx sync push` delivers them; the outbox is the
// email ones (store/outbox.ts).
import { changeKey, type ChangeKind } from '../rules/change-key.js';
import { isoTime } from '../rules/dates.js';
import { sql, type Db } from './db.js';

export type { ChangeKind };
export const CHANGE_STATES = ['pending', 'delivered', 'failed'] as const;
export type ChangeState = (typeof CHANGE_STATES)[number];

/** What the platform receives as `data`, by kind (never a token or a link: the platform makes those). */
export interface ChangeData {
  email: { template: string; to: string; subject: string };
  deactivate_client: { deactivated_at: string; retain_until: string; retention_rule: string };
  terminate_provider: { effective: string };
  lift_suppression: { email: string; reason: string; forced: boolean };
}

export interface NewChange<K extends ChangeKind = ChangeKind> {
  kind: K;
  accountId: string | null;
  desk: string;
  ticket: string;
  /** The ticket action (batch type) that makes it. */
  action: string;
  agent: string;
  now: Date;
  data: ChangeData[K];
}

/** A row of the changes table; `data` is the JSON text sent as the request's `data`. */
export interface ChangeRow {
  id: number;
  key: string;
  kind: ChangeKind;
  account_id: string | null;
  desk: string;
  ticket: string;
  action: string;
  n: number;
  agent: string;
  created_at: string;
  data: string;
  state: ChangeState;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  receipt: string | null;
  delivered_at: string | null;
}

const ROW = `id, key, kind, account_id, desk, ticket, action, n, agent, created_at, data, state, attempts,
  next_attempt_at, last_error, receipt, delivered_at`;

/**
 * Record a change; call inside the change's write transaction. Its `n` is one more than the changes of the
 * same desk, ticket, action, account and kind already recorded, which makes a deliberate repeat a new key.
 */
export function recordChange<K extends ChangeKind>(db: Db, c: NewChange<K>): ChangeRow {
  const { same } = sql<{ same: number }>(
    db,
    `SELECT count(*) AS same FROM changes
     WHERE ticket = @ticket AND desk = @desk AND action = @action AND account_id IS @accountId AND kind = @kind`,
  ).get({ ticket: c.ticket, desk: c.desk, action: c.action, accountId: c.accountId, kind: c.kind })!;
  const n = same + 1;
  const key = changeKey({ desk: c.desk, ticket: c.ticket, action: c.action, accountId: c.accountId, kind: c.kind, n });
  const row = {
    key,
    kind: c.kind,
    account_id: c.accountId,
    desk: c.desk,
    ticket: c.ticket,
    action: c.action,
    n,
    agent: c.agent,
    created_at: isoTime(c.now),
    data: JSON.stringify(c.data),
  };
  const { lastInsertRowid } = sql(
    db,
    `INSERT INTO changes (key, kind, account_id, desk, ticket, action, n, agent, created_at, data)
     VALUES (@key, @kind, @account_id, @desk, @ticket, @action, @n, @agent, @created_at, @data)`,
  ).run(row);
  // The new row as the table holds it: its defaults (schema.ts, migration 2) filled in here rather than
  // read back with RETURNING, which cost a third of the insert on a batch's hot path.
  return { id: Number(lastInsertRowid), ...row, state: 'pending', attempts: 0, next_attempt_at: null, last_error: null, receipt: null, delivered_at: null };
}

/** The id of the last change recorded (0: none): a run counts its own as the ones after it. */
export function lastChangeId(db: Db): number {
  return sql<{ id: number | null }>(db, 'SELECT max(id) AS id FROM changes').get()!.id ?? 0;
}

/** Pending changes recorded after `afterId` by this agent for this help desk (a batch's own, lastChangeId before it). */
export function countPendingAfter(db: Db, afterId: number, by: { agent: string; desk: string }): number {
  return sql<{ n: number }>(db, "SELECT count(*) AS n FROM changes WHERE id > ? AND state = 'pending' AND agent = ? AND desk = ?").get(afterId, by.agent, by.desk)!.n;
}

export function changeByKey(db: Db, key: string): ChangeRow | undefined {
  return sql<ChangeRow>(db, `SELECT ${ROW} FROM changes WHERE key = ?`).get(key);
}

/** The changes of one account, oldest first (lookup and the import rules read them). */
export function changesOfAccount(db: Db, accountId: string): ChangeRow[] {
  return sql<ChangeRow>(db, `SELECT ${ROW} FROM changes WHERE account_id = ? ORDER BY id`).all(accountId);
}
