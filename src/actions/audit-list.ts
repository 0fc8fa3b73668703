// `cx audit`'s rows and its chain check. The rows are listed as stored (the ids of the accounts a row is
// about, never names or notes), filtered by ticket, account or date; a started hand-over (a notes zip, a
// caseload CSV) can be shown with the row that ended it, since a crash can leave one open.
import type { AuditRow } from '../rules/audit-chain.js';
import { accountIdsForAddress } from '../store/accounts.js';
import { countAudit, handoverEnds, listAudit, verifyAudit, type AuditVerification } from '../store/audit.js';
import type { Db } from '../store/db.js';

export interface AuditQuery {
  ticket?: string;
  /** Rows about the account with this address key as its current or a former address. */
  emailKey?: string;
  /** At or after this ISO time (UTC). */
  since?: string;
  /** Only the latest this many (still oldest first); every row when undefined. */
  limit?: number;
  /** Find the row that ended each started hand-over listed (people see it; JSON keeps the rows as stored). */
  withEnds: boolean;
}

export interface AuditListing {
  rows: AuditRow[];
  /** How many match in all: more than the rows when the limit cut them. */
  total: number;
  /** The row that ended each started hand-over listed, by the started row's id (empty unless asked). */
  ends: Map<number, { id: number; action: string }>;
}

export function listAuditLog(db: Db, query: AuditQuery): AuditListing {
  const accountIds = query.emailKey === undefined ? undefined : accountIdsForAddress(db, query.emailKey);
  const filter = { ticket: query.ticket, accountIds, since: query.since };
  const rows = listAudit(db, { ...filter, limit: query.limit });
  const total = query.limit !== undefined && rows.length === query.limit ? countAudit(db, filter) : rows.length;
  return { rows, total, ends: query.withEnds ? handoverEnds(db, rows) : new Map() };
}

/** Walk the hash chain (`cx audit --verify`): where it breaks, if it does, and how much is anchored. */
export function verifyAuditLog(db: Db): AuditVerification {
  return verifyAudit(db);
}
