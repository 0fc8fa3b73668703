// What every action shares: its dependencies, how it builds a result, how it finds the one account a
// change is about, and how it records the change in the audit log.
//
// The convention: an action is a synchronous function (deps, input) -> its result (src/actions/result.ts:
// ActionResult, or a change's own union on `outcome`). It never prints,
// prompts or exits. Under deps.dryRun it decides exactly as it would for real and returns `planned`
// (or the refusal / not_found / already_done it would return) without writing anything. For real, it
// does its writes, outbox rows and audit row inside one writeTransaction, so they commit together; inside
// a batch that transaction becomes a savepoint of the batch's transaction.
import type { Outcome } from '../errors.js';
import { checkAddress, plusTag } from '../rules/address.js';
import { isoTime } from '../rules/dates.js';
import { readPasted } from '../rules/pasted-address.js';
import type { TicketAction } from '../rules/tickets.js';
import type { Account } from '../store/accounts.js';
import { appendAudit } from '../store/audit.js';
import { recordChange, type ChangeData, type ChangeKind, type ChangeRow } from '../store/changes.js';
import type { Db } from '../store/db.js';
import { recordProcessed } from '../store/processed-tickets.js';
import { findByAddress, type Found, type MatchedBy } from './find-account.js';
import type { ActionResult, NoSingleAccount } from './result.js';

export type { ActionResult };

export interface ActionDeps {
  db: Db;
  now: Date;
  agent: string;
  /** The ticket the change is filed under ('' only for a dry run, which records nothing). */
  ticket: string;
  /** The help desk the ticket belongs to (docs/reference.md#tickets): part of every change's identity. */
  desk: string;
  dryRun: boolean;
  /**
   * Who runs the action. A batch records every ticket row in the ledger itself; a single command's change
   * is recorded by the action (recordTicket), in the change's own transaction.
   */
  via: 'command' | 'batch';
}

/** A result: its outcome, detail and account first, then the keys the action adds (`extra`), in that order. */
export function result<O extends Outcome, A extends string | null>(outcome: O, detail: string, accountId: A): { outcome: O; detail: string; account_id: A };
export function result<O extends Outcome, A extends string | null, X extends object>(
  outcome: O,
  detail: string,
  accountId: A,
  extra: X,
): { outcome: O; detail: string; account_id: A } & X;
export function result(outcome: Outcome, detail: string, accountId: string | null, extra: object = {}): ActionResult {
  return { outcome, detail, account_id: accountId, ...extra };
}

export type AccountForChange = { account: Account; matchedBy: MatchedBy } | { refusal: NoSingleAccount };

/**
 * The single account a change is about. An invalid address, no account, or an address that identifies
 * several accounts (e.g. two stored spellings of one Gmail mailbox) end the action with that outcome.
 * A match that only holds once a +tag is added or dropped is not taken for a change: +alias addresses
 * are how families share a mailbox, so `jane.doe+max@gmail.com` (no account) must not deactivate Jane,
 * nor `jane.doe@gmail.com` (no account) act on Sam's `jane.doe+sam@gmail.com`. Lookup still shows it.
 */
export function accountForChange(db: Db, rawAddress: string): AccountForChange {
  const change = changeAccountOf(findByAddress(db, rawAddress));
  // Pasted with a name (`Jane Doe <jane.doe@gmail.com>`): lookup reads the address out of it, a change does
  // not (it acts only on an address typed as it is), but says which address to give it.
  if ('refusal' in change && change.refusal.outcome === 'invalid') {
    const pasted = readPasted(rawAddress);
    const checked = pasted && checkAddress(pasted.address);
    if (checked?.ok) return { refusal: { ...change.refusal, try_address: checked.parsed.address } };
  }
  return change;
}

/** accountForChange on an address already searched. */
export function changeAccountOf(found: Found): AccountForChange {
  if (found.kind === 'invalid') return { refusal: result('invalid', `not a usable address: ${found.reason}`, null) };
  if (found.kind === 'not_found') {
    return { refusal: result('not_found', `no account uses ${found.address} (current or former address, or the same mailbox)`, null) };
  }
  if (found.accounts.length > 1) {
    const list = found.accounts.map((a) => `${a.id} <${a.email}>`).join(', ');
    const candidates = found.accounts.map((a) => ({ id: a.id, email: a.email }));
    return { refusal: result('refused', `${found.address} matches ${found.accounts.length} accounts (${list}); use the exact address`, null, { candidates }) };
  }
  const account = found.accounts[0]!;
  if (found.matchedBy === 'mailbox' && plusTag(found.address) !== plusTag(account.email_key)) {
    // What cx lookup shows for the address comes first: the account, and the exact address a change needs.
    return {
      refusal: result(
        'not_found',
        `${account.email} (account ${account.id}) is the account at this mailbox, but no account uses ${found.address} itself: ` +
          `a different +alias address may be another family member's, so nothing is changed through it; if it is this person, use ${account.email}`,
        null,
        { try_address: account.email },
      ),
    };
  }
  return { account, matchedBy: found.matchedBy };
}

/** Append the audit row of a change; call inside the change's writeTransaction. */
export function audit(deps: ActionDeps, action: string, r: ActionResult): void {
  appendAudit(deps.db, { agent: deps.agent, action, ticket: deps.ticket || null, account_id: r.account_id, outcome: r.outcome, detail: r.detail }, deps.now);
}

export { accountLabel, fullName } from '../rules/names.js';

/** Record a pending change for the platform; call inside the change's writeTransaction. */
export function recordChangeFor<K extends ChangeKind>(
  deps: ActionDeps,
  action: TicketAction,
  kind: K,
  accountId: string | null,
  data: ChangeData[K],
): ChangeRow {
  return recordChange(deps.db, { kind, accountId, desk: deps.desk, ticket: deps.ticket, action, agent: deps.agent, now: deps.now, data });
}

/** The desk, ticket, agent and clock an email change needs (store/outbox.ts enqueueEmail). */
export function emailContext(deps: ActionDeps, action: TicketAction) {
  return { desk: deps.desk, ticket: deps.ticket, action, agent: deps.agent, now: deps.now };
}

/**
 * A single command's change goes into the ticket ledger (docs/reference.md#tickets), so that a batch row for
 * the same desk, ticket, action and account later reports already_done. Call inside the change's
 * transaction, after its audit row. A batch records its rows itself (src/batch/run.ts).
 */
export function recordTicket(deps: ActionDeps, action: TicketAction, typed: string, r: ActionResult): void {
  if (deps.via !== 'command' || r.outcome !== 'done' || !deps.ticket) return;
  recordProcessed(deps.db, {
    desk: deps.desk,
    ticket_id: deps.ticket,
    action,
    account_id: r.account_id ?? '',
    email: typed,
    outcome: r.outcome,
    detail: r.detail,
    agent: deps.agent,
    processed_at: isoTime(deps.now),
    via: 'command',
  });
}
