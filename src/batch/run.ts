// Applying checked ticket rows, exactly once. Tickets are grouped into chunks, one BEGIN IMMEDIATE each;
// every ticket runs in its own savepoint inside it. A ticket that ends done or already_done keeps its
// writes and is recorded in processed_tickets in that savepoint; any other outcome, or an action that
// throws, rolls the savepoint back, so a ticket's writes exist if and only if it is recorded. Results of
// a chunk are handed on only after it commits: a results row never claims work that a crash undid.
import { audit, result, type ActionDeps, type ActionResult } from '../actions/common.js';
import { withFound } from '../actions/find-account.js';
import { BusyError, CancelledError, CxError, EXIT, type Outcome } from '../errors.js';
import { isoTime } from '../rules/dates.js';
import { describeHolder } from '../store/lock-holder.js';
import type { Cancellable } from '../files/cancellation.js';
import { lockWaitOf, type Db } from '../store/db.js';
import { chunkTx, lastAuditId, processedTicket, recordProcessed } from '../store/processed-tickets.js';
import { isUnlocked, type BatchSettings, type DispatchTable, type TicketAction, type UnlockedTicketAction } from './dispatch.js';
import type { TicketRow, TicketType } from './input.js';
import { alreadyDone, ticketKeyFound } from './ledger.js';
import { OUTCOMES } from './plan.js';
import { resultRow, type ResultRow } from './results.js';
import { runUnlockedRow } from './unlocked.js';

export interface RunOptions {
  agent: string;
  /** The help desk the file's tickets belong to (docs/reference.md#tickets). */
  desk: string;
  now: () => Date;
  dryRun: boolean;
  settings: BatchSettings;
  /** The actions of the file's types (loadDispatch; tests pass their own). */
  table: DispatchTable;
  /** At most this many tickets per transaction (default 2,000). */
  chunkSize?: number;
  /** Commit once a chunk has held the write lock this long (default 100 ms), so other writers get a turn. */
  chunkMs?: number;
  /** Each chunk's results, in input order, once the chunk has committed. */
  emit: (rows: ResultRow[]) => void | Promise<void>;
  /** Called when the batch starts waiting for another writer's lock (a terminal says so). */
  onLockWait?: () => void;
  /** Rows finished so far (called after every row). */
  progress?: (rowsDone: number) => void;
  /** Ctrl-C / SIGTERM: the batch stops before its next row; the chunk in flight is rolled back. */
  work?: Cancellable;
  /** Kept up to date as chunks commit, so that a batch that stops can say how far it got. */
  tally?: Tally;
}

export interface Tally {
  /** Rows whose results were committed (their chunk, or their own steps for an unlocked row). */
  rows: number;
  /** Of those, the tickets recorded (done or already done). */
  recorded: number;
}

export interface Summary {
  rows: number;
  by_outcome: Record<Outcome, number>;
}

/** The batch could not go on (the database failed under it). Chunks committed before it stay applied. */
export class BatchStoppedError extends CxError {
  constructor(row: TicketRow, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`the batch stopped at line ${row.line} (ticket ${row.ticketId || '?'}): ${why}`, EXIT.internal, 'error',
      'tickets already recorded stay applied; run the same command again to go on from here');
  }
}

const RECORDED: ReadonlySet<Outcome> = new Set(['done', 'already_done']);
const NOT_RECORDED_NOTE = ' (not recorded: a re-run of this file retries it)';

function isThenable(x: unknown): x is PromiseLike<ActionResult> {
  return typeof (x as { then?: unknown } | null)?.then === 'function';
}

