// Which action a ticket type runs. Batch calls the very same actions as the single commands: this table
// only maps a ticket row's columns to an action's input.
import { findByAddress, type MatchedBy } from '../actions/find-account.js';
import { lookupName } from '../actions/lookup.js';
import { checkAddress } from '../rules/address.js';
import { deactivateAdvice, lookupAdvice, lookupSuggestionAdvice, offboardAdvice, resetAdvice, resubscribeAdvice, type Advice, type GuidanceContext, type LookupSubject } from '../rules/guidance.js';
import { fullName } from '../rules/names.js';
import { effectiveStatus, scheduledEnd } from '../rules/contract.js';
import { isCalendarDate, today } from '../rules/dates.js';
import { describeSuppression } from '../rules/outgoing-email.js';
import { suggestAddresses } from '../actions/lookup-suggest.js';
import { result, type ActionDeps, type ActionResult } from '../actions/common.js';
import type { AlreadyRecorded, LookupTicketResult, NotesExportResult, Outcome, Result } from '../actions/result.js';
import type { EmailSettings } from '../config/email.js';
import type { RetentionPolicy } from '../rules/policy.js';
import { suppressionFor, type Account } from '../store/accounts.js';
import type { TicketRow, TicketType } from './input.js';
import { mkdirSync } from 'node:fs';
import { deactivateClient } from '../actions/deactivate.js';
import { exportNotes, type NotesExportInput } from '../actions/notes-export.js';
import type { HandoverRuntime } from '../actions/handover.js';
import type { Protected } from '../files/output-file.js';
import { offboardProvider } from '../actions/offboard.js';
import { resetPassword } from '../actions/reset.js';
import { resubscribe } from '../actions/resubscribe.js';
import { plural } from '../rules/plural.js';

/** What every row of one batch shares, beyond the action's own deps. */
export interface BatchSettings {
  /** Where notes_export rows write their zips (--notes-dir, default ./exports), as an absolute path. */
  notesDir: string;
  /** The retention policy deactivate_client rows use (--policy, $CX_POLICY, else the defaults). */
  policy: RetentionPolicy;
  /** Files a notes zip may never replace besides the mirror: the batch's input and results. */
  protect?: readonly Protected[];
  /** The brand and the reset window the email rows use (CX_BRAND, CX_RESET_WINDOW_MINUTES). */
  email: EmailSettings;
  /** Times as the agent reads them, for the replies (src/render/advice.ts); ISO times without it. */
  clock?: Pick<GuidanceContext, 'at' | 'ago'>;
}

/**
 * What a row's results give beside the contract's columns (issue 21, part 5): the words for the person (the
 * Tell lines the single command prints), and for a row that found no account, the addresses `cx lookup`
 * would suggest (or the +alias account's own address, src/actions/common.ts changeAccountOf).
 */
export interface Reply {
  tell: string;
  suggestions: string[];
}

/** An action's result as a batch row reads it: its base, and the reply when the action's type has one. */
export type TicketResult = ActionResult & { reply?: Reply };

/** A ticket type's action: the same action as the single command; the batch reads its result's base. */
export type TicketAction = (deps: ActionDeps, row: TicketRow, ctx: BatchSettings) => TicketResult | Promise<TicketResult>;

/** What an unlocked action returns: already_done only as the ledger's earlier record, with its time. */
export type UnlockedResult = (Result<Exclude<Outcome, 'already_done'>> | AlreadyRecorded) & { reply?: Reply };

/**
 * An action that must not run inside the batch's write lock (a notes export zips for seconds or minutes).
 * Called as a TicketAction for a dry run (inside the batch's read transaction); for real, `unlocked` runs
 * with no transaction open: it reads from its own snapshot and takes the lock through `runtime.transact`
 * for its short steps, recording the ticket through `runtime.ledger` in its last one (src/batch/unlocked.ts).
 */
export interface UnlockedTicketAction extends TicketAction {
  unlocked(deps: ActionDeps, row: TicketRow, ctx: BatchSettings, runtime: UnlockedRuntime): Promise<UnlockedResult>;
}

export type UnlockedRuntime = HandoverRuntime & Required<Pick<HandoverRuntime, 'transact' | 'ledger'>>;

export type DispatchTable = Record<TicketType, TicketAction>;

export function isUnlocked(action: TicketAction): action is UnlockedTicketAction {
  return 'unlocked' in action;
}

/**
 * Rules for each row type (the contract's optional columns):
 * - resubscribe never forces: a bounce or a complaint is refused, as `cx resubscribe` without --force.
 * - deactivate_client: `requested_by` is the address the request came from (checked by the action).
 * - provider_termination: `until` is the effective date, the day the termination takes effect (today when
 *   empty; a future day schedules it, more than 30 days back is refused: cx offboard --allow-past does it);
 *   `since` is not used.
 * - notes_export: `client_email` narrows to one client, `since`/`until` bound the session dates. It runs
 *   unlocked (see UnlockedTicketAction): the zip is written with no write lock held, then its started row
 *   is committed, then the zip renamed into place and the ticket recorded with the completing row. A crash
 *   in between leaves at most a started row and no record; the re-run writes the same zip again (named
 *   after deps.ticket). A ticket already recorded is never exported again.
 */
