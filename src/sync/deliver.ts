// Delivering pending changes (CONTRACTS.md "Platform sync"): claim the changes that may go now (oldest
// first, one per account: store/sync-queue.ts), send up to `concurrency` of them at once, each signed
// afresh on every attempt, and record what the platform answered.
//
// - A retryable failure waits (backoff with full jitter, or the Retry-After) without holding a lane, and
//   keeps its lease: the account's later changes wait with it. A wait over a minute is not slept through:
//   the change stays pending with its next attempt time for the next run. The attempt cap counts across runs.
// - 401/403 (or a 1xx/3xx: the URL is not the API) stop the run at once: requests in flight are aborted and
//   their changes stay pending (the platform may have applied them: the next run resends the same key).
// - Many failures in a row with no Retry-After (the platform is down) stop the run too, rather than walk
//   every change through its attempts: what is left waits for the next run.
// - Claims and outcomes go to the mirror through the recorder (recorder.ts), a writer thread: the lanes
//   never wait for SQLite. Outcomes are recorded in groups, each with its audit row; a claim made because
//   the last one came back short takes the waiting outcomes with it (an account's next change becomes
//   claimable once its previous one is recorded). A push killed at any moment loses at most unrecorded
//   outcomes: those changes are still pending, under the lease of a dead process that the next push gives
//   up at once, and are sent again with the same key.
import { setMaxListeners } from 'node:events';
import { backoffDelay, LONGEST_WAIT_IN_RUN_MS, retryAfterMs } from '../rules/backoff.js';
import { verdictOf, type Verdict } from '../rules/sync-response.js';
import type { Outcome } from '../store/sync-queue.js';
import { newJob, outcomes, type Job } from './job.js';
import type { Recorder } from './recorder.js';
import type { SyncLimits } from '../config/platform.js';
import type { Signer } from './signer.js';
import { wakeup } from './wakeup.js';
import { NoAnswer, type Platform } from './transport.js';

export const CHANGES_PATH = 'cx/v1/changes';

export type StopReason =
  | { kind: 'unauthorized'; status: number; error: string }
  | { kind: 'misdirected'; status: number; location: string | null }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'cancelled' };

export interface DeliveryDeps {
  recorder: Recorder;
  platform: Platform;
  sign: Signer;
  limits: SyncLimits;
  /** Who runs the push: the agent of its audit rows. */
  agent: string;
  /** The records' clock (audit rows, delivered_at); CX_NOW pins it. */
  now: () => Date;
  /** Real time in ms: signatures, waits, next attempts and leases are about the real world. */
  clock: () => number;
  random: () => number;
  /** Whether a lease holder is gone (owner.ts). */
  isDeadOwner: (owner: string) => boolean;
  /** Aborted by a signal (Ctrl-C, SIGTERM). */
  cancel: AbortSignal;
  /** Called once per change whose outcome this run settled. */
  progress: () => void;
}

export interface FailureShown {
  key: string;
  kind: string;
  account_id: string | null;
  ticket: string;
  error: string;
}

export interface DeliveryReport {
  /** Changes sent at least once in this run. */
  sent: number;
  delivered: number;
  failed: number;
  /** Changes this run tried and left pending for a later run (a long Retry-After, a stop). */
  deferred: number;
  /** Requests made (a change retried three times counts three). */
  attempts: number;
  failures: FailureShown[];
  stop: StopReason | null;
}

/**
 * Changes claimed at a time per lane, and the queue per lane below which the next claim is asked for: the
 * lanes keep working while a claim waits behind a group of outcomes in the writer thread.
 */
const CLAIM_PER_LANE = 64;
const REFILL_BELOW_PER_LANE = 32;
/**
 * Outcomes are recorded in groups of this many, one group at a time (a claim waits for one group at most).
 * Big groups matter: each audit row lands at a random place in the indexes by ticket and by account, and a
 * commit writes each page it touched once.
 */
const FLUSH_AT = 512;

