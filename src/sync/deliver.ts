// Delivering pending changes (docs/reference.md#cx-sync-push): claim the changes that may go now (oldest
// first, one per account: store/sync-queue.ts), send up to `concurrency` of them at once, each signed
// afresh on every attempt, and record what the platform answered.
//
// - A retryable failure waits (backoff with full jitter, or the Retry-After, honoured up to an hour) without
//   holding a lane, and keeps its lease: the account's later changes wait with it. A wait over a minute is
//   not slept through: the change stays pending with its next attempt time for the next run. The attempt cap
//   counts across runs.
// - A lease outlasts every exchange made under it: an exchange ends by its deadline (CX_PLATFORM_TIMEOUT_MS,
//   transport.ts), and starts only while the lease has that long left and a margin; a change that waited in
//   the queue until its lease ran short has it renewed first. One another push took over meanwhile is that
//   push's: not sent, not failed, not counted against this run. An outcome written after the lease ran
//   out anyway (it waited for its group) is still recorded: store/sync-queue.ts, recordOutcomes.
// - 401/403, an answer that is not the API's (a 1xx/3xx, a 2xx without a JSON receipt: the URL is not the
//   platform) and a TLS failure stop the run at once: requests in flight are aborted and their changes stay
//   pending (the platform may have applied them: the next run resends the same key).
// - Many failures in a row with no Retry-After (the platform is down) stop the run too, rather than walk
//   every change through its attempts: what is left waits for the next run.
// - Claims and outcomes go to the mirror through the recorder (recorder.ts), a writer thread: the lanes
//   never wait for SQLite. Outcomes are recorded in groups, each with its audit row; a claim made because
//   the last one came back short takes the waiting outcomes with it (an account's next change becomes
//   claimable once its previous one is recorded). A push killed at any moment loses at most unrecorded
//   outcomes: those changes are still pending, under the lease of a dead process that the next push gives
//   up at once, and are sent again with the same key.
//
// Below, each part with its own state: DeliveryRun, the loop and what an answer does to its change; Lanes,
// the changes the run holds (ready, waiting out a retry, in flight); RunStop, why the run ends early;
// Breaker, a platform that is down. The writes to the mirror, Claims and OutcomeBatches, are in claims.ts.
import { backoffDelay, LONGEST_WAIT_IN_RUN_MS, retryAfterMs } from '../rules/backoff.js';
import { verdictOf, type Verdict } from '../rules/sync-response.js';
import type { Outcome } from '../store/sync-queue.js';
import { Claims, OutcomeBatches } from './claims.js';
import { outcomes, type Job } from './job.js';
import type { Recorder } from './recorder.js';
import type { SyncLimits } from '../config/platform.js';
import type { Signer } from './signer.js';
import { wakeup } from './wakeup.js';
import { NoAnswer, TlsFailure, type Platform } from './transport.js';

export const CHANGES_PATH = 'cx/v1/changes';

export type StopReason =
  | { kind: 'unauthorized'; status: number; error: string }
  | { kind: 'misdirected'; status: number; why: string | null; location: string | null }
  | { kind: 'insecure'; reason: string }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'cancelled' };

export interface DeliveryDeps {
  recorder: Recorder;
  platform: Platform;
  sign: Signer;
  limits: SyncLimits;
  /** Who runs the push: the agent of its audit rows. */
  agent: string;
  /** The records' clock (audit rows, delivered_at): the run's (src/clock.ts). */
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
  /** Changes this run claimed and let go unsent because another push took them over (its lease had run short). */
  takenOver: number;
  /** Requests made (a change retried three times counts three). */
  attempts: number;
  failures: FailureShown[];
  stop: StopReason | null;
}

/** Deliver what may go now; the report says what happened. Throws when a write to the mirror failed. */
export async function deliverChanges(deps: DeliveryDeps): Promise<DeliveryReport> {
  const run = new DeliveryRun(deps);
  try {
    await run.work();
    return await run.finish();
  } finally {
    await run.close();
  }
}

/**
 * How long a claim (and each short wait, and each renewal) holds a change: room to queue for a lane and for
 * its exchange to end, so that no other push takes a change this run may still send.
 */
function leaseLength(limits: SyncLimits): number {
  return 5 * 60_000 + limits.timeoutMs;
}

/** An exchange starts only while its change's lease outlasts its deadline by this much (timers, writes). */
const LEASE_MARGIN_MS = 60_000;

