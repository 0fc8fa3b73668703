// The audit log's hash chain: each row's hash covers its own fields and the previous row's hash, so an
// edit, a deletion or a reordering anywhere breaks every hash after it. Rows are in time order too: a row
// is never dated before the row it follows (a clock that went back gives the new row the previous time).
import { isoTime } from './dates.js';
import { sha256Hex } from './sha256.js';
import { plural } from './plural.js';

export interface AuditFields {
  at: string;
  agent: string;
  action: string;
  ticket: string | null;
  account_id: string | null;
  outcome: string;
  detail: string;
}

export interface AuditRow extends AuditFields {
  id: number;
  prev_hash: string;
  hash: string;
}

export const GENESIS_HASH = '';

export function chainHash(prevHash: string, f: AuditFields): string {
  // JSON of a fixed-order array: unambiguous, no field can bleed into the next.
  const canonical = JSON.stringify([prevHash, f.at, f.agent, f.action, f.ticket, f.account_id, f.outcome, f.detail]);
  return sha256Hex(canonical);
}

/** What breaks a chain: a link or hash that is wrong, or a row dated before the row it follows. */
export type ChainProblem = 'chain' | 'time_order';

/** The first row that breaks the chain, and how; null when the whole chain holds. */
export function firstBrokenRow(rows: Iterable<AuditRow>): { id: number; problem: ChainProblem } | null {
  let prev = GENESIS_HASH;
  let prevAt = Number.NEGATIVE_INFINITY;
  for (const row of rows) {
    if (row.prev_hash !== prev || chainHash(prev, row) !== row.hash) return { id: row.id, problem: 'chain' };
    const at = Date.parse(row.at);
    if (at < prevAt) return { id: row.id, problem: 'time_order' };
    prev = row.hash;
    if (!Number.isNaN(at)) prevAt = at;
  }
  return null;
}

/** The time of a new row: `now`, unless the row it follows is dated later (the clock went back): then that. */
export function notBefore(now: Date, previousAt: string | undefined): string {
  const previous = previousAt === undefined ? Number.NaN : Date.parse(previousAt);
  return previous > now.getTime() ? new Date(previous).toISOString() : isoTime(now);
}

/** The outcome of `verifyAudit` (src/store/audit.ts) as the store reports it. */
export interface ChainVerdict {
  rows: number;
  first_bad_row: number | null;
  anchored_id: number | null;
  unanchored_rows: number;
  problem: ChainProblem | 'accounts' | 'anchor_missing' | 'anchor_changed' | null;
}

/** One sentence on the chain and its anchor, for `cx audit --verify` and the doctor's audit_chain check. */
export function describeChain(v: ChainVerdict): string {
  const anchored =
    v.anchored_id === null
      ? `not anchored yet: cx sync push sends the log to the platform (${plural(v.unanchored_rows, 'row')})`
      : `anchored at row ${v.anchored_id} by the platform; ${plural(v.unanchored_rows, 'row')} after it not yet anchored`;
  switch (v.problem) {
    case null:
      return `the chain holds: ${plural(v.rows, 'row')}; ${anchored}`;
    case 'chain':
      return `the chain is BROKEN at row ${v.first_bad_row} (of ${v.rows}): that row or one before it was altered`;
    case 'time_order':
      return `the chain is BROKEN at row ${v.first_bad_row} (of ${v.rows}): it is dated before the row it follows, so its time was moved back`;
    case 'accounts':
      return `the chain is BROKEN at row ${v.first_bad_row} (of ${v.rows}): the account ids kept with it were altered`;
    case 'anchor_missing':
      return `the chain is BROKEN: row ${v.anchored_id}, which the platform anchored, is gone (rows from ${v.first_bad_row} on were cut off)`;
    case 'anchor_changed':
      return `the chain is BROKEN: row ${v.anchored_id}, which the platform anchored, is no longer the same (rows up to it were rewritten)`;
  }
}
