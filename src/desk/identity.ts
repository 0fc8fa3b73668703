// Who is asking, before the desk changes an account that was not found by the address the person gave: a
// name alone (two people may share it), an account id, a suggestion picked for a mistyped address. The
// agent types the date of birth the person says, or the address their request came from, and cx answers
// match or no match (src/actions/identity.ts): the account's own date of birth is never shown. Found by an
// address, or by name and date of birth, the person has shown it already and the commands' own rules stand.
import { checkIdentity, type IdentityAnswer } from '../actions/identity.js';
import { asCxError } from '../errors.js';
import { checkAddress } from '../rules/address.js';
import { DATE_HINT, isCalendarDate } from '../rules/dates.js';
import { unconfirmedIdentityAdvice } from '../rules/guidance.js';
import { MAX_IDENTITY_ANSWERS } from '../rules/identity.js';
import { adviceLines, note, printError } from '../render/index.js';
import type { FoundBy, Person } from './find.js';
import type { Session } from './session.js';

const FOUND: Record<Exclude<FoundBy, 'address' | 'name_and_dob'>, string> = {
  name: 'Found by name',
  id: 'Found by account id',
  suggestion: 'Picked from the suggestions',
};

/**
 * True once the person has shown the account is theirs (asked here when it is not shown yet); false when
 * every answer missed, which has been said, with what to tell them: the change must not go ahead.
 */
export async function confirmWhoIsAsking(s: Session, person: Person): Promise<boolean> {
  if (person.foundBy === 'address' || person.foundBy === 'name_and_dob' || person.confirmed) return true;
  const { ctx, prompter } = s;
  const id = person.match.id;
  note(ctx, `${FOUND[person.foundBy]}: before anything changes, check that the account is theirs. Type what they say; cx says whether it matches (the account's own date of birth is never shown).`);
  for (let missed = 0; missed < MAX_IDENTITY_ANSWERS; ) {
    const dob = await prompter.text('Their date of birth, as they say it (YYYY-MM-DD), or Enter to check the address the request came from instead:', {
      optional: true,
      validate: (d) => isCalendarDate(d) || DATE_HINT,
    });
    const answer: IdentityAnswer = dob
      ? { dob }
      : { address: await prompter.text("The request came from which address? (it must be the account's current or a former address)", { validate: (a) => checkAddress(a).ok || 'an email address' }) };
    const checked = recorded(() => checkIdentity({ db: s.db, agent: ctx.agent, ticket: ctx.ticket, now: ctx.now() }, id, answer));
    if (checked.kind === 'invalid') {
      printError(ctx, `${checked.reason}: nothing was changed`);
      return false;
    }
    if (checked.kind === 'match') {
      note(ctx, `The ${dob ? 'date of birth' : 'address'} matches account ${id}.`);
      person.confirmed = checked.address ? { by: 'address', requester: checked.address } : { by: 'dob' };
      return true;
    }
    missed += 1;
    const left = MAX_IDENTITY_ANSWERS - missed;
    if (left === 0) break;
    printError(
      ctx,
      dob ? `the date of birth they gave does not match account ${id}` : `${checked.address} is neither the current nor a former address of account ${id}`,
      `Ask again (${left} more ${left === 1 ? 'answer' : 'answers'}), or ${dob ? 'press Enter to check the address the request came from' : 'ask for their date of birth'}.`,
    );
  }
  printError(ctx, `${MAX_IDENTITY_ANSWERS} answers did not match account ${id}: nothing was changed`);
  note(ctx, ...adviceLines(unconfirmedIdentityAdvice()));
  return false;
}

/**
 * The check's audit row must be written before the answer is given: a mirror that cannot take it (read-only,
 * another writer holding it past the wait) ends the step with the reason, as a change would, not as a bug.
 */
function recorded<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    throw asCxError(err);
  }
}
