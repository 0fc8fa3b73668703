// A push's writes to the mirror (src/sync/claims.ts), in-process on a real SQLite file: the recorder here runs
// the writer thread's store calls on this thread. What it pins is when a claim is worth making: an account's
// next change becomes claimable once its previous one is recorded delivered, a push's dead leases are given
// up once, and a write that fails breaks the run. And leases: no exchange starts on a lease that could run
// out before it ends (it is renewed first, and a change another push took over is not sent), and an outcome
// written after another push took its change over is recorded as what it is.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordChange } from '../../src/store/changes.js';
import { openMirror, type Db } from '../../src/store/db.js';
import { claimChanges, leaseOwners, recordAndClaim, recordOutcomes, releaseLeases, releaseLeasesOf, renewLeases } from '../../src/store/sync-queue.js';
import { Claims, OutcomeBatches, type WriteFailures } from '../../src/sync/claims.js';
import { deliverChanges } from '../../src/sync/deliver.js';
import { pushToPlatform } from '../../src/sync/push.js';
import { newJob, outcomes, type Job } from '../../src/sync/job.js';
import type { Recorder } from '../../src/sync/recorder.js';
import { signer } from '../../src/sync/signer.js';
import { connectPlatform } from '../../src/sync/transport.js';
import { DEFAULT_LIMITS } from '../../src/config/platform.js';
import { tempDir } from '../helpers/cx.js';
import { SECRET, standIn } from '../helpers/sync.js';
import { TEST_KEYS } from '../helpers/sqlite.js';

const NOW = new Date('2026-11-27T12:00:00.000Z');
const DEAD = 'elsewhere:1:dead';

/** A mirror with one pending email for each account, in order; an account named twice has two. */
function mirrorWith(accounts: string[]): Db {
  const db = openMirror(join(tempDir(), 'm.db'), { keys: TEST_KEYS, create: true });
  const insert = db.prepare(`INSERT OR IGNORE INTO accounts (id, email, email_key, mailbox_key, base_key, email_rev, role, status, created_at)
    VALUES (@id, @email, @email, @email, @email, @email, 'client', 'active', '2024-01-01')`);
  for (const [i, id] of accounts.entries()) {
    const email = `${id}@x.com`;
    insert.run({ id, email });
    recordChange(db, { kind: 'email', accountId: id, desk: 'cx', ticket: `T-${i}`, action: 'password_reset', agent: 'dana', now: NOW, data: { template: 't', to: email, subject: 's' } });
  }
  return db;
}

function sameThreadRecorder(db: Db, owner: string, failWrites = false): Recorder {
  return {
    leaseOwners: async () => leaseOwners(db),
    releaseOwners: async (owners) => releaseLeasesOf(db, owners),
    record: async (o, now) => {
      if (failWrites) throw new Error('disk I/O error');
      return recordOutcomes(db, owner, o, now);
    },
    recordAndClaim: async (o, now, claim) => recordAndClaim(db, owner, o, now, claim),
    renew: async (ids, until) => renewLeases(db, owner, ids, until),
    releaseMine: async () => releaseLeases(db, owner),
    close: async () => {
      db.close();
    },
  };
}

function setUp(db: Db, opts: { concurrency?: number; failWrites?: boolean } = {}) {
  const recorder = sameThreadRecorder(db, 'me', opts.failWrites);
  const stop: WriteFailures & { broken: unknown } = {
    broken: null,
    writeFailed(err) {
      this.broken ??= err;
    },
  };
  const ready: Job[] = [];
  const batches = new OutcomeBatches(recorder, () => NOW, stop, () => {});
  const deps = { recorder, limits: { ...DEFAULT_LIMITS, concurrency: opts.concurrency ?? 1 }, now: () => NOW, clock: Date.now, isDeadOwner: (o: string) => o === DEAD };
  const claims = new Claims(deps, 60_000, ready, batches, stop, () => {});
  const deliver = (job: Job) => {
    batches.keep(outcomes('dana', 8).delivered(job, 201, `r-${job.change.id}`, false));
    claims.delivered();
  };
  /** Claim now, and wait for the writer's answer. */
  const claim = async () => {
    claims.topUp();
    while (claims.asking) await new Promise((resolve) => setImmediate(resolve));
  };
  const accountsOf = (jobs: Job[]) => jobs.map((j) => j.change.account_id);
  return { stop, ready, batches, claims, deliver, claim, accountsOf };
}

const stateOf = (db: Db) => db.prepare(`SELECT account_id, state, lease_owner FROM changes ORDER BY id`).all() as Array<{ account_id: string; state: string; lease_owner: string | null }>;

