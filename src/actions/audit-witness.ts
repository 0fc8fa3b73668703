// The local audit log against the platform's record of it (src/sync/witness.ts), for `cx audit --verify` and
// the doctor's `audit_remote` check: the row the platform anchored must be in this mirror with the hash the
// platform holds. A log rewritten and re-hashed in the file (the local anchor moved with it) holds as a chain,
// but cannot give that row the platform's hash without the rows before it as they were.
//
// Without a platform configured, only the local chain can be checked, and the result says so. A platform
// that is configured but cannot be asked is not a pass: the check did not happen.
import { auditRow, lastAuditIdUpTo, readAnchor } from '../store/audit-anchor.js';
import type { Db } from '../store/db.js';
import type { PlatformRecord } from '../sync/witness.js';

export interface RemoteCheck {
  /** `not_configured`: no platform, only the local chain was checked; `unavailable`: configured, but it could not be asked. */
  status: 'not_configured' | 'matches' | 'differs' | 'unavailable';
  ok: boolean;
  /** The row the platform holds as anchored, when it said. */
  anchored_id: number | null;
  /** The first row that cannot be as the platform anchored it, when the log differs. */
  first_bad_row: number | null;
  detail: string;
}

export const NOT_CONFIGURED = 'not configured';

/** `record`: the platform's answer, or null when no platform is configured. */
export function checkAgainstPlatform(db: Db, record: PlatformRecord | null): RemoteCheck {
  if (record === null) return { status: 'not_configured', ok: true, anchored_id: null, first_bad_row: null, detail: NOT_CONFIGURED };
  if (record.kind === 'unavailable') {
    return { status: 'unavailable', ok: false, anchored_id: null, first_bad_row: null, detail: `the platform could not be asked (${record.reason}): only the local chain was checked` };
  }
  const local = readAnchor(db);
  if (record.kind === 'none') {
    if (!local) return { status: 'matches', ok: true, anchored_id: null, first_bad_row: null, detail: 'the platform holds no row of this mirror yet, and none is anchored here' };
    return differs(null, null, `the platform holds no row of this mirror, but this mirror says row ${local.anchored_id} was anchored`);
  }
  const { anchored_id: id, anchored_hash: hash } = record;
  const row = auditRow(db, id);
  if (!row) {
    const from = (lastAuditIdUpTo(db, id) ?? 0) + 1;
    return differs(id, from, `row ${id}, which the platform holds as anchored, is not in this mirror (${from === id ? `row ${id} is gone` : `rows from ${from} on are gone`})`);
  }
  if (row.hash !== hash) return differs(id, id, `row ${id} is not the row the platform anchored (another hash): it or a row before it was altered, removed or re-hashed`);
  if (local && local.anchored_id > id) {
    return differs(id, null, `this mirror says row ${local.anchored_id} was anchored, but the platform holds rows up to ${id} only`);
  }
  return { status: 'matches', ok: true, anchored_id: id, first_bad_row: null, detail: `row ${id} is the row the platform anchored` };
}

function differs(anchoredId: number | null, firstBad: number | null, detail: string): RemoteCheck {
  return { status: 'differs', ok: false, anchored_id: anchoredId, first_bad_row: firstBad, detail };
}
