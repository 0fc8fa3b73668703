// A push's writes to the mirror (deliver.ts), made by the writer thread (recorder.ts): claims of more
// changes, one at a time, the outcomes the lanes leave, written in groups, and the renewal of leases that
// would run out before an exchange could end. They are shaped so the lanes never wait: a claim is asked for
// before they run dry and may carry a group of outcomes with it (one commit instead of two), and groups are
// big. Every write is watched: one that fails breaks the run.
import type { Outcome } from '../store/sync-queue.js';
import type { DeliveryDeps } from './deliver.js';
import { newJob, type Job } from './job.js';
import type { Recorder } from './recorder.js';

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

/** What the writes need of the run's stop (deliver.ts): whether a write failed, and how to say one did. */
export interface WriteFailures {
  readonly broken: unknown;
  writeFailed(err: unknown): void;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Outcomes on their way to the mirror (through the writer thread): kept here, written in groups, one group
 * at a time; a claim may carry a group too. Every write is watched: one that fails breaks the run.
 */
export class OutcomeBatches {
  /** Delivered outcomes handed to the writer thread so far. */
  deliveredHandedOver = 0;
  private readonly buffer: Outcome[] = [];
  private readonly writes = new Set<Promise<unknown>>();
  private flushing = false;

  constructor(private readonly recorder: Recorder, private readonly now: () => Date, private readonly stop: WriteFailures, private readonly nudge: () => void) {}

  /** Kept until a group is written. */
  keep(o: Outcome): void {
    this.buffer.push(o);
  }

  /** A whole group waits: worth a write of its own. */
  get full(): boolean {
    return this.buffer.length >= FLUSH_AT;
  }

  /** The next group to write, counted as handed over. */
  take(): Outcome[] {
    const group = this.buffer.splice(0, FLUSH_AT);
    for (const o of group) if (o.kind === 'delivered') this.deliveredHandedOver += 1;
    return group;
  }

  /** A write to the mirror: if it fails (the lock held too long, the disk), the run stops and says so. */
  track<T>(write: Promise<T>): Promise<T | undefined> {
    const tracked = write.catch((err: unknown) => {
      this.stop.writeFailed(err);
      return undefined;
    });
    this.writes.add(tracked);
    void tracked.finally(() => this.writes.delete(tracked));
    return tracked;
  }

  /** Write the next group, unless one is being written. */
  flush(): void {
    if (this.flushing || this.buffer.length === 0) return;
    this.flushing = true;
    void this.track(this.recorder.record(this.take(), this.now())).then(() => {
      this.flushing = false;
      this.nudge();
    });
  }

  /** Every outcome in the mirror (the end of the run, or before looking for more work). */
  async flushAll(): Promise<void> {
    while (!this.stop.broken && (this.buffer.length > 0 || this.writes.size > 0)) {
      this.flush();
      await Promise.all([...this.writes]);
    }
  }

  /** Every write started has ended. */
  async settled(): Promise<void> {
    while (this.writes.size > 0) await Promise.all([...this.writes]);
  }
}

/**
 * Asking the mirror for more changes, one claim at a time, and knowing when another claim would find none.
 * A claim made because the last one came back short carries the waiting outcomes with it: an account's next
 * change is claimable once its previous one is recorded.
 */
export class Claims {
  /** A claim is on its way to the writer thread. */
  asking = false;
  /** A renewal of leases is on its way to the writer thread. */
  renewing = false;
  private lastShort = false;
  private deliveredSinceAsked = false;
  /** Delivered outcomes handed to the writer thread as of the last claim (which saw them recorded). */
  private handedOverAtClaim = 0;
  private lookedForDead = false;

  constructor(
    private readonly deps: Pick<DeliveryDeps, 'recorder' | 'limits' | 'now' | 'clock' | 'isDeadOwner'>,
    private readonly leaseMs: number,
    private readonly ready: Job[],
    private readonly batches: OutcomeBatches,
    private readonly stop: WriteFailures,
    private readonly nudge: () => void,
  ) {}

  /** The last claim came back short and nothing was delivered since (whose account may have a next change): none would find more now. */
  get exhausted(): boolean {
    return this.lastShort && !this.deliveredSinceAsked;
  }

  /** A change was delivered: its account's next change may be claimable once that is recorded. */
  delivered(): void {
    this.deliveredSinceAsked = true;
  }

  /** Claim more when the lanes' queue runs low, unless a claim is out or none would find anything. */
  topUp(): void {
    if (this.exhausted || this.asking || this.ready.length >= this.deps.limits.concurrency * REFILL_BELOW_PER_LANE) return;
    this.asking = true;
    const want = this.deps.limits.concurrency * CLAIM_PER_LANE - this.ready.length;
    this.deliveredSinceAsked = false;
    const taken = this.lastShort ? this.batches.take() : [];
    this.handedOverAtClaim = this.batches.deliveredHandedOver;
    const { recorder, now, clock } = this.deps;
    void this.batches.track(recorder.recordAndClaim(taken, now(), { now: iso(clock()), leaseUntil: iso(clock() + this.leaseMs), limit: want })).then((claimed = []) => {
      for (const change of claimed) this.ready.push(newJob(change));
      this.lastShort = claimed.length < want;
      this.asking = false;
      this.nudge();
    });
  }

  /**
   * Extend the leases on jobs about to go whose lease would run out before their exchange could end. Those
   * still held go back to the front of the queue; one another push took over meanwhile is that push's to
   * send: `lost` is told, and it is not sent.
   */
  renew(jobs: Job[], lost: (job: Job) => void): void {
    this.renewing = true;
    const { recorder, clock } = this.deps;
    const until = clock() + this.leaseMs;
    void this.batches.track(recorder.renew(jobs.map((j) => j.change.id), iso(until))).then((held) => {
      this.renewing = false;
      this.nudge();
      if (held === undefined) return; // the write failed: the run is over
      const still = new Set(held);
      const renewed: Job[] = [];
      for (const job of jobs) {
        if (!still.has(job.change.id)) {
          lost(job);
          continue;
        }
        job.leaseUntil = until;
        renewed.push(job);
      }
      this.ready.unshift(...renewed);
    });
  }

  /**
   * The last claim found nothing more and the lanes are empty: whether another could. It can once the
   * deliveries since that claim are recorded (those accounts' next changes), or, once per run, after
   * giving up the leases of a push that died during this run.
   */
  async lookAgain(): Promise<boolean> {
    await this.batches.flushAll();
    if (this.batches.deliveredHandedOver === this.handedOverAtClaim) {
      if (this.lookedForDead || this.stop.broken || !(await this.freeDeadLeases())) return false;
      this.lookedForDead = true;
    }
    this.lastShort = false; // a fresh look: every outcome is recorded, the next claim has none to carry
    return true;
  }

  /** Leases of pushes that died (kill -9) are given up; true when that freed some changes. */
  async freeDeadLeases(): Promise<boolean> {
    const dead = (await this.deps.recorder.leaseOwners()).filter(this.deps.isDeadOwner);
    return dead.length > 0 && (await this.deps.recorder.releaseOwners(dead)) > 0;
  }
}
