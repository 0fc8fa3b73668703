// The audit log's hash chain: each row's hash covers its own fields and the previous row's hash, so an
// edit, a deletion or a reordering anywhere breaks every hash after it.
import { createHash } from 'node:crypto';

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
  return createHash('sha256').update(canonical).digest('hex');
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
