// Finding the person at the desk: what they gave (an address, an account id, or a name and date of birth) is
// looked up exactly as `cx lookup` does it (audited, the same card); several matches are picked from, and an
// address with no account offers lookup's own suggestions (a domain typo, a near address) to try instead.
import type { Match, LookupReport } from '../actions/lookup.js';
import { runLookup, type LookupOptions, type LookupShown } from '../commands/lookup.js';
import { UsageError } from '../errors.js';
import { BLANK, note, printError } from '../render/index.js';
import { DATE_HINT, isCalendarDate } from '../rules/dates.js';
import { needsFor, type Need } from './act.js';
import type { Session } from './session.js';

/**
 * How the account on the screen was found: by the address the person gave (the commands' own requester rules
 * then apply), by their name and date of birth, or in a way that shows nothing of who is asking: a name
 * alone, an account id, a suggestion picked for an address that has no account.
 */
export type FoundBy = 'address' | 'name_and_dob' | 'name' | 'id' | 'suggestion';

/** The person on the screen, and the address the action is given for them. */
export interface Person {
  match: Match;
  /**
   * The address the person gave, as lookup read it (without a name pasted with it), when the account was found
   * by an address (so the command's own rules apply: a +alias of another family member is not this account),
   * else (a name, an id) the account's own address.
   */
  address: string;
  foundBy: FoundBy;
  /**
   * Set once the person has shown the account is theirs at the desk (src/desk/identity.ts): by the date of
   * birth, or by the address the request came from (which a deactivation then names as its requester).
   */
  confirmed?: { by: 'dob' } | { by: 'address'; requester: string };
}

/**
 * The address an action is given for a match, exactly as the single command would be given it: the address
 * lookup read out of what was typed (a name pasted with it, `Jane Doe <jane.doe@gmail.com>`, is left out).
 */
export function addressFor(match: Match, report: LookupReport): string {
  return match.matched_by === 'name' || match.matched_by === 'id' ? match.email : (report.address ?? match.email);
}

/**
 * Asks until an account is on the screen (Esc or Ctrl-C: back to the menu). `advice`: the card says what to
 * do next; not when the desk is about to do it (the action's own outcome says what to tell the person).
 */
export async function findPerson(s: Session, advice: boolean): Promise<Person> {
  for (;;) {
    const typed = await s.prompter.text('Who is it? Their address, an account id, or their first and last name:');
    try {
      const { shown, dobGiven } = await lookupTyped(s, typed, advice);
      if (shown.chosen) return { match: shown.chosen, address: addressFor(shown.chosen, shown.report), foundBy: foundBy(shown.chosen, dobGiven) };
      const suggested = await trySuggestion(s, shown.report, advice);
      if (suggested) return suggested;
    } catch (err) {
      // An address that is not one, an id no account has: said, and asked again.
      if (!(err instanceof UsageError)) throw err;
      printError(s.ctx, err.message, err.hint, err.details);
    }
  }
}

function foundBy(match: Match, dobGiven: boolean): FoundBy {
  if (match.matched_by === 'name') return dobGiven ? 'name_and_dob' : 'name';
  return match.matched_by === 'id' ? 'id' : 'address';
}

/** Words with a space and no @ are a name (the date of birth narrows it); anything else an address or id. */
async function lookupTyped(s: Session, typed: string, advice: boolean): Promise<{ shown: LookupShown; dobGiven: boolean }> {
  if (typed.includes('@') || !/\s/.test(typed)) return { shown: await lookup(s, typed, {}, advice), dobGiven: false };
  const dob = await s.prompter.text('Date of birth (YYYY-MM-DD), or Enter to search by the name alone:', {
    optional: true,
    validate: (d) => isCalendarDate(d) || DATE_HINT,
  });
  return { shown: await lookup(s, undefined, { name: typed, dob: dob || undefined }, advice), dobGiven: Boolean(dob) };
}

function lookup(s: Session, typed: string | undefined, opts: LookupOptions, advice: boolean, pickedFrom?: string): Promise<LookupShown> {
  note(s.ctx, BLANK);
  return runLookup(s.ctx, typed, opts, s.db, { advice, ...(pickedFrom ? { pickedFrom } : {}) });
}

/** Nothing found: lookup's suggestions as choices, never applied without the agent picking one. */
async function trySuggestion(s: Session, report: LookupReport, advice: boolean): Promise<Person | null> {
  if (!report.suggested.length) return null;
  const picked = await s.prompter.select<string | null>('Did you mean one of these? Check with the person first:', [
    ...report.suggested.map((x) => ({ name: x.email, value: x.email, description: x.account_id ? `account ${x.account_id} uses this address` : 'no account uses it' })),
    { name: 'None of these: type it again', value: null },
  ]);
  if (picked === null) return null;
  // The card says it is a suggestion: the person gave another address, so who they are is checked first.
  const shown = await lookup(s, picked, {}, advice, report.address ?? report.query.trim());
  return shown.chosen && { match: shown.chosen, address: addressFor(shown.chosen, shown.report), foundBy: 'suggestion' };
}

/** After "find an account": what the situation allows next, or nothing (the next person). */
export async function nextSteps(s: Session, person: Person): Promise<Need | null> {
  const needs = needsFor(person.match);
  return s.prompter.select<Need | null>('What now?', [
    ...needs.map((n) => ({ name: n.label, value: n.need })),
    { name: 'Nothing more: next person', value: null },
  ]);
}