const iso = (ms: number) => new Date(ms).toISOString();

/** One push's delivery: the loop that keeps the lanes busy, and what each answer does to its change. */
class DeliveryRun {
  private readonly record: ReturnType<typeof outcomes>;
  private readonly leaseMs: number;
  private readonly wake = wakeup();
  private readonly stop: RunStop;
  private readonly breaker: Breaker;
  private readonly lanes: Lanes;
  private readonly batches: OutcomeBatches;
  private readonly claims: Claims;
  private readonly report: DeliveryReport = { sent: 0, delivered: 0, failed: 0, deferred: 0, takenOver: 0, attempts: 0, failures: [], stop: null };
  /** Each failed change's id by its key: the report lists failures in the order the changes were made. */
  private readonly failedIds = new Map<string, number>();

  constructor(private readonly deps: DeliveryDeps) {
    const { limits } = deps;
    const nudge = this.wake.nudge;
    this.record = outcomes(deps.agent, limits.maxAttempts);
    this.leaseMs = leaseLength(limits);
    this.stop = new RunStop(deps.cancel, nudge);
    this.breaker = new Breaker(Math.max(8, 2 * limits.concurrency), this.stop);
    this.lanes = new Lanes(limits.concurrency, limits.timeoutMs + LEASE_MARGIN_MS, (job) => this.attempt(job), nudge);
    this.batches = new OutcomeBatches(deps.recorder, deps.now, this.stop, nudge);
    this.claims = new Claims(deps, this.leaseMs, this.lanes.ready, this.batches, this.stop, nudge);
  }

  /** Until nothing is left to send now, or the run stops: claim, launch, write outcomes, sleep till something happens. */
  async work(): Promise<void> {
    await this.claims.freeDeadLeases();
    while (!this.stop.over) {
      this.lanes.promoteDue(this.deps.clock());
      this.claims.topUp();
      this.lanes.launch(this.deps.clock());
      if (this.lanes.leaseShort.length > 0 && !this.claims.renewing) this.claims.renew(this.lanes.leaseShort.splice(0), () => (this.report.takenOver += 1));
      if (this.batches.full && !this.claims.asking) this.batches.flush(); // a claim waits for one group at most
      if (this.lanes.idle && !this.claims.asking && !this.claims.renewing) {
        if (await this.whenIdle()) continue;
        break;
      }
      await this.wake.sleep(this.lanes.waiting.length ? this.lanes.nextDue() - this.deps.clock() : null);
    }
  }

  /** Nothing in flight or ready and no claim out: sleep out a retry wait, look for more work, or end (false). */
  private async whenIdle(): Promise<boolean> {
    if (this.lanes.waiting.length > 0) {
      await this.wake.sleep(this.lanes.nextDue() - this.deps.clock());
      return true;
    }
    if (!this.claims.exhausted) return true; // a claim starts at the top
    return this.claims.lookAgain();
  }

  /** Stopped or done: requests in flight end (aborted on a stop), what waits is left for the next run, all is recorded. */
  async finish(): Promise<DeliveryReport> {
    await this.lanes.settled();
    await this.batches.settled();
    for (const job of this.lanes.waiting.splice(0)) this.defer(job, job.dueAt, 'the run stopped');
    for (const job of [...this.lanes.ready.splice(0), ...this.lanes.leaseShort.splice(0)]) this.keep(this.record.released(job));
    await this.batches.flushAll();
    if (this.stop.broken) throw this.stop.broken;
    this.report.failures.sort((a, b) => this.failedIds.get(a.key)! - this.failedIds.get(b.key)!);
    this.report.stop = this.stop.reason;
    return this.report;
  }

  /** However the run ended: Ctrl-C is no longer ours, and the changes still held are given back (unless the mirror failed). */
  async close(): Promise<void> {
    this.stop.detach();
    if (!this.stop.broken) await this.deps.recorder.releaseMine();
  }

  /** One request for a job, and what its answer does to the change. */
  private async attempt(job: Job): Promise<void> {
    if (job.attempts === job.change.attempts) this.report.sent += 1; // its first attempt in this run
    job.attempts += 1;
    this.report.attempts += 1;
    const answer = await this.exchange(job);
    // Aborted by this run's stop: the answer is unknown, the change stays pending as it was.
    if (answer === null) this.giveBack(job);
    else this.settle(job, answer.verdict, answer.location);
  }

