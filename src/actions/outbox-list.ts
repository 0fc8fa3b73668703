// `cx outbox`'s rows: the emails actions have queued, oldest first, filtered by status, address, ticket or
// date. The rows name clients and their addresses, so every listing is a read of PHI, audited here before
// the rows are handed back.
import { accountIdsForAddress } from '../store/accounts.js';
import { countOutbox, listOutbox, OUTBOX_STATUSES, type OutboxRow, type OutboxStatus } from '../store/outbox.js';
import { auditRead, type ReadAuditDeps, type ReadAudited } from './read-audit.js';

export { OUTBOX_STATUSES, type OutboxRow, type OutboxStatus };

export interface OutboxQuery {
  status?: OutboxStatus;
  /** Emails sent to this address key, or about the account with it as its current or a former address. */
  emailKey?: string;
  ticket?: string;
  /** Queued at or after this ISO time (UTC). */
  since?: string;
  /** Only the latest this many (still oldest first); every row when undefined. */
  limit?: number;
}

export interface OutboxListing {
  rows: OutboxRow[];
  /** How many match in all: more than the rows when the limit cut them. */
  total: number;
  audited: ReadAudited;
}

export function listOutboxEmails(deps: ReadAuditDeps, query: OutboxQuery): OutboxListing {
  const { db } = deps;
  const { status, emailKey, ticket, since, limit } = query;
  const accountIds = emailKey === undefined ? undefined : accountIdsForAddress(db, emailKey);
  const filter = { status, emailKey, accountIds, ticket, since };
  const rows = listOutbox(db, filter, limit);
  const total = limit !== undefined && rows.length === limit ? countOutbox(db, filter) : rows.length;
  const ids = rows.flatMap((r) => (r.account_id === null ? [] : [r.account_id]));
  const audited = auditRead(deps, { action: 'outbox', how: emailKey === undefined ? 'the outbox' : 'the emails of an address', accountIds: ids });
  return { rows, total, audited };
}
