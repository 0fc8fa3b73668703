// `cx sync retry <key> | --failed | --waiting`: failed changes become pending again, attempts from 0; waiting
// ones (a retry time still to come: a Retry-After, a backoff) become due now, their attempts still counted.
// Each with an audit row under the change's own ticket (the operator's --ticket, when given, is named in
// it). It needs no ticket: it makes no new change, it lets the same one (same key) go again.
import { UsageError } from '../errors.js';
import type { AuditEntry } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { changesByKeyPrefix, failedChanges, makeDue, requeueFailed, waitingChanges, type FailedChange, type RetryableChange } from '../store/sync-queue.js';
import { result, type ActionResult } from './common.js';

export interface RetryDeps {
  db: Db;
  /** The records' clock (the audit rows). */
  now: Date;
  /** The real clock: next attempt times are about the real world, as the push that set them. */
  realNow: Date;
  agent: string;
  ticket: string | undefined;
  dryRun: boolean;
}

export type RetryTarget = { key: string } | { allFailed: true } | { allWaiting: true };

export interface RetryResult extends ActionResult {
  changes: Array<{ key: string; kind: string; account_id: string | null; ticket: string; error: string | null }>;
}

const KEY_PREFIX = /^[0-9a-f]{8,64}$/;

export function retryChanges(deps: RetryDeps, target: RetryTarget): RetryResult {
  const realNow = deps.realNow.toISOString();
  if ('allFailed' in target) {
    const failed = failedChanges(deps.db);
    if (failed.length === 0) return { ...result('already_done', 'no failed changes', null), changes: [] };
    return requeue(deps, failed, null);
  }
  if ('allWaiting' in target) {
    const waiting = waitingChanges(deps.db, realNow);
    if (waiting.length === 0) return { ...result('already_done', 'no change is waiting', null), changes: [] };
    return dueNow(deps, waiting, null);
  }
  const prefix = target.key.trim().toLowerCase();
  if (!KEY_PREFIX.test(prefix)) throw new UsageError(`not a change key: give the key (64 hex digits, or its first 8 or more) as \`cx sync status\` shows it`);
  const found = changesByKeyPrefix(deps.db, prefix);
  if (found.length === 0) return { ...result('not_found', `no change has the key ${prefix}`, null), changes: [] };
  if (found.length > 1) return { ...result('invalid', `${prefix} begins more than one key: give more of it`, null), changes: [] };
  const change = found[0]!;
  const accountId = change.account_id;
  if (change.state === 'delivered') {
    return {
      ...result('refused', `change ${change.key} was delivered; it is not sent again (a deliberate repeat is a new change: run the command again under the ticket)`, accountId),
      changes: [],
    };
  }
  if (change.state === 'failed') return requeue(deps, [change], accountId);
  if (change.next_attempt_at !== null && change.next_attempt_at > realNow) return dueNow(deps, [change], accountId);
  return { ...result('already_done', `change ${change.key} is pending and due already: \`cx sync push\` sends it`, accountId), changes: [] };
}

const listed = (chosen: FailedChange[]): RetryResult['changes'] => chosen.map(({ key, kind, account_id, ticket, error }) => ({ key, kind, account_id, ticket, error }));

function retryAudit(deps: RetryDeps, c: FailedChange, detail: string): AuditEntry {
  const under = deps.ticket ? ` (retried under ticket ${deps.ticket})` : '';
  return { agent: deps.agent, action: 'sync.retry', ticket: c.ticket, account_id: c.account_id, outcome: 'done', detail: `${c.kind} change ${c.key} ${detail}${under}` };
}

/** Failed changes pending again, from a clean slate (attempts 0). */
function requeue(deps: RetryDeps, chosen: FailedChange[], accountId: string | null): RetryResult {
  const what = chosen.length === 1 ? `change ${chosen[0]!.key}` : `${chosen.length} failed changes`;
  const changes = listed(chosen);
  if (deps.dryRun) return { ...result('planned', `would make ${what} pending again`, accountId), changes };
  requeueFailed(
    deps.db,
    chosen.map((c) => ({ id: c.id, audit: retryAudit(deps, c, `pending again after ${c.attempts} attempt(s), the last: ${c.error ?? 'unknown'}`) })),
    deps.now,
  );
  return { ...result('done', `${what} pending again: \`cx sync push\` sends ${chosen.length === 1 ? 'it' : 'them'}`, accountId), changes };
}

/** Waiting changes due now: the next push sends them (their attempts still count towards the cap). */
function dueNow(deps: RetryDeps, chosen: RetryableChange[], accountId: string | null): RetryResult {
  const what = chosen.length === 1 ? `change ${chosen[0]!.key}` : `${chosen.length} waiting changes`;
  const changes = listed(chosen);
  if (deps.dryRun) return { ...result('planned', `would make ${what} due now`, accountId), changes };
  makeDue(
    deps.db,
    chosen.map((c) => ({ id: c.id, audit: retryAudit(deps, c, `due now (it was waiting until ${c.next_attempt_at}) after ${c.attempts} attempt(s), the last: ${c.error ?? 'unknown'}`) })),
    deps.now,
    deps.realNow.toISOString(),
  );
  return { ...result('done', `${what} due now: \`cx sync push\` sends ${chosen.length === 1 ? 'it' : 'them'}`, accountId), changes };
}