  /** The platform's word on one attempt (no answer at all: try again); null when this run's stop aborted the request. */
  private async exchange(job: Job): Promise<{ verdict: Verdict; location: string | null } | null> {
    const { platform, sign, clock } = this.deps;
    const key = job.change.key;
    try {
      const answer = await platform.post(CHANGES_PATH, job.body, key, sign(key, job.body, new Date(clock())), this.stop.requests.signal);
      const verdict = verdictOf(answer.status, answer.body, answer.retryAfter);
      return { verdict, location: verdict.kind === 'misdirected' ? answer.location : null };
    } catch (err) {
      if (err instanceof TlsFailure) return { verdict: { kind: 'insecure', reason: err.reason }, location: null };
      if (!(err instanceof NoAnswer)) return null;
      return { verdict: { kind: 'retry', reason: err.reason, retryAfter: null }, location: null };
    }
  }

  /** What an answer does to its change: delivered, failed for good, given back as the run stops, or tried again. */
  private settle(job: Job, verdict: Verdict, location: string | null): void {
    switch (verdict.kind) {
      case 'delivered':
        this.breaker.delivered();
        this.report.delivered += 1;
        this.claims.delivered(); // the account's next change may go once this is recorded
        this.keep(this.record.delivered(job, verdict.status, verdict.receipt, verdict.before));
        return;
      case 'failed':
        this.fail(job, verdict.error, 'refused', `refused by the platform: ${verdict.error}`);
        return;
      case 'unauthorized':
      case 'misdirected':
      case 'insecure':
        // Not the change's fault: the settings are wrong, and the run stops.
        this.giveBack(job);
        this.stop.because(stopFor(verdict, location));
        return;
      case 'retry':
        this.retryLater(job, verdict.reason, verdict.retryAfter);
        return;
    }
  }

  /** A failed attempt worth another: failed at the attempt cap, else it waits in this run (a short wait) or a later one. */
  private retryLater(job: Job, reason: string, retryAfter: string | null): void {
    job.lastError = reason;
    if (job.attempts >= this.deps.limits.maxAttempts) {
      this.fail(job, `gave up after ${job.attempts} attempts: ${reason}`, 'error', `not delivered after ${job.attempts} attempts, the last: ${reason}`);
      return;
    }
    const { clock } = this.deps;
    const told = retryAfterMs(retryAfter, clock());
    if (told === null) this.breaker.failed(reason);
    const nextAt = clock() + (told ?? backoffDelay(job.attempts, this.deps.random));
    if (this.stop.reason) this.defer(job, nextAt, 'the run stopped');
    else if (nextAt - clock() > LONGEST_WAIT_IN_RUN_MS) this.defer(job, nextAt, 'the wait is longer than a run sleeps');
    else this.wait(job, reason, nextAt);
  }

  /**
   * A short wait, slept through in this run without holding a lane: the change keeps its lease, so its account's
   * later changes wait with it.
   */
  private wait(job: Job, reason: string, nextAt: number): void {
    job.errors.push(reason);
    job.dueAt = nextAt;
    this.lanes.waiting.push(job);
    this.keep(this.record.waiting(job, reason, iso(nextAt), iso(nextAt + this.leaseMs)));
  }

  /** Left for a later run: pending with its next attempt time, its lease given up. */
  private defer(job: Job, nextAt: number, why: string): void {
    this.report.deferred += 1;
    this.keep(this.record.deferred(job, iso(nextAt), why));
  }

  /** Failed for good: in the report, and its account's later changes held back until `cx sync retry`. */
  private fail(job: Job, error: string, outcome: 'refused' | 'error', detail: string): void {
    this.report.failed += 1;
    const c = job.change;
    this.report.failures.push({ key: c.key, kind: c.kind, account_id: c.account_id, ticket: c.ticket, error });
    this.failedIds.set(c.key, c.id);
    this.keep(this.record.failed(job, error, outcome, detail));
  }

  /** Not the change's fault (a stop, the credentials, the URL): the attempt is not counted, the change pending as it was. */
  private giveBack(job: Job): void {
    job.attempts -= 1;
    this.keep(this.record.released(job));
  }

  /** An outcome for the mirror; one that settles its change (delivered, failed, deferred) moves the progress bar. */
  private keep(o: Outcome): void {
    this.batches.keep(o);
    if (o.kind !== 'waiting' && o.kind !== 'released') this.deps.progress();
  }
}

