// The audit log's hash chain: each row's hash covers its own fields and the previous row's hash, so an
// edit, a deletion or a reordering anywhere breaks every hash after it.
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

/** The first row whose link or hash is wrong, or null when the whole chain holds. */
export function firstBrokenRow(rows: Iterable<AuditRow>): number | null {
  let prev = GENESIS_HASH;
  for (const row of rows) {
    if (row.prev_hash !== prev || chainHash(prev, row) !== row.hash) return row.id;
    prev = row.hash;
  }
  return null;
}

/** The outcome of `verifyAudit` (src/store/audit.ts) as the store reports it. */
export interface ChainVerdict {
  rows: number;
  first_bad_row: number | null;
  anchored_id: number | null;
  unanchored_rows: number;
  problem: 'chain' | 'accounts' | 'anchor_missing' | 'anchor_changed' | null;
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
    case 'accounts':
      return `the chain is BROKEN at row ${v.first_bad_row} (of ${v.rows}): the account ids kept with it were altered`;
    case 'anchor_missing':
      return `the chain is BROKEN: row ${v.anchored_id}, which the platform anchored, is gone (rows from ${v.first_bad_row} on were cut off)`;
    case 'anchor_changed':
      return `the chain is BROKEN: row ${v.anchored_id}, which the platform anchored, is no longer the same (rows up to it were rewritten)`;
  }
}
