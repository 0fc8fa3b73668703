// Where a push's claims and outcomes are written: on a worker thread with its own connection to the mirror
// (recorder-worker.ts), so that the main thread, which sends the requests, never waits for SQLite. Calls
// are answered in the order they were made (one thread, one message at a time), so an outcome recorded
// before a claim is in the mirror when the claim runs.
import { Worker } from 'node:worker_threads';
import { compiledFile } from '../config/install.js';
import { CxError } from '../errors.js';
import type { ClaimedChange, Outcome } from '../store/sync-queue.js';

export type RecorderCall =
  | { op: 'leaseOwners' }
  | { op: 'releaseOwners'; owners: string[] }
  | { op: 'record'; owner: string; outcomes: Outcome[]; now: string }
  | { op: 'recordAndClaim'; owner: string; outcomes: Outcome[]; now: string; claim: { now: string; leaseUntil: string; limit: number } }
  | { op: 'renew'; owner: string; ids: number[]; leaseUntil: string }
  | { op: 'releaseMine'; owner: string }
  | { op: 'close' };

export interface Recorder {
  /** The holders of leases on pending changes. */
  leaseOwners(): Promise<string[]>;
  /** Give up the leases of these (dead) holders; how many changes were freed. */
  releaseOwners(owners: string[]): Promise<number>;
  record(outcomes: Outcome[], now: Date): Promise<unknown>;
  recordAndClaim(outcomes: Outcome[], now: Date, claim: { now: string; leaseUntil: string; limit: number }): Promise<ClaimedChange[]>;
  /** Extend the leases on these changes until `leaseUntil`; the ids still held (the others were taken over). */
  renew(ids: number[], leaseUntil: string): Promise<number[]>;
  releaseMine(): Promise<number>;
  close(): Promise<void>;
}

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: { message: string; code?: unknown; name?: string; exitCode?: number; hint?: string };
}

/**
 * The worker's own connection: the mirror's path, how long its writes wait for another writer's lock, and
 * the key the main connection opened it with (null: plaintext), handed over in memory, never looked up again.
 */
export interface RecorderMirror {
  dbPath: string;
  lockWaitMs: number;
  key: Uint8Array | null;
}

export function startRecorder(mirror: RecorderMirror, owner: string): Recorder {
  const worker = new Worker(compiledFile('sync/recorder-worker.js'), { workerData: mirror });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let next = 0;
  let dead: unknown = null;
  const failAll = (err: unknown) => {
    dead = err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  worker.on('message', (reply: Reply) => {
    const w = waiting.get(reply.id);
    if (!w) return;
    waiting.delete(reply.id);
    if (reply.ok) w.resolve(reply.value);
    else w.reject(rebuild(reply.error!));
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`the sync writer thread exited (${code})`)));
  const call = <T>(c: RecorderCall): Promise<T> => {
    if (dead) return Promise.reject(dead);
    const id = next++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, call: c });
    });
  };
  return {
    leaseOwners: () => call<string[]>({ op: 'leaseOwners' }),
    releaseOwners: (owners) => call<number>({ op: 'releaseOwners', owners }),
    record: (outcomes, now) => call({ op: 'record', owner, outcomes, now: now.toISOString() }),
    recordAndClaim: (outcomes, now, claim) => call<ClaimedChange[]>({ op: 'recordAndClaim', owner, outcomes, now: now.toISOString(), claim }),
    renew: (ids, leaseUntil) => call<number[]>({ op: 'renew', owner, ids, leaseUntil }),
    releaseMine: () => call<number>({ op: 'releaseMine', owner }),
    async close() {
      if (!dead) await call({ op: 'close' }).catch(() => {});
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}

/** An error from the writer thread, as the main thread would have thrown it (a BusyError stays exit 7). */
function rebuild(e: NonNullable<Reply['error']>): Error {
  if (typeof e.exitCode === 'number') return new CxError(e.message, e.exitCode, 'error', e.hint);
  const err = new Error(e.message) as Error & { code?: unknown };
  err.code = e.code;
  return err;
}