/** The stop for an answer that says the settings are wrong (the credentials, the URL), not the change. */
function stopFor(verdict: Extract<Verdict, { kind: 'unauthorized' | 'misdirected' | 'insecure' }>, location: string | null): StopReason {
  switch (verdict.kind) {
    case 'unauthorized':
      return { kind: 'unauthorized', status: verdict.status, error: verdict.error };
    case 'misdirected':
      return { kind: 'misdirected', status: verdict.status, why: verdict.why, location };
    case 'insecure':
      return { kind: 'insecure', reason: verdict.reason };
  }
}

/**
 * Why the run ends early, and the signal every request in flight listens to: a stop (an answer, Ctrl-C, the
 * breaker) keeps its first reason and is reported; a failed write to the mirror (the lock held too long,
 * the disk) breaks the run, and its error is what the run throws.
 */
class RunStop {
  reason: StopReason | null = null;
  broken: unknown = null;
  readonly requests = new AbortController();
  private readonly onCancel = () => this.because({ kind: 'cancelled' });

  constructor(private readonly cancel: AbortSignal, private readonly nudge: () => void) {
    cancel.addEventListener('abort', this.onCancel);
  }

  /** The loop's test at each turn. */
  get over(): boolean {
    return Boolean(this.reason) || Boolean(this.broken);
  }

  /** The first reason wins; requests in flight are aborted (their changes stay pending), the loop woken. */
  because(reason: StopReason): void {
    if (this.reason) return;
    this.reason = reason;
    this.requests.abort(reason);
    this.nudge();
  }

  /** The mirror cannot take what the run learned: nothing more is sent. */
  writeFailed(err: unknown): void {
    this.broken ??= err;
    this.requests.abort(err);
    this.nudge();
  }

  /** The run is over: a later Ctrl-C belongs to whatever runs next. */
  detach(): void {
    this.cancel.removeEventListener('abort', this.onCancel);
  }
}

/**
 * Many failures in a row with no Retry-After mean the platform is down: the run stops rather than walk every
 * change through its attempts. A delivery starts the count again.
 */
class Breaker {
  private inARow = 0;

  constructor(private readonly tripsAt: number, private readonly stop: RunStop) {}

  /** The platform answers again. */
  delivered(): void {
    this.inARow = 0;
  }

  /** A failure the platform gave no Retry-After for: one more in the row, which may trip the stop. */
  failed(reason: string): void {
    if (++this.inARow >= this.tripsAt) this.stop.because({ kind: 'unavailable', reason: `${this.inARow} requests in a row failed, the last: ${reason}` });
  }
}

/**
 * The changes this run holds: ready to go, waiting out a short retry wait (lease kept, no lane held), in
 * flight, and those whose lease ran too short to start an exchange (renewed before they go).
 */
class Lanes {
  readonly ready: Job[] = [];
  readonly waiting: Job[] = [];
  readonly leaseShort: Job[] = [];
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly concurrency: number,
    /** The lease an exchange needs left when it starts: its deadline and a margin. */
    private readonly leaseNeededMs: number,
    private readonly attempt: (job: Job) => Promise<void>,
    private readonly nudge: () => void,
  ) {}

  /** Nothing in flight, ready or awaiting a renewal (jobs may still be waiting). */
  get idle(): boolean {
    return this.inflight.size === 0 && this.ready.length === 0 && this.leaseShort.length === 0;
  }

  /** Start attempts while a lane is free, each only if its lease outlasts it; each wakes the loop when it ends. */
  launch(now: number): void {
    while (this.inflight.size < this.concurrency && this.ready.length > 0) {
      const job = this.ready.shift()!;
      if (job.leaseUntil - now < this.leaseNeededMs) {
        this.leaseShort.push(job);
        continue;
      }
      const running: Promise<void> = this.attempt(job).finally(() => {
        this.inflight.delete(running);
        this.nudge();
      });
      this.inflight.add(running);
    }
  }

  /** Waits that are over: those jobs are ready again. */
  promoteDue(now: number): void {
    for (let i = 0; i < this.waiting.length; ) {
      if (this.waiting[i]!.dueAt <= now) this.ready.push(...this.waiting.splice(i, 1));
      else i++;
    }
  }

  /** When the first wait is over: how long the loop may sleep. */
  nextDue(): number {
    return Math.min(...this.waiting.map((j) => j.dueAt));
  }

  /** Every attempt started has ended. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
  }
}