export const DISPATCH: DispatchTable = {
  lookup: lookupTicket,
  password_reset: replying((deps, row, ctx) => resetPassword(deps, { email: row.email, settings: ctx.email }), resetAdvice),
  resubscribe: replying((deps, row, ctx) => resubscribe(deps, { email: row.email, settings: ctx.email }), resubscribeAdvice),
  deactivate_client: replying(
    (deps, row, ctx) => deactivateClient(deps, { email: row.email, requestedBy: row.fields.requestedBy, policy: ctx.policy, settings: ctx.email }),
    deactivateAdvice,
  ),
  provider_termination: replying((deps, row) => offboardProvider(deps, { email: row.email, effective: row.fields.until }), offboardAdvice),
  // A zip is handed over by the agent, not told: a notes row's reply is its suggestions alone.
  notes_export: Object.assign((deps: ActionDeps, row: TicketRow, ctx: BatchSettings) => exportNotes(deps, notesInput(row, ctx)).then((r) => withReply(deps, row, r, [])), {
    unlocked: async (deps: ActionDeps, row: TicketRow, ctx: BatchSettings, runtime: HandoverRuntime): Promise<NotesExportResult & { reply?: Reply }> => {
      mkdirSync(ctx.notesDir, { recursive: true });
      const r = await exportNotes(deps, notesInput(row, ctx), runtime);
      return withReply(deps, row, r, []);
    },
  }),
};

/** The advice a single command prints for its result, read in the batch for the row's reply. */
type AdviceFor<R> = (r: R, c: GuidanceContext) => Advice[];

/** An action whose rows carry a reply: the Tell lines of its own advice (src/rules/guidance.ts). */
function replying<R extends ActionResult>(action: (deps: ActionDeps, row: TicketRow, ctx: BatchSettings) => R, advise: AdviceFor<R>): TicketAction {
  return (deps, row, ctx) => {
    const r = action(deps, row, ctx);
    return withReply(deps, row, r, advise(r, guidanceFor(deps, row, ctx)));
  };
}

/** The words for the person: the advice's Tell lines (a pending change's are true once the batch's changes are pushed). */
function tellText(advice: readonly Advice[]): string {
  return advice.filter((a) => a.kind === 'tell').map((a) => a.text).join(' ');
}

/**
 * The result with its reply; a row that found no account also gets lookup's "did you mean" in its detail
 * (never looked up in the person's place), unless the detail already names the address to use.
 */
function withReply<R extends ActionResult>(deps: ActionDeps, row: TicketRow, r: R, advice: readonly Advice[]): R & { reply: Reply } {
  const suggestions = r.outcome === 'not_found' && r.account_id === null ? didYouMean(deps, row.email, r) : [];
  const hint = suggestions.length && !('try_address' in r) ? didYouMeanText(suggestions) : '';
  return { ...r, detail: r.detail + hint, reply: { tell: tellText(advice), suggestions } };
}

/** The +alias account's own address when the action named it; else what `cx lookup` suggests for the address. */
function didYouMean(deps: ActionDeps, typed: string, r: ActionResult & { try_address?: string }): string[] {
  if (typeof r.try_address === 'string') return [r.try_address];
  const checked = checkAddress(typed);
  return checked.ok ? suggestAddresses(deps.db, checked.parsed.address) : [];
}

function didYouMeanText(suggestions: readonly string[]): string {
  return `; did you mean ${suggestions.join(' or ')}? (check with the person; not looked up)`;
}

/** The guidance context of a row: its ticket and address, the batch's brand, window and clock. */
function guidanceFor(deps: ActionDeps, row: TicketRow, ctx: BatchSettings): GuidanceContext {
  return {
    ticket: deps.ticket,
    brand: ctx.email.brand,
    typed: row.email,
    at: ctx.clock?.at ?? ((iso) => iso),
    ago: ctx.clock?.ago ?? (() => ''),
    windowMinutes: ctx.email.resetWindowMinutes,
    today: today(deps.now),
    yes: true,
  };
}

/**
 * A dry run creates nothing: the action is told the folder will be made, so it plans as for real. The zip
 * is named after the ticket, so a re-run after a crash (zip written, ticket not yet recorded) rewrites the
 * same file: `force` is safe here, a recorded ticket is never exported again.
 */
function notesInput(row: TicketRow, ctx: BatchSettings): NotesExportInput {
  return {
    email: row.email,
    outDir: ctx.notesDir,
    client: row.fields.clientEmail,
    since: row.fields.since,
    until: row.fields.until,
    force: true,
    createsOutDir: true,
    protect: ctx.protect,
  };
}

const FOUND_BY: Record<MatchedBy, string> = {
  email: 'current address',
  former_email: 'a former address',
  mailbox: 'the same mailbox written another way',
};

function describeAccount(deps: ActionDeps, a: Account): string {
  const facts: string[] = [a.role, effectiveStatus(a, today(deps.now))];
  const ends = scheduledEnd(a, today(deps.now));
  if (ends) facts.push(`contract ends on ${ends}`);
  if (a.email_verified_at === null) facts.push('email not verified');
  const suppressed = suppressionFor(deps.db, a.email_key);
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
    const r = result(outcome, `found by ${by}: ${describeAccount(deps, only)}`, only.id);
    return withReply(deps, row, r, lookupAdvice(subjectOf(deps, only, found.matchedBy), { brand: ctx.email.brand, address: found.address }));
  }
  const list = found.accounts.map((a) => describeAccount(deps, a)).join('; ');
  return result(outcome, `${plural(found.accounts.length, 'account')} found by ${by}: ${list}`, null);
}

/** What lookup's advice reads of an account (the card's Match has the same facts). */
function subjectOf(deps: ActionDeps, a: Account, matchedBy: LookupSubject['matched_by']): LookupSubject {
  const suppressed = suppressionFor(deps.db, a.email_key);
  return {
    email: a.email,
    name: fullName(a),
    status: effectiveStatus(a, today(deps.now)),
    verified: a.email_verified_at !== null,
    matched_by: matchedBy,
    suppression: suppressed ? { reason: suppressed.reason, since: suppressed.created_at.slice(0, 10) } : null,
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