describe('claims', () => {
  it('take each account\'s first change; after a short claim, the next one carries the deliveries, and the account\'s next change follows', async () => {
    const db = mirrorWith(['a', 'b', 'a', 'c']);
    const { ready, claims, deliver, claim, accountsOf } = setUp(db);
    await claim();
    expect(accountsOf(ready)).toEqual(['a', 'b', 'c']);
    expect(claims.exhausted).toBe(true); // short, and nothing delivered: no claim now would find more
    claims.topUp();
    expect(claims.asking).toBe(false);

    deliver(ready[0]!);
    expect(claims.exhausted).toBe(false);
    await claim();
    expect(accountsOf(ready)).toEqual(['a', 'b', 'c', 'a']);
    expect(stateOf(db).map((c) => c.state)).toEqual(['delivered', 'pending', 'pending', 'pending']);
    expect(db.prepare(`SELECT count(*) AS n FROM audit_log WHERE action = 'sync.delivered'`).get()).toEqual({ n: 1 });
    expect(claims.exhausted).toBe(true);
  });

  it('look again once the deliveries a claim did not carry are recorded, then once for a dead push\'s leases, then not', async () => {
    // 65 accounts with one change, the first with a second: a claim takes 64 (one lane), so the first is full.
    const names = Array.from({ length: 65 }, (_, i) => `acct-${String(i).padStart(2, '0')}`);
    const db = mirrorWith([...names, names[0]!, 'held']);
    db.prepare(`UPDATE changes SET lease_owner = ?, lease_until = '2999-01-01T00:00:00.000Z' WHERE account_id = 'held'`).run(DEAD);
    const { ready, claims, deliver, claim, accountsOf } = setUp(db);
    await claim();
    expect(ready).toHaveLength(64);
    deliver(ready[0]!);
    ready.splice(0); // the lanes ran them
    await claim(); // carries nothing: the last claim was not short
    expect(accountsOf(ready)).toEqual(['acct-64']);
    expect(claims.exhausted).toBe(true);

    expect(await claims.lookAgain()).toBe(true); // the delivery is recorded now
    await claim();
    expect(accountsOf(ready)).toEqual(['acct-64', 'acct-00']);
    expect(claims.exhausted).toBe(true);

    expect(await claims.lookAgain()).toBe(true); // the dead push's lease given up
    expect(stateOf(db).at(-1)).toEqual({ account_id: 'held', state: 'pending', lease_owner: null });
    await claim();
    expect(accountsOf(ready)).toEqual(['acct-64', 'acct-00', 'held']);
    expect(await claims.lookAgain()).toBe(false);
  });
});

describe('outcome batches', () => {
  it('a write that fails breaks the run with its error, and writing everything stops there', async () => {
    const db = mirrorWith(['a']);
    const { stop, ready, batches, deliver, claim } = setUp(db, { failWrites: true });
    await claim();
    deliver(ready[0]!);
    await batches.flushAll();
    expect((stop.broken as Error).message).toBe('disk I/O error');
    expect(stateOf(db)).toEqual([{ account_id: 'a', state: 'pending', lease_owner: 'me' }]);
  });
});

