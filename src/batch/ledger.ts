// A batch row's place in the ticket ledger (CONTRACTS.md "Tickets"): its exactly-once key and what a row
// already recorded reports.
import { accountForChange, result, type ActionDeps, type ActionResult } from '../actions/common.js';
import { findByAddress } from '../actions/find-account.js';
import type { ProcessedTicket, TicketKey } from '../store/processed-tickets.js';
import type { TicketRow, TicketType } from './input.js';

/**
 * The account a ticket row is about: the one account its address identifies, as the action will find it;
 * '' when it names none (a lookup by name, an address no single account uses). A lookup may match through
 * a +alias, which a change never does.
 */
export function ticketAccount(db: ActionDeps['db'], row: TicketRow): string {
  if (row.email === '') return '';
  if (row.type === 'lookup') {
    const found = findByAddress(db, row.email);
    return found.kind === 'found' && found.accounts.length === 1 ? found.accounts[0]!.id : '';
  }
  const found = accountForChange(db, row.email);
  return 'account' in found ? found.account.id : '';
}

/** The exactly-once key of a checked row: help desk, ticket, action and account. */
export function ticketKey(db: ActionDeps['db'], desk: string, row: TicketRow & { type: TicketType }): TicketKey {
  return { desk, ticket_id: row.ticketId, action: row.type, account_id: ticketAccount(db, row) };
}

/** A row whose change was recorded before: already_done, saying when, by whom and how. */
export function alreadyDone(prior: ProcessedTicket): ActionResult {
  const how = prior.via === 'command' ? 'by hand (a single cx command)' : 'by a batch';
  const detail = `already processed ${how} on ${prior.processed_at} by ${prior.agent}: ${prior.detail}`;
  return result('already_done', detail, prior.account_id || null, { processed_at: prior.processed_at });
}