export async function deliverChanges(deps: DeliveryDeps): Promise<DeliveryReport> {
  const { recorder, limits, clock } = deps;
  const leaseMs = 5 * 60_000 + limits.timeoutMs;
  const breakerAt = Math.max(8, 2 * limits.concurrency);
  const record = outcomes(deps.agent, limits.maxAttempts);
  const report: DeliveryReport = { sent: 0, delivered: 0, failed: 0, deferred: 0, attempts: 0, failures: [], stop: null };
  const ready: Job[] = [];
  const waiting: Job[] = [];
  const inflight = new Set<Promise<void>>();
  const writes = new Set<Promise<unknown>>();
  const buffer: Outcome[] = [];
  const requests = new AbortController();
  // Every request in flight listens to it (undici adds its own listeners): not a leak, so no warning.
  setMaxListeners(limits.concurrency * 4 + 16, requests.signal);
  const failedOrder = new Map<string, number>();
  const iso = (ms: number) => new Date(ms).toISOString();
  let exhausted = false;
  let claiming = false;
  let lastClaimShort = false;
  /** Delivered outcomes handed to the recorder, in all and as of the last claim (which saw those). */
  let deliveredSent = 0;
  let deliveredAtClaim = 0;
  const send = (n: number): Outcome[] => {
    const group = buffer.splice(0, n);
    for (const o of group) if (o.kind === 'delivered') deliveredSent += 1;
    return group;
  };
  let transientInARow = 0;
  let broken: unknown = null;

  const { sleep: something, nudge } = wakeup();

  const stopWith = (reason: StopReason) => {
    if (report.stop) return;
    report.stop = reason;
    requests.abort(reason);
    nudge();
  };
  const onCancel = () => stopWith({ kind: 'cancelled' });
  deps.cancel.addEventListener('abort', onCancel);

  /** A write to the mirror failed (the lock held too long, the disk): the run stops and says so. */
  const track = <T>(write: Promise<T>): Promise<T | undefined> => {
    const tracked = write.catch((err: unknown) => {
      broken ??= err;
      requests.abort(err);
      nudge();
      return undefined;
    });
    writes.add(tracked);
    void tracked.finally(() => writes.delete(tracked));
    return tracked;
  };
  let flushing = false;
  const flush = () => {
    if (flushing || buffer.length === 0) return;
    flushing = true;
    void track(recorder.record(send(FLUSH_AT), deps.now())).then(() => {
      flushing = false;
      nudge();
    });
  };
  /** Every outcome in the mirror (the end of the run, or before looking for more work). */
  const flushAll = async () => {
    while (!broken && (buffer.length > 0 || writes.size > 0)) {
      flush();
      await Promise.all([...writes]);
    }
  };
  const refill = () => {
    claiming = true;
    const want = limits.concurrency * CLAIM_PER_LANE - ready.length;
    const deliveredBefore = report.delivered;
    const taken = lastClaimShort ? send(FLUSH_AT) : [];
    deliveredAtClaim = deliveredSent;
    void track(recorder.recordAndClaim(taken, deps.now(), { now: iso(clock()), leaseUntil: iso(clock() + leaseMs), limit: want })).then((claimed = []) => {
      for (const change of claimed) ready.push(newJob(change));
      lastClaimShort = claimed.length < want;
      // Short, and nothing delivered meanwhile (whose account may have a next change): nothing more now.
      exhausted = lastClaimShort && report.delivered === deliveredBefore;
      claiming = false;
      nudge();
    });
  };

  const keep = (o: Outcome) => {
    buffer.push(o);
    if (o.kind !== 'waiting' && o.kind !== 'released') deps.progress();
  };
  const fail = (job: Job, error: string, outcome: 'refused' | 'error', detail: string) => {
    report.failed += 1;
    const c = job.change;
    report.failures.push({ key: c.key, kind: c.kind, account_id: c.account_id, ticket: c.ticket, error });
    failedOrder.set(c.key, c.id);
    keep(record.failed(job, error, outcome, detail));
  };
  const defer = (job: Job, nextAt: number, why: string) => {
    report.deferred += 1;
    keep(record.deferred(job, iso(nextAt), why));
  };

  const settle = (job: Job, verdict: Verdict, location: string | null) => {
    switch (verdict.kind) {
      case 'delivered':
        transientInARow = 0;
        report.delivered += 1;
        exhausted = false; // the account's next change may go once this is recorded
        keep(record.delivered(job, verdict.status, verdict.receipt, verdict.before));
        return;
      case 'failed':
        fail(job, verdict.error, 'refused', `refused by the platform: ${verdict.error}`);
        return;
      case 'unauthorized':
      case 'misdirected':
        // Not the change's fault: the attempt is not counted, and the change stays as it was.
        job.attempts -= 1;
        keep(record.released(job));
        stopWith(verdict.kind === 'unauthorized' ? { kind: 'unauthorized', status: verdict.status, error: verdict.error } : { kind: 'misdirected', status: verdict.status, location });
        return;
      case 'retry': {
        job.lastError = verdict.reason;
        if (job.attempts >= limits.maxAttempts) {
          fail(job, `gave up after ${job.attempts} attempts: ${verdict.reason}`, 'error', `not delivered after ${job.attempts} attempts, the last: ${verdict.reason}`);
          return;
        }
        const told = retryAfterMs(verdict.retryAfter, clock());
        if (told === null && ++transientInARow >= breakerAt) stopWith({ kind: 'unavailable', reason: `${transientInARow} requests in a row failed, the last: ${verdict.reason}` });
        const nextAt = clock() + (told ?? backoffDelay(job.attempts, deps.random));
        if (report.stop) defer(job, nextAt, 'the run stopped');
        else if (nextAt - clock() > LONGEST_WAIT_IN_RUN_MS) defer(job, nextAt, 'the wait is longer than a run sleeps');
        else {
          job.errors.push(verdict.reason);
          job.dueAt = nextAt;
          waiting.push(job);
          keep(record.waiting(job, verdict.reason, iso(nextAt), iso(nextAt + leaseMs)));
        }
        return;
      }
    }
  };

  const attempt = async (job: Job): Promise<void> => {
    if (job.attempts === job.change.attempts) report.sent += 1; // its first attempt in this run
    job.attempts += 1;
    report.attempts += 1;
    const key = job.change.key;
    let verdict: Verdict;
    let location: string | null = null;
    try {
      const answer = await deps.platform.post(CHANGES_PATH, job.body, key, deps.sign(key, job.body, new Date(clock())), requests.signal);
      verdict = verdictOf(answer.status, answer.body, answer.retryAfter);
      if (verdict.kind === 'misdirected') location = answer.location;
    } catch (err) {
      if (!(err instanceof NoAnswer)) {
        // Aborted by this run's stop: the answer is unknown, the change stays pending as it was.
        job.attempts -= 1;
        keep(record.released(job));
        return;
      }
      verdict = { kind: 'retry', reason: err.reason, retryAfter: null };
    }
    settle(job, verdict, location);
  };
  const launch = (job: Job) => {
    const running: Promise<void> = attempt(job).finally(() => {
      inflight.delete(running);
      nudge();
    });
    inflight.add(running);
  };

  const nextDue = () => Math.min(...waiting.map((j) => j.dueAt));
  const promoteDue = () => {
    const now = clock();
    for (let i = 0; i < waiting.length; ) {
      if (waiting[i]!.dueAt <= now) ready.push(...waiting.splice(i, 1));
      else i++;
    }
  };
  /** Leases of pushes that died (kill -9) are given up; true when that freed some changes. */
  const freeDeadLeases = async () => {
    const dead = (await recorder.leaseOwners()).filter(deps.isDeadOwner);
    return dead.length > 0 && (await recorder.releaseOwners(dead)) > 0;
  };

  try {
    await freeDeadLeases();
    let lookedForDead = false;
    while (!report.stop && !broken) {
      promoteDue();
      if (!exhausted && !claiming && ready.length < limits.concurrency * REFILL_BELOW_PER_LANE) refill();
      while (inflight.size < limits.concurrency && ready.length > 0) launch(ready.shift()!);
      if (buffer.length >= FLUSH_AT && !claiming) flush(); // a claim waits for one group at most
      if (inflight.size === 0 && ready.length === 0 && !claiming) {
        if (waiting.length > 0) {
          await something(nextDue() - clock());
          continue;
        }
        if (!exhausted) continue; // a claim starts at the top
        await flushAll();
        if (deliveredSent !== deliveredAtClaim) {
          exhausted = false; // recorded now: those accounts' next changes may be claimed
          continue;
        }
        // A push that died during this run left leases: give them up and finish its changes too.
        if (lookedForDead || broken || !(await freeDeadLeases())) break;
        lookedForDead = true;
        exhausted = false;
        continue;
      }
      await something(waiting.length ? nextDue() - clock() : null);
    }
    // Stopped or done: requests in flight end (aborted on a stop), what waits is left for the next run.
    await Promise.allSettled([...inflight]);
    while (writes.size > 0) await Promise.all([...writes]);
    for (const job of waiting.splice(0)) defer(job, job.dueAt, 'the run stopped');
    for (const job of ready.splice(0)) keep(record.released(job));
    await flushAll();
    if (broken) throw broken;
    report.failures.sort((a, b) => failedOrder.get(a.key)! - failedOrder.get(b.key)!);
    return report;
  } finally {
    deps.cancel.removeEventListener('abort', onCancel);
    if (!broken) await recorder.releaseMine();
  }
}
