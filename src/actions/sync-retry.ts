// `cx sync retry <key> | --failed`: failed changes become pending again, attempts from 0, each with an
// audit row under the change's own ticket (the operator's --ticket, when given, is named in it). It needs
// no ticket: it makes no new change, it lets the same one (same key) go again once the cause is fixed.
import { UsageError } from '../errors.js';
import type { Db } from '../store/db.js';
import { changesByKeyPrefix, failedChanges, requeueFailed, type FailedChange } from '../store/sync-queue.js';
import { result, type ActionResult } from './common.js';

export interface RetryDeps {
  db: Db;
  now: Date;
  agent: string;
  ticket: string | undefined;
  dryRun: boolean;
}

export type RetryTarget = { key: string } | { allFailed: true };

export interface RetryResult extends ActionResult {
  changes: Array<{ key: string; kind: string; account_id: string | null; ticket: string; error: string | null }>;
}

const KEY_PREFIX = /^[0-9a-f]{8,64}$/;

export function retryChanges(deps: RetryDeps, target: RetryTarget): RetryResult {
  let chosen: FailedChange[];
  let accountId: string | null = null;
  if ('key' in target) {
    const prefix = target.key.trim().toLowerCase();
    if (!KEY_PREFIX.test(prefix)) throw new UsageError(`not a change key: give the key (64 hex digits, or its first 8 or more) as \`cx sync status\` shows it`);
    const found = changesByKeyPrefix(deps.db, prefix);
    if (found.length === 0) return { ...result('not_found', `no change has the key ${prefix}`, null), changes: [] };
    if (found.length > 1) return { ...result('invalid', `${prefix} begins more than one key: give more of it`, null), changes: [] };
    const change = found[0]!;
    accountId = change.account_id;
    if (change.state === 'pending') return { ...result('already_done', `change ${change.key} is pending already: \`cx sync push\` sends it`, accountId), changes: [] };
    if (change.state === 'delivered') {
      return {
        ...result('refused', `change ${change.key} was delivered; it is not sent again (a deliberate repeat is a new change: run the command again under the ticket)`, accountId),
        changes: [],
      };
    }
    chosen = [change];
  } else {
    chosen = failedChanges(deps.db);
    if (chosen.length === 0) return { ...result('already_done', 'no failed changes', null), changes: [] };
  }
  const changes = chosen.map(({ key, kind, account_id, ticket, error }) => ({ key, kind, account_id, ticket, error }));
  const what = chosen.length === 1 ? `change ${chosen[0]!.key}` : `${chosen.length} failed changes`;
  if (deps.dryRun) return { ...result('planned', `would make ${what} pending again`, accountId), changes };
  const under = deps.ticket ? ` (retried under ticket ${deps.ticket})` : '';
  requeueFailed(
    deps.db,
    chosen.map((c) => ({
      id: c.id,
      audit: { agent: deps.agent, action: 'sync.retry', ticket: c.ticket, account_id: c.account_id, outcome: 'done', detail: `${c.kind} change ${c.key} pending again after ${c.attempts} attempt(s), the last: ${c.error ?? 'unknown'}${under}` },
    })),
    deps.now,
  );
  return { ...result('done', `${what} pending again: \`cx sync push\` sends ${chosen.length === 1 ? 'it' : 'them'}`, accountId), changes };
}
