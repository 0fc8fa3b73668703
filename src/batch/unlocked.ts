// A ticket row whose action runs with no write lock held (a notes export: src/batch/dispatch.ts
// UnlockedTicketAction). The batch has committed its chunk before it; the action takes the lock through
// `transact` for its short steps, waiting its turn the way the batch's chunks do, and records the ticket
// through `ledger` in its last step, with its completing audit row. Exactly once still holds: the ledger
// is read again inside every step, so a ticket another run recorded meanwhile is never handed over twice.
import { result, type ActionDeps } from '../actions/common.js';
import type { TicketLedger } from '../actions/handover.js';
import { CxError } from '../errors.js';
import type { Db } from '../store/db.js';
import { chunkTx, processedTicket, recordProcessed } from '../store/processed-tickets.js';
import { alreadyDone, ticketKey } from './ledger.js';
import type { UnlockedResult, UnlockedTicketAction } from './dispatch.js';
import type { TicketRow } from './input.js';
import { resultRow, type ResultRow } from './results.js';
import type { RunOptions } from './run.js';

const NOT_RECORDED_NOTE = ' (not recorded: a re-run of this file retries it)';

/** One unlocked row, from the ledger check to its result row. `lock` takes the write lock (BEGIN IMMEDIATE). */
export async function runUnlockedRow(db: Db, row: TicketRow, opts: RunOptions, action: UnlockedTicketAction, lock: () => Promise<void>): Promise<ResultRow> {
  const now = opts.now();
  const at = now.toISOString();
  const deps: ActionDeps = { db, now, agent: opts.agent, ticket: row.ticketId, desk: opts.desk, dryRun: false, via: 'batch' };
  const key = ticketKey(db, opts.desk, row, row.type!);
  const ledger: TicketLedger = {
    prior: () => {
      const prior = processedTicket(db, key);
      return prior ? alreadyDone(prior) : null;
    },
    record: (r) => void recordProcessed(db, { ...key, email: row.email, outcome: r.outcome, detail: r.detail, agent: opts.agent, processed_at: at, via: 'batch' }),
  };
  const transact = async <T>(work: () => T): Promise<T> => {
    await lock();
    try {
      const value = work();
      chunkTx.commit(db);
      return value;
    } catch (err) {
      chunkTx.rollback(db);
      throw err;
    }
  };
  let r: UnlockedResult;
  try {
    r = await action.unlocked(deps, row, opts.settings, { transact, ledger, work: opts.work });
  } catch (err) {
    // A signal (CancelledError) or a full disk (OutputWriteError) stops the whole batch; anything else is
    // this row's own failure.
    if (err instanceof CxError) throw err;
    r = result('error', `failed: ${err instanceof Error ? err.message : String(err)}`, null);
  }
  if (r.outcome === 'already_done') return resultRow(row, r, r.processed_at);
  if (r.outcome === 'done' && processedTicket(db, key)) return resultRow(row, r, at);
  const failed = r.outcome === 'done' ? result('error', 'the action did not record its ticket (a bug in cx)', r.account_id) : r;
  return resultRow(row, { ...failed, detail: failed.detail + NOT_RECORDED_NOTE }, '');
}
