// Candidate addresses for "did you mean" when a lookup finds nothing, read from two indexes and never by
// scanning the table: accounts_by_email (same start of the address) and accounts_by_email_rev (the reversed
// address: same domain and same end of the local part). Both read the index alone and stop after a cap, so a
// short or common prefix costs a bounded number of index entries, not a pass over millions of rows.
import { sql, type Db } from './db.js';

/** Index entries read per side at most; the edit-distance filter runs on these in the action. */
export const SUGGEST_SCAN_CAP = 1000;

// Only addresses within `@slack` characters of the typed length can be within that many edits of it.
export const SUGGEST_SQL = {
  byPrefix: `SELECT email_key FROM (
       SELECT email_key FROM accounts WHERE email_key >= @lo AND email_key < @hi ORDER BY email_key LIMIT ${SUGGEST_SCAN_CAP}
     ) WHERE substr(email_key, -length(@at_domain)) = @at_domain AND abs(length(email_key) - @length) <= @slack`,
  byReversedPrefix: `SELECT email_rev FROM (
       SELECT email_rev FROM accounts WHERE email_rev >= @lo AND email_rev < @hi ORDER BY email_rev LIMIT ${SUGGEST_SCAN_CAP}
     ) WHERE abs(length(email_rev) - @length) <= @slack`,
} as const;

/** The greatest code point: `prefix + TOP` sorts after every string that starts with `prefix`. */
const TOP = '\u{10FFFF}';

/** Lengths are compared as SQLite counts them (characters). */
interface Near {
  /** The length of the whole typed address. */
  length: number;
  /** How far a candidate's length may differ. */
  slack: number;
}

/** Current addresses (lookup keys) that start with `prefix`, end with `@domain`, and have about the length. */
export function emailKeysWithPrefix(db: Db, prefix: string, domain: string, near: Near): string[] {
  const rows = sql<{ email_key: string }>(db, SUGGEST_SQL.byPrefix).all({ lo: prefix, hi: prefix + TOP, at_domain: `@${domain}`, ...near });
  return rows.map((r) => r.email_key);
}

/** Current addresses (lookup keys) that end with `suffix` (e.g. "ramen@hotmail.com") and have about the length. */
export function emailKeysWithSuffix(db: Db, suffix: string, near: Near): string[] {
  const lo = reverse(suffix);
  const rows = sql<{ email_rev: string }>(db, SUGGEST_SQL.byReversedPrefix).all({ lo, hi: lo + TOP, ...near });
  return rows.map((r) => reverse(r.email_rev));
}

/** By code point, as the import writes email_rev. */
function reverse(s: string): string {
  return [...s].reverse().join('');
}
