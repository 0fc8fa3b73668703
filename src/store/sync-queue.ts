// The delivery queue over the pending changes (store/changes.ts): claims under the write lock with a lease,
// delivery outcomes, counts and failures. A change is claimable when it is pending, due, not leased by a
// live push, and the first change of its account not yet delivered: so one account's changes go in the
// order they were made, one at a time, across every push on this mirror; and a failed change holds back
// the later changes of its account until `cx sync retry`. Every function here is one short transaction
// or a read.
import { appendAudit, appendAuditRows, type AuditEntry } from './audit.js';
import type { ChangeRow } from './changes.js';
import { sql, writeTransaction, type Db } from './db.js';

export type ClaimedChange = ChangeRow & { lease_until: string };

const COLUMNS = `id, key, kind, account_id, desk, ticket, action, n, agent, created_at, data, state, attempts,
  next_attempt_at, last_error, receipt, delivered_at, lease_owner, lease_until`;

/** Who holds leases on pending changes (a push running now, or one that died). */
export function leaseOwners(db: Db): string[] {
  return sql<{ owner: string }>(db, `SELECT DISTINCT lease_owner AS owner FROM changes WHERE state = 'pending' AND lease_owner IS NOT NULL`).all().map((o) => o.owner);
}

/** Give up the leases of these holders (gone: kill -9 leaves no one to release them). */
export function releaseLeasesOf(db: Db, owners: readonly string[]): number {
  if (owners.length === 0) return 0;
  return writeTransaction(db, () => {
    let released = 0;
    for (const owner of owners) {
      released += sql(db, `UPDATE changes SET lease_owner = NULL, lease_until = NULL WHERE state = 'pending' AND lease_owner = ?`).run(owner).changes;
    }
    return released;
  });
}

const CLAIMABLE = `
  c.state = 'pending'
  AND (c.next_attempt_at IS NULL OR c.next_attempt_at <= @now)
  AND (c.lease_until IS NULL OR c.lease_until <= @now)
  AND (c.account_id IS NULL OR NOT EXISTS (
    SELECT 1 FROM changes e WHERE e.account_id = c.account_id AND e.id < c.id AND e.state <> 'delivered'))`;
const CLAIM = `UPDATE changes SET lease_owner = @owner, lease_until = @leaseUntil
  WHERE id IN (SELECT c.id FROM changes c WHERE ${CLAIMABLE} ORDER BY c.id LIMIT @limit)
  RETURNING ${COLUMNS}`;

/** Claim up to `limit` changes, oldest first, for `owner` until `leaseUntil` (ISO times, real clock). */
export function claimChanges(db: Db, owner: string, now: string, leaseUntil: string, limit: number): ClaimedChange[] {
  return writeTransaction(db, () => {
    const rows = sql<ClaimedChange>(db, CLAIM).all({ owner, now, leaseUntil, limit });
    return rows.sort((a, b) => a.id - b.id);
  });
}

/** What a push learned about one change it holds; `final` outcomes end its lease and are audited. */
export type Outcome =
  | { kind: 'delivered'; id: number; attempts: number; receipt: string | null; audit: AuditEntry }
  | { kind: 'failed'; id: number; attempts: number; error: string; audit: AuditEntry }
  /** Not delivered in this run: pending again, not before `nextAttemptAt`. */
  | { kind: 'deferred'; id: number; attempts: number; error: string; nextAttemptAt: string; audit: AuditEntry }
  /** A failed attempt that this run retries after a short wait: counted, lease held until `leaseUntil`. */
  | { kind: 'waiting'; id: number; attempts: number; error: string; nextAttemptAt: string; leaseUntil: string }
  /** Given back unsent (or with its answer unknown): pending as it was. */
  | { kind: 'released'; id: number };

/**
 * Record outcomes in one transaction, each with its audit row. Returns the ids recorded.
 *
 * An outcome can arrive late: after another push took the change over (this push's lease had run out while
 * the outcome waited to be written). What the platform said still happened, so:
 * - a delivery is recorded all the same (the change is delivered, whoever holds it: the platform applied
 *   it, and the other push's own attempt is answered 409 and finds it delivered); once a change is
 *   delivered, a second delivery of it writes nothing (one `sync.delivered` row per change);
 * - any other outcome (failed, left for later) leaves the change to the push that holds it now: its state
 *   is not touched, and the audit row is written saying so, since the request was made.
 */
