// `cx audit`'s rows and its chain check. The rows are listed as stored, filtered by ticket, account or date;
// a started hand-over (a notes zip, a caseload CSV) can be shown with the row that ended it, since a crash
// can leave one open. Their details name clients and addresses, and give retention dates: listing them is a
// read of PHI like any other, audited (`audit.read`) with every account the rows shown are about. The chain
// verdict of --verify shows counts, row ids and hashes only: not a read of PHI, and it writes nothing.
import { idsListedInOldRead } from '../rules/audit-accounts.js';
import type { AuditRow } from '../rules/audit-chain.js';
import { accountIdsForAddress } from '../store/accounts.js';
import { auditListsFrom, countAudit, handoverEnds, keptAccounts, listAudit, verifyAudit, type AuditVerification } from '../store/audit.js';
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

/**
 * Every account the rows are about, in the order listed: each row's account_id, then the accounts it keeps
 * (audit_accounts); a read row from before audit_accounts existed names its accounts in its detail only.
 */
export function accountsShown(db: Db, rows: readonly AuditRow[]): string[] {
  const kept = keptAccounts(db, rows.map((r) => r.id));
  const listsFrom = auditListsFrom(db);
  const ids = new Set<string>();
  for (const row of rows) {
    if (row.account_id !== null) ids.add(row.account_id);
    const listed = row.id < listsFrom && row.account_id === null && row.outcome === 'read' ? idsListedInOldRead(row.detail) : (kept.get(row.id) ?? []);
    for (const id of listed) ids.add(id);
  }
  return [...ids];
}

/** How the rows were asked for, for the read's audit row: the filters named, never the address typed. */
export function listingHow(query: Pick<AuditQuery, 'ticket' | 'emailKey' | 'since'>, rows: number): string {
  const filters = [query.ticket && 'its ticket', query.emailKey !== undefined && 'about an address', query.since && `since ${query.since}`].filter(Boolean);
  return `the log${filters.length ? ` (${filters.join(', ')})` : ''}, ${rows} row${rows === 1 ? '' : 's'}`;
}

/** Walk the hash chain (`cx audit --verify`): where it breaks, if it does, and how much is anchored. */
export function verifyAuditLog(db: Db): AuditVerification {
  return verifyAudit(db);
}
