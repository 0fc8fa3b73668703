// The batch's lookup tickets: which account the address identifies, as `cx lookup` finds it.
import { findByAddress, type MatchedBy } from '../../actions/find-account.js';
import { result, type ActionDeps } from '../../actions/common.js';
import { lookupName } from '../../actions/lookup.js';
import type { LookupTicketResult } from '../../actions/result.js';
import { effectiveStatus, scheduledEnd } from '../../rules/contract.js';
import { isCalendarDate, today } from '../../rules/dates.js';
import { lookupAdvice, lookupSuggestionAdvice, type LookupSubject } from '../../rules/guidance.js';
import { fullName } from '../../rules/names.js';
import { describeSuppression } from '../../rules/outgoing-email.js';
import { plural } from '../../rules/plural.js';
import { suppressionFor, type Account, type Suppression } from '../../store/accounts.js';
import { pendingEmailOf } from '../../store/outbox.js';
import type { BatchSettings, Reply } from '../dispatch.js';
import type { TicketRow } from '../input.js';
import { withReply } from '../reply.js';

const FOUND_BY: Record<MatchedBy, string> = {
  email: 'current address',
  former_email: 'a former address',
  mailbox: 'the same mailbox written another way',
};

function describeAccount(deps: ActionDeps, a: Account, suppressed: Suppression | undefined): string {
  const day = today(deps.now);
  const facts: string[] = [a.role, effectiveStatus(a, day)];
  const ends = scheduledEnd(a, day);
  if (ends) facts.push(`contract ends on ${ends}`);
  if (a.email_verified_at === null) facts.push('email not verified');
  if (suppressed) facts.push(`emails suppressed (${describeSuppression(suppressed)})`);
  return `${a.id} <${a.email}> ${facts.join(', ')}`;
}

/**
 * A lookup ticket: which account the address identifies (current -> former -> same mailbox), as
 * `cx lookup` finds it. A read: it changes nothing itself; the batch records the ticket (and its audit
 * row) when it is `done`. Several accounts behind one mailbox is still a lookup done (the detail lists
 * them); account_id is set only when there is exactly one.
 */
export function lookupTicket(deps: ActionDeps, row: TicketRow, ctx: BatchSettings): LookupTicketResult & { reply?: Reply } {
  if (row.email === '') return lookupByName(deps, row, ctx);
  const found = findByAddress(deps.db, row.email);
  if (found.kind === 'invalid') return result('invalid', `not a usable address: ${found.reason}`, null);
  if (found.kind === 'not_found') {
    // As `cx lookup` does: likely addresses to check with the person, never looked up in their place.
    const r = result('not_found', `no account uses ${found.address} (current or former address, or the same mailbox)`, null);
    return withReply(deps, row, r, lookupSuggestionAdvice(found.address, []));
  }
  const outcome = deps.dryRun ? 'planned' : 'done';
  const by = FOUND_BY[found.matchedBy];
  const [only, ...more] = found.accounts;
  if (only && more.length === 0) {
    // One read of the suppression list serves the detail and the advice.
    const suppressed = suppressionFor(deps.db, only.email_key);
    const r = result(outcome, `found by ${by}: ${describeAccount(deps, only, suppressed)}`, only.id);
    return withReply(deps, row, r, lookupAdvice(subjectOf(deps, only, found.matchedBy, suppressed), { brand: ctx.email.brand, address: found.address }));
  }
  const list = found.accounts.map((a) => describeAccount(deps, a, suppressionFor(deps.db, a.email_key))).join('; ');
  return result(outcome, `${plural(found.accounts.length, 'account')} found by ${by}: ${list}`, null);
}

/** What lookup's advice reads of an account (the card's Match has the same facts). */
function subjectOf(deps: ActionDeps, a: Account, matchedBy: LookupSubject['matched_by'], suppressed: Suppression | undefined): LookupSubject {
  return {
    email: a.email,
    name: fullName(a),
    status: effectiveStatus(a, today(deps.now)),
    verified: a.email_verified_at !== null,
    matched_by: matchedBy,
    suppression: suppressed ? { reason: suppressed.reason, since: suppressed.created_at.slice(0, 10) } : null,
    pending_email: pendingEmailOf(deps.db, a.id) ?? null,
  };
}

/** A lookup row with no address but a first and last name (and perhaps a dob): as `cx lookup --name`. */
function lookupByName(deps: ActionDeps, row: TicketRow, ctx: BatchSettings): LookupTicketResult & { reply?: Reply } {
  const { firstName = '', lastName = '', dob } = row.fields;
  if (!firstName || !lastName) return result('invalid', 'a lookup needs an address, or a first and a last name', null);
  if (dob !== undefined && !isCalendarDate(dob)) return result('invalid', `dob is not a date (YYYY-MM-DD): ${dob}`, null);
  const typed = `${firstName} ${lastName}`;
  const outcome = lookupName(deps, typed, dob ?? null);
  if (outcome.kind === 'invalid') return result('invalid', outcome.reason, null);
  const { matches } = outcome.report;
  // Minimum necessary: the date of birth narrowed the search; it is never written into a detail.
  const who = dob ? `${typed} (and the date of birth given)` : typed;
  if (!matches.length) return result('not_found', `no account is named ${who}`, null);
  const list = matches.map((m) => `${m.id} <${m.email}> ${m.role}, ${m.status}`).join('; ');
  const [only] = matches;
  const r = result(deps.dryRun ? 'planned' : 'done', `${plural(matches.length, 'account')} named ${who}: ${list}`, matches.length === 1 && only ? only.id : null);
  if (matches.length !== 1 || !only) return r;
  return withReply(deps, row, r, lookupAdvice(only, { brand: ctx.email.brand, address: null, name: typed, dob: dob !== undefined }));
}