/** Apply the rows (in file order, read lazily: see ticket-file.ts); checked rows, see plan.ts checkRow. */
export async function runBatch(db: Db, rows: Iterable<TicketRow>, opts: RunOptions): Promise<Summary> {
  const chunkSize = opts.chunkSize ?? 2000;
  const chunkMs = opts.chunkMs ?? 100;
  const byOutcome = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  const tally = opts.tally ?? { rows: 0, recorded: 0 };
  const settled = (results: readonly ResultRow[]) => {
    for (const r of results) byOutcome[r.outcome]++;
    tally.rows += results.length;
    if (!opts.dryRun) tally.recorded += results.filter((r) => RECORDED.has(r.outcome)).length;
  };
  const it = rows[Symbol.iterator]();
  let next = it.next();
  let count = 0;
  let current: TicketRow | undefined;
  while (!next.done) {
    opts.work?.throwIfCancelled();
    // A row that runs unlocked (a notes export) comes between chunks: the chunk before it has committed.
    const unlocked = unlockedAction(next.value, opts);
    if (unlocked) {
      const row = next.value;
      const r = await runUnlockedRow(db, row, opts, unlocked, () => takeWriteLock(db, row, opts.onLockWait));
      opts.progress?.(++count);
      settled([r]);
      await opts.emit([r]);
      next = it.next();
      continue;
    }
    const results: ResultRow[] = [];
    if (opts.dryRun) chunkTx.beginRead(db);
    else await takeWriteLock(db, next.value, opts.onLockWait);
    const started = performance.now();
    try {
      // The row is taken from the iterator only once it is processed: a chunk that ends leaves it next.
      for (; !next.done && results.length < chunkSize; next = it.next()) {
        if (results.length > 0 && (performance.now() - started > chunkMs || unlockedAction(next.value, opts))) break;
        opts.work?.throwIfCancelled();
        current = next.value;
        const applied = applyRow(db, current, opts);
        results.push(isThenableRow(applied) ? await applied : applied);
        opts.progress?.(++count);
      }
      if (opts.dryRun) chunkTx.rollback(db);
      else chunkTx.commit(db);
    } catch (err) {
      chunkTx.rollback(db);
      if (err instanceof BatchStoppedError || err instanceof CancelledError || err instanceof BusyError) throw err;
      throw new BatchStoppedError(current ?? next.value!, err);
    }
    const committed = performance.now();
    settled(results);
    await opts.emit(results);
    // SQLite's locks are not fair: a writer waiting in its busy handler retries every 100 ms at most,
    // and would find the lock taken again each time. A short gap between chunks lets it in; the lock is
    // free from the commit on, so the time spent handing the results on counts toward it.
    if (!opts.dryRun && !next.done) await gap(GAP_MS - (performance.now() - committed));
  }
  return { rows: count, by_outcome: byOutcome };
}

/** The row's action when it runs with no write lock held (never in a dry run, which only reads). */
function unlockedAction(row: TicketRow, opts: RunOptions): UnlockedTicketAction | null {
  if (opts.dryRun || row.problem !== null || row.type === null) return null;
  const action = actionFor(opts.table, row.type);
  return isUnlocked(action) ? action : null;
}

/** The table holds the types the file holds (TicketFile.types): a type missing from it is a bug in cx. */
function actionFor(table: DispatchTable, type: TicketType): TicketAction {
  const action = table[type];
  if (!action) throw new Error(`no action was loaded for ${type} rows (a bug in cx)`);
  return action;
}

const GAP_MS = 4;
const POLL_MS = 2;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Sleep what is left of the gap; with none left, still yield to the event loop (a signal is heard there). */
const gap = (ms: number) => (ms >= 1 ? sleep(ms) : new Promise((done) => setImmediate(done)));

/**
 * How long a batch waits for another writer before it gives up: three times a single command's wait (the
 * connection's, CX_LOCK_WAIT_MS; an import's short apply is still a few seconds). It stops with exit 7;
 * what is recorded stays.
 */
function batchLockWaitMs(db: Db): number {
  return 3 * lockWaitOf(db);
}