export function recordOutcomes(db: Db, owner: string, outcomes: readonly Outcome[], now: Date): number[] {
  if (outcomes.length === 0) return [];
  return writeTransaction(db, () => {
    const recorded: number[] = [];
    const audited: AuditEntry[] = [];
    for (const o of outcomes) {
      const applied = applyOutcome(db, owner, o, now);
      if (applied === 'mine' || applied === 'late') recorded.push(o.id);
      if (!('audit' in o) || applied === 'settled') continue;
      audited.push(applied === 'mine' ? o.audit : { ...o.audit, detail: `${o.audit.detail}; ${LATE[applied]}` });
    }
    appendAuditRows(db, audited, now);
    return recorded;
  });
}

/** What an outcome did: recorded under this push's lease, recorded late, left to the push holding it, nothing. */
type Applied = 'mine' | 'late' | 'left' | 'settled';
const LATE = {
  late: 'recorded late: another push had taken this change over',
  left: 'not recorded: another push had taken this change over, and its state is left to that push',
};

const MINE = `WHERE id = @id AND lease_owner = @owner AND state = 'pending'`;
const SET_DELIVERED = `UPDATE changes SET state = 'delivered', attempts = @attempts, receipt = @receipt, delivered_at = @at, last_error = NULL,
  next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL ${MINE}`;
/** A delivery that arrived late (see recordOutcomes): whoever holds the change, unless it is delivered already. */
const SET_DELIVERED_LATE = `UPDATE changes SET state = 'delivered', attempts = max(attempts, @attempts), receipt = @receipt, delivered_at = @at,
  last_error = NULL, next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL WHERE id = @id AND state <> 'delivered'`;
const SET_FAILED = `UPDATE changes SET state = 'failed', attempts = @attempts, last_error = @error, next_attempt_at = NULL,
  lease_owner = NULL, lease_until = NULL ${MINE}`;
const SET_DEFERRED = `UPDATE changes SET attempts = @attempts, last_error = @error, next_attempt_at = @next, lease_owner = NULL, lease_until = NULL ${MINE}`;
/** A lease is never shortened: a renewal (renewLeases) may have been written first. */
const SET_WAITING = `UPDATE changes SET attempts = @attempts, last_error = @error, next_attempt_at = @next, lease_until = max(lease_until, @leaseUntil) ${MINE}`;
const SET_RELEASED = `UPDATE changes SET lease_owner = NULL, lease_until = NULL ${MINE}`;

function applyOutcome(db: Db, owner: string, o: Outcome, now: Date): Applied {
  if (applyMine(db, owner, o, now) > 0) return 'mine';
  switch (o.kind) {
    case 'delivered':
      return sql(db, SET_DELIVERED_LATE).run({ id: o.id, attempts: o.attempts, receipt: o.receipt, at: now.toISOString() }).changes > 0 ? 'late' : 'settled';
    case 'failed':
    case 'deferred':
      return 'left';
    default:
      return 'settled';
  }
}

/** The outcome applied under this push's lease: how many rows (0 when the change is no longer its own). */
function applyMine(db: Db, owner: string, o: Outcome, now: Date): number {
  switch (o.kind) {
    case 'delivered':
      return sql(db, SET_DELIVERED).run({ id: o.id, owner, attempts: o.attempts, receipt: o.receipt, at: now.toISOString() }).changes;
    case 'failed':
      return sql(db, SET_FAILED).run({ id: o.id, owner, attempts: o.attempts, error: o.error }).changes;
    case 'deferred':
      return sql(db, SET_DEFERRED).run({ id: o.id, owner, attempts: o.attempts, error: o.error, next: o.nextAttemptAt }).changes;
    case 'waiting':
      return sql(db, SET_WAITING).run({ id: o.id, owner, attempts: o.attempts, error: o.error, next: o.nextAttemptAt, leaseUntil: o.leaseUntil }).changes;
    case 'released':
      return sql(db, SET_RELEASED).run({ id: o.id, owner }).changes;
  }
}

