// A batch row's place in the ticket ledger (docs/reference.md#tickets): its exactly-once key and what a row
// already recorded reports.
import { changeAccountOf, result, type ActionDeps } from '../actions/common.js';
import type { AlreadyRecorded } from '../actions/result.js';
import { findByAddress, type Found } from '../actions/find-account.js';
import { processedTicket, type ProcessedTicket, type TicketKey } from '../store/processed-tickets.js';
import type { TicketRow, TicketType } from './input.js';

/**
 * The account a ticket row is about: the one account its address identifies, as the action will find it;
 * '' when it names none (a lookup by name, an address no single account uses). A lookup may match through
 * a +alias, which a change never does. With the search's answer, for the action (see withFound).
 */
export function ticketAccountFound(db: ActionDeps['db'], row: TicketRow, type: TicketType): { accountId: string; found: Found | null } {
  if (row.email === '') return { accountId: '', found: null };
  const found = findByAddress(db, row.email);
  if (type === 'lookup') return { accountId: found.kind === 'found' && found.accounts.length === 1 ? found.accounts[0]!.id : '', found };
  const change = changeAccountOf(found);
  return { accountId: 'account' in change ? change.account.id : '', found };
}

/** The exactly-once key of a checked row (of this type): help desk, ticket, action and account. */
export function ticketKey(db: ActionDeps['db'], desk: string, row: TicketRow, type: TicketType): TicketKey {
  return ticketKeyFound(db, desk, row, type).key;
}

/** ticketKey, with the address search's answer for the action (see withFound). */
export function ticketKeyFound(db: ActionDeps['db'], desk: string, row: TicketRow, type: TicketType): { key: TicketKey; found: Found | null } {
  const { accountId, found } = ticketAccountFound(db, row, type);
  return { key: { desk, ticket_id: row.ticketId, action: type, account_id: accountId }, found };
}

/** How many of these rows the ledger already holds (the plan says so before the question): checked rows only. */
export function countRecorded(db: ActionDeps['db'], desk: string, rows: Iterable<TicketRow>): number {
  let recorded = 0;
  for (const r of rows) {
    if (r.problem !== null || r.type === null) continue;
    if (processedTicket(db, ticketKey(db, desk, r, r.type))) recorded++;
  }
  return recorded;
}

/** A row whose change was recorded before: already_done, saying when, by whom and how. */
export function alreadyDone(prior: ProcessedTicket): AlreadyRecorded {
  const how = prior.via === 'command' ? 'by hand (a single cx command)' : 'by a batch';
  const detail = `already processed ${how} on ${prior.processed_at} by ${prior.agent}: ${prior.detail}`;
  return result('already_done', detail, prior.account_id || null, { processed_at: prior.processed_at });
}
