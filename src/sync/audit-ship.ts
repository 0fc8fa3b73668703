// The audit log leaves the machine (docs/platform-api.md): after the changes, the rows the platform
// has not anchored yet go to `POST <base>/cx/v1/audit` in bounded pages, signed like a change with
// `webhook-id: <mirror_id>:<first id>-<last id>`, and the anchor the platform returns is kept. Before a page
// leaves, the local chain is checked from the anchor to the page's end: a broken log is not sent (exit 6).
import { IntegrityError } from '../errors.js';
import { chainHash, GENESIS_HASH, type AuditRow } from '../rules/audit-chain.js';
import { backoffDelay, LONGEST_WAIT_IN_RUN_MS, retryAfterMs } from '../rules/backoff.js';
import { failureVerdict, json, type Verdict } from '../rules/sync-response.js';
import { auditRow, auditRowsAfter, countAuditAfter, mirrorId, readAnchor, saveAnchor } from '../store/audit-anchor.js';
import type { Db } from '../store/db.js';
import type { DeliveryDeps, StopReason } from './deliver.js';
import { NoAnswer, TlsFailure } from './transport.js';

export const AUDIT_PATH = 'cx/v1/audit';
const PAGE_ROWS = 1000;
const PAGE_BYTES = 1024 * 1024;

/** The audit log goes the way the changes go (deliver.ts): the same platform, signer, limits and clocks. */
export interface AuditShipDeps extends Pick<DeliveryDeps, 'platform' | 'sign' | 'limits' | 'now' | 'clock' | 'random' | 'cancel'> {
  db: Db;
}

export interface AuditShipReport {
  anchored_id: number | null;
  /** Rows the platform anchored in this run. */
  shipped: number;
  unanchored_rows: number;
  /** Why shipping stopped before the end, or null. */
  stop: StopReason | { kind: 'refused'; error: string } | null;
}

export async function shipAudit(deps: AuditShipDeps): Promise<AuditShipReport> {
  const { db } = deps;
  const mirror = mirrorId(db);
  const anchor = readAnchor(db);
  let after = anchor?.anchored_id ?? 0;
  let prevHash = anchor?.anchored_hash ?? GENESIS_HASH;
  if (anchor) {
    const row = auditRow(db, anchor.anchored_id);
    if (!row || row.hash !== anchor.anchored_hash) {
      throw new IntegrityError(`the audit log no longer reaches its anchor (row ${anchor.anchored_id}): nothing sent`, 'run `cx audit --verify` and report it');
    }
  }
  let shipped = 0;
  let stop: AuditShipReport['stop'] = null;
  let page = buildPage(db, mirror, after, prevHash);
  while (page) {
    const { first, last } = page;
    const sending = sendWithRetries(deps, `${mirror}:${first}-${last}`, page.body);
    // The next page is read and checked while this one is on its way (and the platform checks it).
    await new Promise((resolve) => setImmediate(resolve));
    // (A broken next page is reported once this one is anchored.)
    const next = (() => {
      try {
        return buildPage(db, mirror, last, page.lastHash);
      } catch (err) {
        return err as Error;
      }
    })();
    const verdict = await sending;
    if (verdict.kind !== 'delivered') {
      stop = stopFor(verdict);
      break;
    }
    const anchored = anchorIn(verdict.body, verdict.before ? { id: last, hash: page.lastHash } : null);
    if (!anchored || anchored.id < after || anchored.id > last) {
      stop = { kind: 'refused', error: `the platform answered rows ${first}-${last} without a usable anchor` };
      break;
    }
    if (anchored.id === after) {
      stop = { kind: 'refused', error: `the platform anchored none of rows ${first}-${last}` };
      break;
    }
    const local = page.rows.find((r) => r.id === anchored.id);
    if (!local || local.hash !== anchored.hash) {
      throw new IntegrityError(`the platform anchored audit row ${anchored.id} with a hash this mirror does not have`, 'run `cx audit --verify`; the platform holds another copy of this log');
    }
    saveAnchor(db, anchored.id, anchored.hash, deps.now());
    shipped += anchored.id - after;
    after = anchored.id;
    prevHash = anchored.hash;
    // The platform may anchor part of a page: the next page then starts after its anchor.
    if (anchored.id !== last) page = buildPage(db, mirror, after, prevHash);
    else if (next instanceof Error) throw next;
    else page = next;
  }
  const finalAnchor = readAnchor(db);
  return { anchored_id: finalAnchor?.anchored_id ?? null, shipped, unanchored_rows: countAuditAfter(db, finalAnchor?.anchored_id ?? 0), stop };
}

interface Page {
  rows: AuditRow[];
  first: number;
  last: number;
  lastHash: string;
  body: string;
}

