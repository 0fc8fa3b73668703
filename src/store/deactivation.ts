// SQL for leaving the platform: a client's deactivation (with its "next steps" email), a provider's contract
// termination, and the deactivated records that retention reports on. Nothing here deletes a row.
import { sql, type Db } from './db.js';
import { UTC_STARTS_AT } from './caseload.js';

/** The former addresses of an account (lookup keys), for checking who asks for a change. */
export function formerEmailKeys(db: Db, accountId: string): string[] {
  const rows = sql<{ email_key: string }>(db, 'SELECT email_key FROM former_emails WHERE account_id = ?').all(accountId);
  return rows.map((r) => r.email_key);
}

export interface Deactivation {
  accountId: string;
  /** YYYY-MM-DD */
  deactivatedAt: string;
  retainUntil: string;
  retentionRule: string;
}

/**
 * Mark an active client deactivated. Returns false (and writes nothing) when the account is no longer an
 * active client, e.g. another agent got there first. Call inside the action's writeTransaction.
 */
export function recordDeactivation(db: Db, d: Deactivation): boolean {
  return (
    sql(
      db,
      `UPDATE accounts SET status = 'deactivated', deactivated_at = @deactivatedAt, retain_until = @retainUntil,
         retention_rule = @retentionRule
       WHERE id = @accountId AND role = 'client' AND status = 'active'`,
    ).run({ accountId: d.accountId, deactivatedAt: d.deactivatedAt, retainUntil: d.retainUntil, retentionRule: d.retentionRule })
      .changes === 1
  );
}

/**
 * Terminate an active provider's contract; false when the account is no longer an active provider (or
 * already has a termination recorded). A `scheduled` termination (effective later) keeps the status
 * active: src/rules/contract.ts turns it into terminated when the day comes.
 */
export function recordTermination(db: Db, providerId: string, effective: string, scheduled = false): boolean {
  return (
    sql(
      db,
      `UPDATE accounts SET status = CASE WHEN @scheduled THEN status ELSE 'terminated' END, contract_ends_at = @effective
       WHERE id = @providerId AND role = 'provider' AND status = 'active' AND contract_ends_at IS NULL`,
    ).run({ providerId, effective, scheduled: scheduled ? 1 : 0 }).changes === 1
  );
}

export interface DeactivatedClient {
  id: string;
  email: string;
  dob: string | null;
  state: string | null;
  created_at: string;
  last_active_at: string | null;
  deactivated_at: string | null;
  retain_until: string | null;
  retention_rule: string | null;
  /** UTC ISO time of the last appointment at or before now; null when none. */
  last_service_at: string | null;
}

/** Every deactivated client, with the last service needed when no retention date was recorded. */
export function deactivatedClients(db: Db, nowIso: string): DeactivatedClient[] {
  return sql<DeactivatedClient>(
    db,
    `SELECT a.id, a.email, a.dob, a.state, a.created_at, a.last_active_at, a.deactivated_at, a.retain_until,
       a.retention_rule,
       (SELECT MAX(${UTC_STARTS_AT}) FROM appointments WHERE client_id = a.id AND ${UTC_STARTS_AT} <= @now) AS last_service_at
     FROM accounts a WHERE a.status = 'deactivated' AND a.role = 'client' ORDER BY a.id`,
  ).all({ now: nowIso });
}
