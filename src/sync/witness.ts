// The platform as the audit log's witness (docs/platform-api.md): the mirror's own anchor lives in
// the same file as the log, so anyone who can write the file can rewrite the log, re-hash it and move the
// anchor. The platform's record cannot be moved from here: `GET <base>/cx/v1/audit/anchor?mirror_id=<id>`,
// signed like a change over an empty body (webhook-id `<mirror_id>:anchor:<unix seconds>`), answers
// `{"anchored_id", "anchored_hash"}`, or 404 when the platform holds no row of this mirror.
// `cx audit --verify` and the doctor's `audit_remote` check compare the local log with it
// (actions/audit-witness.ts).
import { backoffDelay, retryAfterMs } from '../rules/backoff.js';
import { failureVerdict, json, type Verdict } from '../rules/sync-response.js';
import type { Signer } from './signer.js';
import { NoAnswer, TlsFailure, type Platform } from './transport.js';

export const ANCHOR_PATH = 'cx/v1/audit/anchor';

/** What the platform holds of a mirror's log, or why it could not be told. */
export type PlatformRecord =
  | { kind: 'anchor'; anchored_id: number; anchored_hash: string }
  /** 404: the platform holds no row of this mirror. */
  | { kind: 'none' }
  | { kind: 'unavailable'; reason: string };

export interface WitnessDeps {
  platform: Platform;
  sign: Signer;
  /** Real time in ms (signatures, waits). */
  clock: () => number;
  random: () => number;
  cancel: AbortSignal;
}

/** A verification waits this long at most for the platform to answer again, over a few attempts. */
const ATTEMPTS = 3;
const LONGEST_WAIT_MS = 5_000;

/** The anchor request at a moment: its path (under the base URL) and its webhook-id (docs/platform-api.md). */
export function anchorRequest(mirrorId: string, at: Date): { path: string; id: string } {
  return { path: `${ANCHOR_PATH}?mirror_id=${encodeURIComponent(mirrorId)}`, id: `${mirrorId}:anchor:${Math.floor(at.getTime() / 1000)}` };
}

/** The platform's anchor for this mirror: a few attempts for a busy platform, never a guess. */
export async function askPlatformAnchor(deps: WitnessDeps, mirrorId: string): Promise<PlatformRecord> {
  for (let attempt = 1; ; attempt++) {
    const at = new Date(deps.clock());
    const { path, id } = anchorRequest(mirrorId, at);
    let verdict: Exclude<Verdict, { kind: 'delivered' }>;
    try {
      // Signed over an empty body, each attempt afresh.
      const answer = await deps.platform.get(path, deps.sign(id, '', at), deps.cancel);
      if (answer.status === 404) return { kind: 'none' };
      if (answer.status >= 200 && answer.status < 300) return anchorIn(answer.status, answer.body);
      verdict = failureVerdict(answer.status, answer.body, answer.retryAfter);
    } catch (err) {
      if (err instanceof TlsFailure) return { kind: 'unavailable', reason: err.reason };
      if (!(err instanceof NoAnswer)) return { kind: 'unavailable', reason: 'cancelled' };
      verdict = { kind: 'retry', reason: err.reason, retryAfter: null };
    }
    if (verdict.kind !== 'retry') return { kind: 'unavailable', reason: refusal(verdict) };
    const wait = retryAfterMs(verdict.retryAfter, deps.clock()) ?? backoffDelay(attempt, deps.random);
    if (attempt >= ATTEMPTS || wait > LONGEST_WAIT_MS) return { kind: 'unavailable', reason: `the platform did not answer: ${verdict.reason}` };
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

function anchorIn(status: number, body: string): PlatformRecord {
  const value = json(body);
  if (value && Number.isSafeInteger(value.anchored_id) && typeof value.anchored_hash === 'string') {
    return { kind: 'anchor', anchored_id: value.anchored_id as number, anchored_hash: value.anchored_hash };
  }
  return { kind: 'unavailable', reason: `the platform URL answered HTTP ${status} without an anchor, not the cx API` };
}

function refusal(verdict: Exclude<Verdict, { kind: 'delivered' | 'retry' }>): string {
  switch (verdict.kind) {
    case 'unauthorized':
      return `the platform refused the credentials (HTTP ${verdict.status})`;
    case 'failed':
      return `the platform refused the request: ${verdict.error}`;
    case 'misdirected':
      return `the platform URL answered HTTP ${verdict.status}, not the cx API`;
    case 'insecure':
      return verdict.reason;
  }
}