describe('leases', () => {
  it('an exchange never starts on a lease that could run out first: it is renewed, and a change another push took over is not sent', async () => {
    const db = mirrorWith(['a', 'b']);
    const platform = await standIn();
    const limits = { ...DEFAULT_LIMITS, timeoutMs: 1000, concurrency: 2 };
    // The clock jumps once the changes are claimed: they waited in the queue until their lease ran short,
    // and meanwhile another push, whose clock said this one's lease was over, took a's over.
    let skew = 0;
    const recorder = sameThreadRecorder(db, 'me');
    const claimed = recorder.recordAndClaim;
    recorder.recordAndClaim = async (o, now, claim) => {
      const got = await claimed(o, now, claim);
      if (got.length > 0 && skew === 0) {
        skew = Date.parse(got[0]!.lease_until) - Date.now() - 30_000;
        db.prepare(`UPDATE changes SET lease_owner = 'other:1:live', lease_until = '2999-01-01T00:00:00.000Z' WHERE account_id = 'a'`).run();
      }
      return got;
    };
    const platformConn = connectPlatform(new URL(`${platform.url}/`), 2, limits.timeoutMs);
    try {
      const report = await deliverChanges({
        recorder, platform: platformConn, sign: signer(SECRET), limits, agent: 'dana', now: () => NOW, clock: () => Date.now() + skew, random: Math.random,
        isDeadOwner: () => false, cancel: new AbortController().signal, progress: () => {},
      });
      expect(report).toMatchObject({ sent: 1, delivered: 1, failed: 0, deferred: 0, takenOver: 1 });
      expect([...platform.applied.values()].map((c) => c.account_id)).toEqual(['b']);
      expect(stateOf(db)).toEqual([
        { account_id: 'a', state: 'pending', lease_owner: 'other:1:live' },
        { account_id: 'b', state: 'delivered', lease_owner: null },
      ]);
    } finally {
      await platformConn.close();
      await platform.close();
    }
  });

  it('an outcome written after another push took its change over: a delivery is recorded (once), anything else left to that push', () => {
    const db = mirrorWith(['a', 'b', 'c']);
    const t = Date.parse(NOW.toISOString());
    const iso = (ms: number) => new Date(ms).toISOString();
    const mine = claimChanges(db, 'A', iso(t), iso(t + 1000), 10).map(newJob);
    // A's lease ran out while its outcomes waited to be written; B took the changes over.
    expect(claimChanges(db, 'B', iso(t + 2000), iso(t + 600_000), 10)).toHaveLength(3);
    const rec = outcomes('dana', 8);
    const [a, b, c] = mine.map((job) => ({ ...job, attempts: 1 }));
    expect(recordOutcomes(db, 'A', [rec.delivered(a!, 201, 'r-1', false), rec.failed(b!, 'HTTP 422: no', 'refused', 'refused by the platform: HTTP 422: no'), rec.deferred(c!, iso(t + 90_000), 'the run stopped')], NOW)).toEqual([a!.change.id]);
    expect(db.prepare(`SELECT account_id, state, lease_owner, receipt FROM changes ORDER BY id`).all()).toEqual([
      { account_id: 'a', state: 'delivered', lease_owner: null, receipt: 'r-1' },
      { account_id: 'b', state: 'pending', lease_owner: 'B', receipt: null },
      { account_id: 'c', state: 'pending', lease_owner: 'B', receipt: null },
    ]);
    const rows = () => db.prepare(`SELECT action, account_id, detail FROM audit_log WHERE action LIKE 'sync.%' ORDER BY id`).all() as Array<{ action: string; account_id: string; detail: string }>;
    expect(rows().map((r) => [r.action, r.account_id, r.detail.replace(/^.*; (recorded late|not recorded)/, '$1')])).toEqual([
      ['sync.delivered', 'a', 'recorded late: another push had taken this change over'],
      ['sync.failed', 'b', 'not recorded: another push had taken this change over, and its state is left to that push'],
      ['sync.deferred', 'c', 'not recorded: another push had taken this change over, and its state is left to that push'],
    ]);
    // B's own attempt at a is answered 409: a is delivered already, and has one sync.delivered row.
    expect(recordOutcomes(db, 'B', [rec.delivered({ ...mine[0]!, attempts: 1 }, 409, 'r-1', true)], NOW)).toEqual([]);
    expect(rows().filter((r) => r.action === 'sync.delivered')).toHaveLength(1);
  });
});

describe('the end of a push', () => {
  it("an account's next change, freed by another push just as this one ends its pass, is sent by this one: nothing is left pending", async () => {
    const db = mirrorWith(['a', 'a', 'b']);
    const t = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    // Another push, still running, holds a's first change.
    expect(claimChanges(db, 'other:1:live', iso(t), iso(t + 600_000), 1).map((c) => c.account_id)).toEqual(['a']);
    const platform = await standIn();
    // The writer thread's own connection, as in cx (the recorder closes it at the end).
    const recorder = sameThreadRecorder(openMirror(db.name, { keys: TEST_KEYS }), 'me');
    const releaseMine = recorder.releaseMine;
    let passes = 0;
    recorder.releaseMine = async () => {
      const released = await releaseMine();
      // As this push ends its pass, the other one delivers a's first change: a's second is free, held by no one.
      if (++passes === 1) db.prepare(`UPDATE changes SET state = 'delivered', lease_owner = NULL, lease_until = NULL WHERE lease_owner = 'other:1:live'`).run();
      return released;
    };
    const platformConn = connectPlatform(new URL(`${platform.url}/`), 2, DEFAULT_LIMITS.timeoutMs);
    try {
      const report = await pushToPlatform({
        db, openRecorder: () => recorder, platform: platformConn, sign: signer(SECRET), limits: { ...DEFAULT_LIMITS, concurrency: 2 }, agent: 'dana',
        now: () => NOW, clock: Date.now, random: Math.random, isDeadOwner: (o) => o !== 'other:1:live', cancel: new AbortController().signal,
        progress: () => {}, platformOrigin: platform.url,
      });
      expect(passes).toBe(2);
      expect(report).toMatchObject({ pending: 0, heldElsewhere: 0, stop: null, changes: { sent: 2, delivered: 2, failed: 0 } });
      expect([...platform.applied.values()].map((c) => c.account_id)).toEqual(['b', 'a']);
      expect(stateOf(db).map((c) => c.state)).toEqual(['delivered', 'delivered', 'delivered']);
    } finally {
      await platformConn.close();
      await platform.close();
      db.close();
    }
  });
});
