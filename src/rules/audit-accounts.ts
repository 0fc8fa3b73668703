// The accounts an audit row is about beyond its account_id (issue 20 §2): every account a read showed, every
// client whose notes a zip held. All of them are kept in audit_accounts (src/store/audit.ts), however many,
// and the row's detail ends with their count and a digest of the list, so the row's hash (and the platform's
// copy of it) covers the list: an id taken out, changed or added is a broken chain for `cx audit --verify`.
import { thousands } from './plural.js';
import { sha256Hex } from './sha256.js';

/** Ids written out in a detail at most; the rest are counted ("… and 2,000 more"), all of them kept. */
export const MAX_LISTED_IDS = 10_000;

/** "1001, 1003, 1002", or "1001, … and 2,000 more" past MAX_LISTED_IDS. */
export function idList(ids: readonly string[]): string {
  const listed = ids.length > MAX_LISTED_IDS ? ids.slice(0, MAX_LISTED_IDS) : ids;
  const more = ids.length - listed.length;
  return `${listed.join(', ')}${more > 0 ? ` and ${thousands(more)} more` : ''}`;
}

/** The SHA-256 of the ids in the order kept: JSON of the array, so no id can bleed into the next. */
export function accountListDigest(ids: readonly string[]): string {
  return sha256Hex(JSON.stringify(ids));
}

const MARK = /\[account ids: (\d+), sha256 ([0-9a-f]{64})\]$/;

/** The detail of a row that keeps `ids`: its text, then the count and digest of the list. */
export function withAccountList(detail: string, ids: readonly string[]): string {
  return `${detail} [account ids: ${ids.length}, sha256 ${accountListDigest(ids)}]`;
}

/**
 * The detail of a row that keeps no list. Text an agent typed (a path, a reason) may end like a list's mark;
 * it gets a word after it, so that only a row that keeps ids ends with one and `--verify` never mistakes it.
 */
export function withoutAccountList(detail: string): string {
  return MARK.test(detail) ? `${detail} (not a list of account ids)` : detail;
}

/** The count and digest a detail ends with, or null for a row that keeps no list. */
export function accountListIn(detail: string): { count: number; sha256: string } | null {
  const m = MARK.exec(detail);
  return m ? { count: Number(m[1]), sha256: m[2]! } : null;
}

/** Whether the ids kept with a row are the ones its detail committed to (none when it committed to none). */
export function accountListHolds(detail: string, kept: readonly string[]): boolean {
  const mark = accountListIn(detail);
  if (mark === null) return kept.length === 0;
  return mark.count === kept.length && mark.sha256 === accountListDigest(kept);
}

/**
 * The ids a read row written before audit_accounts existed lists in its detail ("…: showed 3 accounts: 1001,
 * 1003, 1002", or "… and 2000 more", "… and 2,000 more" when cut): the same whole ids `cx audit --email`
 * matches in such rows.
 */
export function idsListedInOldRead(detail: string): string[] {
  const at = detail.indexOf(' accounts: ');
  if (at < 0) return [];
  const list = detail.slice(at + ' accounts: '.length).replace(/ and [\d,]+ more$/, '');
  return list.split(', ').filter((id) => id !== '');
}