/** Record outcomes, then claim the next changes, in one short transaction (one commit instead of two). */
export function recordAndClaim(db: Db, owner: string, outcomes: readonly Outcome[], now: Date, claim: { now: string; leaseUntil: string; limit: number }): ClaimedChange[] {
  return writeTransaction(db, () => {
    recordOutcomes(db, owner, outcomes, now);
    return claim.limit > 0 ? claimChanges(db, owner, claim.now, claim.leaseUntil, claim.limit) : [];
  });
}

/**
 * Extend this push's leases on changes it is about to send (deliver.ts: an exchange starts only while its
 * lease outlasts it); returns the ids still held. A change another push took over in the meantime is not
 * among them: it is that push's to send.
 */
export function renewLeases(db: Db, owner: string, ids: readonly number[], leaseUntil: string): number[] {
  return writeTransaction(db, () => {
    const held: number[] = [];
    const renew = sql(db, `UPDATE changes SET lease_until = max(lease_until, @leaseUntil) ${MINE}`);
    for (const id of ids) if (renew.run({ id, owner, leaseUntil }).changes > 0) held.push(id);
    return held;
  });
}

/** What a push leaves behind, counted in one statement (one snapshot: the counts agree with each other). */
export interface LeftBehind {
  pending: number;
  /**
   * Of those, the ones pushes running now hold (`owners`, with leases still running at `now`), and the later
   * changes of the same accounts, which wait for those: that push's to send, not counted against another
   * run's exit code.
   */
  heldElsewhere: number;
  /** Of those, the ones any push could claim now (another push delivered the change before them meanwhile). */
  claimable: number;
}

/**
 * The counts, with the holders read in the same snapshot (a push that claims meanwhile is either among the
 * holders with its leases, or neither): `running` says which holders are pushes still running.
 */