async function takeWriteLock(db: Db, next: TicketRow, onWait?: () => void): Promise<void> {
  const waitMs = batchLockWaitMs(db);
  const deadline = performance.now() + waitMs;
  let told = false;
  while (!chunkTx.tryBeginWrite(db)) {
    if (!told) onWait?.();
    told = true;
    if (performance.now() > deadline) throw new BatchBusyError(next, db.name, waitMs);
    await sleep(POLL_MS);
  }
}

/** Another writer held the mirror past the batch's wait (exit 7): the tickets recorded so far stay. */
export class BatchBusyError extends BusyError {
  constructor(next: TicketRow, dbPath: string, waitMs: number) {
    super(describeHolder(dbPath), `the batch waited ${waitMs / 1000} s before line ${next.line} (ticket ${next.ticketId || '?'}); the tickets recorded so far stay`);
  }
}

function isThenableRow(x: ResultRow | Promise<ResultRow>): x is Promise<ResultRow> {
  return typeof (x as { then?: unknown }).then === 'function';
}

/** One row: its result, or a promise of it when the action is async. Throws only when the batch must stop. */
function applyRow(db: Db, row: TicketRow, opts: RunOptions): ResultRow | Promise<ResultRow> {
  if (row.problem !== null || row.type === null) return resultRow(row, result('invalid', row.problem ?? 'no type', null), '');
  // The exactly-once key: help desk, ticket, action and the account the row is about.
  const { key, found } = ticketKeyFound(db, opts.desk, row, row.type);
  const prior = processedTicket(db, key);
  if (prior) return resultRow(row, alreadyDone(prior), prior.processed_at);
  const now = opts.now();
  const deps: ActionDeps = { db, now, agent: opts.agent, ticket: row.ticketId, desk: opts.desk, dryRun: opts.dryRun, via: 'batch' };
  const action = actionFor(opts.table, row.type);
  const failed = (err: unknown): ActionResult => result('error', `failed: ${err instanceof Error ? err.message : String(err)}`, null);

  if (opts.dryRun) {
    // The chunk is rolled back whatever happens: no savepoint needed.
    const settle = (r: ActionResult) => resultRow(row, r, '');
    try {
      const r = withFound(db, found, () => action(deps, row, opts.settings));
      return isThenable(r) ? Promise.resolve(r).then(settle, (err) => settle(failed(err))) : settle(r);
    } catch (err) {
      return settle(failed(err));
    }
  }

  chunkTx.ticketBegin(db);
  const auditBefore = lastAuditId(db);
  const undo = (r: ActionResult): ResultRow => {
    // A failure that ended the whole transaction (disk full, I/O error) leaves nothing to roll back to.
    if (!db.inTransaction) throw new BatchStoppedError(row, r.detail);
    chunkTx.ticketUndo(db);
    return resultRow(row, { ...r, detail: r.detail + NOT_RECORDED_NOTE }, '');
  };
  const settle = (r: ActionResult): ResultRow => {
    if (!RECORDED.has(r.outcome)) {
      const bug = r.outcome === 'planned' ? result('error', 'the action planned instead of acting (a bug in cx)', r.account_id) : r;
      return undo(bug);
    }
    try {
      const at = isoTime(now);
      // Recording the ticket is a change: it gets an audit row unless the action wrote its own.
      if (lastAuditId(db) === auditBefore) audit(deps, `batch.${row.type}`, r);
      recordProcessed(db, { ...key, email: row.email, outcome: r.outcome, detail: r.detail, agent: opts.agent, processed_at: at, via: 'batch' });
      chunkTx.ticketKeep(db);
      return resultRow(row, r, at);
    } catch (err) {
      return undo(failed(err));
    }
  };
  try {
    // The action finds the account the key was made for without searching again.
    const r = withFound(db, found, () => action(deps, row, opts.settings));
    return isThenable(r) ? Promise.resolve(r).then(settle, (err) => undo(failed(err))) : settle(r);
  } catch (err) {
    return undo(failed(err));
  }
}