/**
 * The page after row `after` (up to PAGE_ROWS rows, cut so the body stays under PAGE_BYTES, at least one
 * row), its links checked from `prevHash`; null when there is none.
 */
function buildPage(db: Db, mirror: string, after: number, prevHash: string): Page | null {
  const rows: AuditRow[] = [];
  const json: string[] = [];
  let bytes = 0;
  for (const row of auditRowsAfter(db, after, PAGE_ROWS)) {
    const text = JSON.stringify(row);
    bytes += text.length + 1;
    if (bytes > PAGE_BYTES && rows.length > 0) break;
    rows.push(row);
    json.push(text);
  }
  if (rows.length === 0) return null;
  const lastHash = checkLinks(rows, prevHash);
  return { rows, first: rows[0]!.id, last: rows[rows.length - 1]!.id, lastHash, body: `{"mirror_id":${JSON.stringify(mirror)},"rows":[${json.join(',')}]}` };
}

/** Each row links to the one before and hashes to what it holds; returns the last hash. */
function checkLinks(page: AuditRow[], prevHash: string): string {
  let prev = prevHash;
  for (const row of page) {
    if (row.prev_hash !== prev || chainHash(prev, row) !== row.hash) {
      throw new IntegrityError(`the audit log is broken at row ${row.id}: it was not sent to the platform`, 'run `cx audit --verify` and report it');
    }
    prev = row.hash;
  }
  return prev;
}

/** `{"anchored_id", "anchored_hash"}` from the answer; a 409 without them anchors the page as sent. */
function anchorIn(body: string, repeatOf: { id: number; hash: string } | null): { id: number; hash: string } | null {
  try {
    const value = JSON.parse(body) as { anchored_id?: unknown; anchored_hash?: unknown };
    if (Number.isSafeInteger(value.anchored_id) && typeof value.anchored_hash === 'string') {
      return { id: value.anchored_id as number, hash: value.anchored_hash };
    }
  } catch {
    // not JSON: only a repeat can stand for its page
  }
  return repeatOf ? { id: repeatOf.id, hash: repeatOf.hash } : null;
}

type Sent = Exclude<Verdict, { kind: 'delivered' }> | { kind: 'delivered'; before: boolean; body: string } | { kind: 'cancelled' };

/**
 * What the platform's answer to a page means: a 2xx must carry the anchor (else the URL is not the platform),
 * a 409 is a page sent before; the rest as for a change.
 */
function pageVerdict(status: number, body: string, retryAfter: string | null): Sent {
  if (status >= 200 && status < 300) {
    const answer = json(body);
    if (answer && 'anchored_id' in answer) return { kind: 'delivered', before: false, body };
    return { kind: 'misdirected', status, why: answer ? 'without an anchor' : 'with a body that is not JSON' };
  }
  if (status === 409) return { kind: 'delivered', before: true, body };
  return failureVerdict(status, body, retryAfter);
}

/** One page, with the same retry rules as a change; a wait over a minute leaves it for the next run. */
async function sendWithRetries(deps: AuditShipDeps, id: string, body: string): Promise<Sent> {
  for (let attempt = 1; ; attempt++) {
    if (deps.cancel.aborted) return { kind: 'cancelled' };
    let verdict: Sent;
    try {
      const answer = await deps.platform.post(AUDIT_PATH, body, id, deps.sign(id, body, new Date(deps.clock())), deps.cancel);
      verdict = pageVerdict(answer.status, answer.body, answer.retryAfter);
    } catch (err) {
      if (err instanceof TlsFailure) return { kind: 'insecure', reason: err.reason };
      if (!(err instanceof NoAnswer)) return { kind: 'cancelled' };
      verdict = { kind: 'retry', reason: err.reason, retryAfter: null };
    }
    if (verdict.kind !== 'retry') return verdict;
    const wait = retryAfterMs(verdict.retryAfter, deps.clock()) ?? backoffDelay(attempt, deps.random);
    if (attempt >= deps.limits.maxAttempts || wait > LONGEST_WAIT_IN_RUN_MS) return verdict;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

function stopFor(sent: Exclude<Sent, { kind: 'delivered' }>): NonNullable<AuditShipReport['stop']> {
  switch (sent.kind) {
    case 'cancelled':
      return { kind: 'cancelled' };
    case 'unauthorized':
      return { kind: 'unauthorized', status: sent.status, error: sent.error };
    case 'misdirected':
      return { kind: 'misdirected', status: sent.status, why: sent.why, location: null };
    case 'insecure':
      return { kind: 'insecure', reason: sent.reason };
    case 'failed':
      return { kind: 'refused', error: sent.error };
    case 'retry':
      return { kind: 'unavailable', reason: `the audit log was not accepted: ${sent.reason}` };
  }
}