export function leftBehind(db: Db, running: (owner: string) => boolean, now: string): LeftBehind {
  db.exec('BEGIN');
  try {
    const left = countLeftBehind(db, leaseOwners(db).filter(running), now);
    db.exec('COMMIT');
    return left;
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}

function countLeftBehind(db: Db, owners: readonly string[], now: string): LeftBehind {
  return sql<LeftBehind>(
    db,
    `SELECT (SELECT count(*) FROM changes WHERE state = 'pending') AS pending,
       (SELECT count(*) FROM changes c WHERE c.state = 'pending' AND (
         (c.lease_owner IN (SELECT value FROM json_each(@owners)) AND c.lease_until > @now)
         OR (c.account_id IS NOT NULL AND EXISTS (
           SELECT 1 FROM changes e WHERE e.account_id = c.account_id AND e.id < c.id AND e.state = 'pending'
             AND e.lease_owner IN (SELECT value FROM json_each(@owners)) AND e.lease_until > @now)))) AS heldElsewhere,
       (SELECT count(*) FROM changes c WHERE ${CLAIMABLE}) AS claimable`,
  ).get({ owners: JSON.stringify(owners), now })!;
}

/** Give back every change this push still holds (the end of a run, however it ended). */
export function releaseLeases(db: Db, owner: string): number {
  return writeTransaction(db, () =>
    sql(db, `UPDATE changes SET lease_owner = NULL, lease_until = NULL WHERE state = 'pending' AND lease_owner = ?`).run(owner).changes,
  );
}

export interface StateCounts {
  pending: number;
  delivered: number;
  failed: number;
}

export function countByState(db: Db): StateCounts {
  const counts: StateCounts = { pending: 0, delivered: 0, failed: 0 };
  for (const r of sql<{ state: keyof StateCounts; n: number }>(db, 'SELECT state, count(*) AS n FROM changes GROUP BY state').all()) {
    counts[r.state] = r.n;
  }
  return counts;
}

export function oldestPendingAt(db: Db): string | null {
  const row = sql<{ created_at: string }>(db, `SELECT created_at FROM changes WHERE state = 'pending' ORDER BY id LIMIT 1`).get();
  return row?.created_at ?? null;
}

/** Pending changes held back by a failed earlier change of the same account. */
export function countHeldBehindFailures(db: Db): number {
  return sql<{ n: number }>(
    db,
    `SELECT count(*) AS n FROM changes c WHERE c.state = 'pending' AND c.account_id IS NOT NULL AND EXISTS (
       SELECT 1 FROM changes e WHERE e.account_id = c.account_id AND e.id < c.id AND e.state = 'failed')`,
  ).get()!.n;
}

export interface FailedChange {
  id: number;
  key: string;
  kind: string;
  account_id: string | null;
  ticket: string;
  error: string | null;
  attempts: number;
}

export function failedChanges(db: Db): FailedChange[] {
  return sql<FailedChange>(db, `SELECT id, key, kind, account_id, ticket, last_error AS error, attempts FROM changes WHERE state = 'failed' ORDER BY id`).all();
}

/** A change for `cx sync retry`: its state, and when a waiting one may go next (real clock). */
export type RetryableChange = FailedChange & { state: string; next_attempt_at: string | null };

/** A change by its key, or by a unique prefix of it (at least 8 hex digits), for `cx sync retry`. */
export function changesByKeyPrefix(db: Db, prefix: string, limit = 2): RetryableChange[] {
  return sql<RetryableChange>(db, `SELECT id, key, kind, account_id, ticket, last_error AS error, attempts, state, next_attempt_at FROM changes
    WHERE key >= @prefix AND key < @prefix || 'g' ORDER BY key LIMIT @limit`).all({ prefix, limit });
}

/** Pending changes that wait for a later attempt time than `now` (ISO, real clock), oldest first. */
export function waitingChanges(db: Db, now: string): RetryableChange[] {
  return sql<RetryableChange>(db, `SELECT id, key, kind, account_id, ticket, last_error AS error, attempts, state, next_attempt_at FROM changes
    WHERE state = 'pending' AND next_attempt_at > ? ORDER BY id`).all(now);
}

/**
 * Make waiting changes due now (their attempts still count towards the cap), each with its audit row. A push
 * holding one keeps its lease: the change goes once that push lets it go.
 */
export function makeDue(db: Db, changes: ReadonlyArray<{ id: number; audit: AuditEntry }>, now: Date, realNow: string): number {
  return writeTransaction(db, () => {
    let n = 0;
    for (const c of changes) {
      const done = sql(db, `UPDATE changes SET next_attempt_at = NULL WHERE id = ? AND state = 'pending' AND next_attempt_at > ?`).run(c.id, realNow).changes;
      if (done === 0) continue;
      appendAudit(db, c.audit, now);
      n += 1;
    }
    return n;
  });
}

/** Make failed changes pending again, from a clean slate (attempts 0), each with its audit row. */
export function requeueFailed(db: Db, changes: ReadonlyArray<{ id: number; audit: AuditEntry }>, now: Date): number {
  return writeTransaction(db, () => {
    let n = 0;
    for (const c of changes) {
      const done = sql(db, `UPDATE changes SET state = 'pending', attempts = 0, next_attempt_at = NULL, last_error = NULL,
        lease_owner = NULL, lease_until = NULL WHERE id = ? AND state = 'failed'`).run(c.id).changes;
      if (done === 0) continue;
      appendAudit(db, c.audit, now);
      n += 1;
    }
    return n;
  });
}

export interface PlannedChange {
  id: number;
  key: string;
  kind: string;
  account_id: string | null;
  ticket: string;
  created_at: string;
  attempts: number;
  next_attempt_at: string | null;
  lease_until: string | null;
  /** The key of the failed earlier change of the same account that holds it back, if any. */
  held_by: string | null;
}

/** Every pending change, oldest first, with what would stop a push sending it now (a dry run). */
export function pendingChanges(db: Db): PlannedChange[] {
  return sql<PlannedChange>(
    db,
    `SELECT c.id, c.key, c.kind, c.account_id, c.ticket, c.created_at, c.attempts, c.next_attempt_at, c.lease_until,
       (SELECT e.key FROM changes e WHERE e.account_id = c.account_id AND e.id < c.id AND e.state = 'failed' ORDER BY e.id LIMIT 1) AS held_by
     FROM changes c WHERE c.state = 'pending' ORDER BY c.id`,
  ).all();
}
