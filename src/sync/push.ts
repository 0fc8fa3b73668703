// `cx sync push` as one unit of work: deliver the pending changes (deliver.ts), write the run's own audit
// row, then ship the audit log (audit-ship.ts), so the row describing this run leaves with it.
import { appendAudit } from '../store/audit.js';
import { countAuditAfter, readAnchor } from '../store/audit-anchor.js';
import { writeTransaction, type Db } from '../store/db.js';
import { countByState, leftBehind } from '../store/sync-queue.js';
import { shipAudit, type AuditShipReport } from './audit-ship.js';
import { deliverChanges, type DeliveryDeps, type DeliveryReport, type StopReason } from './deliver.js';
import type { Recorder } from './recorder.js';
import { thousands } from '../rules/plural.js';

export interface PushDeps extends Omit<DeliveryDeps, 'recorder'> {
  /** The main thread's connection: the run's audit row, the counts, the audit log shipped. */
  db: Db;
  /** Starts the writer thread (only when something is pending: most cron runs have nothing to send). */
  openRecorder: () => Recorder;
  /** Named in the run's audit row: the platform's origin (never a secret). */
  platformOrigin: string;
}

export interface PushReport {
  changes: DeliveryReport;
  /** Pending changes left in the mirror after the run (waiting, held back, or made meanwhile). */
  pending: number;
  /**
   * Of those, the ones another push running now holds, and the later changes of their accounts: that push's
   * to send, not counted against this run.
   */
  heldElsewhere: number;
  audit: Omit<AuditShipReport, 'stop'>;
  /** What stopped the run (changes or audit log) before it was done, or null. */
  stop: StopReason | { kind: 'refused'; error: string } | null;
}

/**
 * A push ends when it finds nothing it can claim; another push running at once may deliver an account's
 * change just then, so that the account's next one is free with no one holding it. This run takes such
 * changes itself, in a few more passes at most, rather than leave them pending (and end with exit 5).
 */
const MAX_PASSES = 5;

export async function pushToPlatform(deps: PushDeps): Promise<PushReport> {
  const { db } = deps;
  let changes: DeliveryReport = { sent: 0, delivered: 0, failed: 0, deferred: 0, takenOver: 0, attempts: 0, failures: [], stop: null };
  const running = (owner: string) => !deps.isDeadOwner(owner);
  const left = () => leftBehind(db, running, new Date(deps.clock()).toISOString());
  if (countByState(db).pending > 0) {
    const recorder = deps.openRecorder();
    try {
      for (let pass = 1; pass <= MAX_PASSES; pass++) {
        changes = addUp(changes, await deliverChanges({ ...deps, recorder }));
        if (changes.stop || left().claimable === 0) break;
      }
    } finally {
      await recorder.close();
    }
  }
  const { pending, heldElsewhere } = left();
  if (changes.sent > 0 || changes.stop) {
    const c = changes;
    const stopped = c.stop ? `; stopped: ${describeStop(c.stop)}` : '';
    const elsewhere = heldElsewhere ? ` (${thousands(heldElsewhere)} held by another push running now)` : '';
    const detail = `to ${deps.platformOrigin}: sent ${thousands(c.sent)} change(s) in ${thousands(c.attempts)} request(s); delivered ${thousands(c.delivered)}, failed ${thousands(c.failed)}, ` +
      `left for a later run ${thousands(c.deferred)}; pending now ${thousands(pending)}${elsewhere}${stopped}`;
    const outcome = c.failed || c.stop || pending > heldElsewhere ? 'error' : 'done';
    writeTransaction(db, () => appendAudit(db, { agent: deps.agent, action: 'sync.push', ticket: null, account_id: null, outcome, detail }, deps.now()));
  }
  let audit: AuditShipReport;
  if (changes.stop) {
    const anchor = readAnchor(db);
    audit = { anchored_id: anchor?.anchored_id ?? null, shipped: 0, unanchored_rows: countAuditAfter(db, anchor?.anchored_id ?? 0), stop: null };
  } else {
    audit = await shipAudit({ ...deps, cancel: deps.cancel });
  }
  const { stop: auditStop, ...auditReport } = audit;
  return { changes, pending, heldElsewhere, audit: auditReport, stop: changes.stop ?? auditStop };
}

/** Two passes' reports as one run's. */
function addUp(a: DeliveryReport, b: DeliveryReport): DeliveryReport {
  return {
    sent: a.sent + b.sent,
    delivered: a.delivered + b.delivered,
    failed: a.failed + b.failed,
    deferred: a.deferred + b.deferred,
    takenOver: a.takenOver + b.takenOver,
    attempts: a.attempts + b.attempts,
    failures: [...a.failures, ...b.failures],
    stop: b.stop,
  };
}

export function describeStop(stop: NonNullable<PushReport['stop']>): string {
  switch (stop.kind) {
    case 'unauthorized':
      return `the platform refused the credentials (HTTP ${stop.status})`;
    case 'misdirected':
      return `the platform URL answered HTTP ${stop.status}${stop.why ? ` ${stop.why}` : ''}${stop.location ? ` (to ${stop.location})` : ''}, not the cx API`;
    case 'insecure':
      return stop.reason;
    case 'unavailable':
      return `the platform is not answering (${stop.reason})`;
    case 'cancelled':
      return 'cancelled';
    case 'refused':
      return `the platform refused the audit log: ${stop.error}`;
  }
}
