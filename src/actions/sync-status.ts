// What `cx sync status` and `cx sync push --dry-run` read from the mirror: no platform settings needed.
import { countAuditAfter, readAnchor } from '../store/audit-anchor.js';
import type { Db } from '../store/db.js';
import { countByState, countHeldBehindFailures, failedChanges, oldestPendingAt, pendingChanges, type PlannedChange } from '../store/sync-queue.js';

/** `cx sync status --json` (docs/reference.md#json-of-cx-sync-status). */
export interface SyncStatus {
  pending: number;
  delivered: number;
  failed: number;
  oldest_pending_at: string | null;
  failures: Array<{ key: string; kind: string; account_id: string | null; ticket: string; error: string | null; attempts: number }>;
  audit: { anchored_id: number | null; unanchored_rows: number };
  /** Pending changes that wait behind a failed change of the same account (sent after `cx sync retry`). */
  held_back: number;
}

export function syncStatus(db: Db): SyncStatus {
  const counts = countByState(db);
  return {
    ...counts,
    oldest_pending_at: oldestPendingAt(db),
    failures: failedChanges(db).map(({ key, kind, account_id, ticket, error, attempts }) => ({ key, kind, account_id, ticket, error, attempts })),
    audit: auditShipping(db),
    held_back: counts.pending ? countHeldBehindFailures(db) : 0,
  };
}

/** How far the audit log has reached the platform: the last row it anchored, and the rows after it. */
export function auditShipping(db: Db): SyncStatus['audit'] {
  const anchor = readAnchor(db);
  return { anchored_id: anchor?.anchored_id ?? null, unanchored_rows: countAuditAfter(db, anchor?.anchored_id ?? 0) };
}

/** Changes waiting to be sent (a push's progress bar starts from these). */
export function pendingCount(db: Db): number {
  return countByState(db).pending;
}

export type Would = 'send' | 'wait' | 'held' | 'leased';

export interface PlannedSend extends Pick<PlannedChange, 'key' | 'kind' | 'account_id' | 'ticket' | 'created_at' | 'attempts'> {
  /** send now (or right after the account's earlier change), wait for its next attempt time, held behind a failed change, or leased by a push running now. */
  would: Would;
  not_before: string | null;
  held_by: string | null;
}

/** The pending changes, oldest first, and what a push started now would do with each. */
export function pushPlan(db: Db, nowIso: string): PlannedSend[] {
  return pendingChanges(db).map((c) => {
    const would: Would = c.held_by ? 'held' : c.lease_until && c.lease_until > nowIso ? 'leased' : c.next_attempt_at && c.next_attempt_at > nowIso ? 'wait' : 'send';
    return {
      key: c.key, kind: c.kind, account_id: c.account_id, ticket: c.ticket, created_at: c.created_at, attempts: c.attempts, would,
      not_before: would === 'wait' ? c.next_attempt_at : null, held_by: c.held_by,
    };
  });
}
