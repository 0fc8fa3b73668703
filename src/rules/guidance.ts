// What the agent tells the person and does next, for every outcome an agent meets (issue 12, "Guidance on
// every outcome"). One place for the words, so that a reset, a batch and the desk say the same thing. Pure:
// it reads the result an action returned and gives back advice; the renderer turns it into lines, each
// command on a line of its own, ready to paste (shell-quoted). No link, no token, no date of birth.
// The results are the actions' own types (src/actions/result.ts, a module of types alone, imported as
// types: nothing of the actions runs here), read by their keys or tested with has(), so a key an action
// renames stops this file compiling.
import type { DeactivateResult, NotesExportResult, OffboardResult, ResetResult, ResubscribeResult } from '../actions/result.js';
import { isResetTemplate, resetEmailLabel, type ResetTemplate, type SuppressionReason } from './outgoing-email.js';
import { has } from '../has.js';
import { plusTag } from './email-mailbox.js';
import type { FamilyIssue } from './family-hygiene.js';
import { commandLine, withFlags } from './command-line.js';
import { notesZipName } from './notes-zip-name.js';
import { shellWord } from './shell.js';
import { plural } from './plural.js';

/**
 * One piece of advice: what to say to the person, what to do next (with its commands), or a fact to know.
 * A `tell` is words for the person (a batch writes them into its results as the ticket's reply); what only
 * the agent reads goes in a `next`.
 */
export interface Advice {
  kind: 'tell' | 'ask' | 'next' | 'note';
  text: string;
  commands?: string[];
  /** Whom to tell (or ask), when it is not the person asking ("the provider", "the family"). */
  to?: string;
  /** When to tell it, when not now ("once it is sent": a change that waits for `cx sync push`). */
  when?: string;
}

export interface GuidanceContext {
  /** The ticket the commands should name ('' or undefined: a placeholder). */
  ticket?: string;
  brand: string;
  /** What the agent typed: the commands repeat it when no account gave a better address. */
  typed: string;
  /** A clock time in the agent's zone ("today 22:31") and how long ago it was ("3 min ago"). */
  at: (iso: string) => string;
  ago: (iso: string) => string;
  windowMinutes?: number;
  /** Today (YYYY-MM-DD, as the actions date things): a suggested zip gets the name cx would give it today. */
  today: string;
  /**
   * The commands that change something carry --yes, so that they run as pasted: there is no terminal to
   * confirm in, or the agent answered the confirmation with --yes already.
   */
  yes?: boolean;
  /** The mirror as `--db <path>`, when the agent named it with the flag: every command names the same one. */
  db?: string;
  /** The words the agent typed after `cx`, for a fix that is their command with a flag added (src/context.ts). */
  argv?: readonly string[];
}

/** What a command line needs from the run: its ticket, --yes, the mirror. */
export type CommandContext = Pick<GuidanceContext, 'ticket' | 'yes' | 'db'>;

const tell = (text: string, when?: string): Advice => ({ kind: 'tell', text, ...(when ? { when } : {}) });
const next = (text: string, ...commands: string[]): Advice => ({ kind: 'next', text, ...(commands.length ? { commands } : {}) });
const fact = (text: string): Advice => ({ kind: 'note', text });

function ticketWord(ticket: string | undefined): string {
  return ticket ? shellWord(ticket) : '<ticket>';
}

/**
 * A change as a complete command: `cx <verb> <address> [extra] --ticket T [--yes] [--db …]`, quoted for the
 * shell; the ticket a placeholder only when the run had none.
 */
export function commandFor(verb: string, address: string, c: CommandContext, extra = ''): string {
  return `cx ${verb} ${shellWord(address)}${extra ? ` ${extra}` : ''} --ticket ${ticketWord(c.ticket)}${c.yes ? ' --yes' : ''}${dbFlag(c)}`;
}

/**
 * A command that reads: `cx <words> [--ticket T] [--db …]`, no confirmation. The read is audited under the
 * ticket, so the ticket the run had goes with it (none given: none, a read needs none).
 */
export function readCommand(words: string, c: CommandContext): string {
  return `cx ${words}${c.ticket ? ` --ticket ${shellWord(c.ticket)}` : ''}${dbFlag(c)}`;
}

/** A command cx built elsewhere (a result's `fix`), with --yes and the mirror as this run needs them. */
export function completed(command: string, c: CommandContext): string {
  return `${command}${c.yes && !/ --yes\b/.test(command) ? ' --yes' : ''}${dbFlag(c)}`;
}

function dbFlag(c: CommandContext): string {
  return c.db === undefined ? '' : ` --db ${shellWord(c.db)}`;
}

/** Pending changes reach the platform with the next push: this sends them now. */
export function pushCommand(c: CommandContext): string {
  // No ticket: each change goes with the ticket it was made under (cx sync push refuses --ticket).
  return `cx sync push${dbFlag(c)}`;
}

/** The "push first" step of a change that recorded one or more pending changes. */
function pushFirst(what: string, c: CommandContext): Advice {
  return next(`${what}; send it now:`, pushCommand(c));
}

const ONCE_SENT = 'once it is sent';

const SPAM = 'If it is not in the inbox within a few minutes, ask them to check the spam and promotions folders.';
const EXPIRES = 'The link in it expires, so they should use it soon; if it has expired, they can ask for a new one.';

/**
 * A closed account: cx cannot reopen it. Reopening is an administrator's job on the platform; otherwise the
 * person signs up again. (The platform's help centre is the authority on who may reopen an account.)
 */
const DEACTIVATED = (since: string) =>
  `their account was closed${since} and cannot sign in. cx cannot reopen it: an administrator can reactivate it on the platform (escalate the ticket if they want it back), or they can sign up for a new account.`;

const TERMINATED = (ended: string) =>
  `this provider's contract with the platform has ended${ended}, so the account cannot sign in. Their clients' records stay on the platform; the provider's own progress notes can be exported for them on request.`;

const FORCE = '--force --reason "<why>"';

/** Why mail is blocked and how to lift it; shared by reset, resubscribe and lookup. */
export function suppressionAdvice(reason: SuppressionReason, address: string, since: string, c: CommandContext & Pick<GuidanceContext, 'brand'>, forReset: boolean): Advice[] {
  const on = since.slice(0, 10);
  switch (reason) {
    case 'unsubscribe':
      return [
        tell(`they unsubscribed from ${c.brand} email on ${on}, and one unsubscribe stops every email, password resets included. Ask whether they want ${c.brand} email again.`),
        forReset
          ? next('If they agree, take the address off the list and queue the reset in one step:', commandFor('reset', address, c, '--resubscribe'))
          : next('If they agree, take the address off the list:', commandFor('resubscribe', address, c)),
      ];
    case 'bounce':
      return [
        tell(`email to ${address} bounced on ${on}, so the address does not work. Check the address with them: if it is wrong, it is corrected on the platform.`),
        next('Only if they confirm this address works, lift the bounce (the reason goes in the audit log):', commandFor('resubscribe', address, c, FORCE)),
      ];
    case 'complaint':
      return [
        tell(`this address marked a ${c.brand} email as spam on ${on}, so all email to it is blocked. Ask whether they want email from ${c.brand} at ${address} again.`),
        next('Only if they say yes, lift the block (the reason goes in the audit log):', commandFor('resubscribe', address, c, FORCE)),
      ];
  }
}

const NO_ACCOUNT = 'no account uses this address. Check the spelling with them, and ask for any other address they may have used.';
const CONFIRM = 'confirm who they are before you tell them which address';

/** A change's result, whichever change it was. */
type ChangeResult = ResetResult | ResubscribeResult | DeactivateResult | OffboardResult | NotesExportResult;

/** Not found, a +alias of another account, several accounts: shared by every change. */
function findingAdvice(r: ChangeResult, verb: string, c: GuidanceContext): Advice[] | null {
  if (r.outcome === 'invalid' && r.account_id === null && has(r, 'try_address')) {
    return [next('A change takes the address alone (check it is the same person as the name pasted with it):', commandFor(verb, r.try_address, c))];
  }
  if (r.outcome === 'not_found' && has(r, 'try_address')) {
    return [
      next('If it is their account (check who they are first: their full name and date of birth), use its exact address:', commandFor(verb, r.try_address, c)),
      next('If it is a family member with no account of their own yet, propose an address for them:', readCommand(`family ${shellWord(r.try_address)} --suggest '<their name>'`, c)),
    ];
  }
  if (r.outcome === 'not_found' && r.account_id === null) {
    return [
      tell(NO_ACCOUNT),
      next('See what cx finds for it, with suggestions:', readCommand(`lookup ${shellWord(c.typed.trim())}`, c)),
    ];
  }
  if (r.outcome === 'refused' && has(r, 'candidates')) {
    return [next('Several accounts use this mailbox: look them up, then use the exact address:', readCommand(`lookup ${shellWord(c.typed.trim())}`, c))];
  }
  return null;
}

/** A closed or ended account a reset cannot act on. */
function closedAdvice(r: ResetResult, c: GuidanceContext): Advice[] | null {
  if (r.outcome !== 'refused' || !has(r, 'account')) return null;
  if (r.account.status === 'deactivated') {
    const since = has(r, 'deactivated_at') && r.deactivated_at !== null ? ` on ${r.deactivated_at.slice(0, 10)}` : '';
    return [tell(DEACTIVATED(since)), next('Nothing to change in cx: if they want the account back, escalate the ticket to an administrator.')];
  }
  if (r.account.status === 'terminated') {
    const ended = has(r, 'contract_ends_at') && r.contract_ends_at !== null ? ` (effective ${r.contract_ends_at.slice(0, 10)})` : '';
    return [tell(TERMINATED(ended)), next('If they ask for their progress notes:', commandFor('notes export', r.account.email, c))];
  }
  return null;
}

export function resetAdvice(r: ResetResult, c: GuidanceContext): Advice[] {
  // Queued is not sent: the email leaves with the next push (docs/reference.md#cx-sync-push).
  if (r.outcome === 'done') return [pushFirst('The email goes out with the next push to the platform (until then it is pending)', c), ...afterQueued(r.template, r.to, r.subject, ONCE_SENT)];
  if (r.outcome === 'already_done') {
    const again = new Date(new Date(r.queued_at).getTime() + (c.windowMinutes ?? 15) * 60_000).toISOString();
    const pending = r.email_status === 'pending';
    const told = tell(`the email queued ${c.at(r.queued_at)} (${c.ago(r.queued_at)}) is on its way to ${r.to}; ask them to check the spam and promotions folders.`, pending ? ONCE_SENT : undefined);
    // Unsent, it cannot have arrived: the push comes first, and a second one would only go out beside it.
    if (pending) return [pushFirst('It has not gone out yet: it goes with the next push to the platform', c), told];
    return [told, next(`A new one can be queued after ${c.at(again)} if it still has not arrived.`)];
  }
  if (r.outcome === 'refused' && has(r, 'suppression')) return suppressionAdvice(r.suppression.reason, r.account.email, r.suppression.since, c, true);
  return closedAdvice(r, c) ?? findingAdvice(r, 'reset', c) ?? [];
}

function afterQueued(template: ResetTemplate, to: string, subject: string, when: string): Advice[] {
  switch (template) {
    case 'client_password_reset':
      return [tell(`a password reset email is on its way to ${to}. ${SPAM}`, when), fact(EXPIRES)];
    case 'provider_password_reset':
      return [tell(`an email titled "${subject}" is on its way to ${to}; it takes them through the password reset. ${SPAM}`, when), fact(EXPIRES)];
    case 'email_verification':
      return [
        tell(`their address ${to} is not verified yet, so they must verify it before they can reset a password; a verification email ("${subject}") is on its way. ${SPAM}`, when),
        fact(EXPIRES),
      ];
  }
}

export function resubscribeAdvice(r: ResubscribeResult, c: GuidanceContext): Advice[] {
  const address = has(r, 'address') ? r.address : c.typed.trim();
  if (r.outcome === 'done') {
    return [
      pushFirst('The change reaches the platform with the next push', c),
      tell(`${address} will get ${c.brand} email again; they can unsubscribe again from any email's footer.`, ONCE_SENT),
      next('If they asked for a password reset:', commandFor('reset', address, c)),
    ];
  }
  if (r.outcome === 'already_done') {
    return [tell(`${address} is not on the unsubscribe list, so email can reach it; if nothing arrives, ask them to check the spam and promotions folders.`)];
  }
  if (r.outcome === 'refused' && has(r, 'suppression')) return suppressionAdvice(r.suppression.reason, address, r.suppression.since, c, false);
  if (r.outcome === 'not_found') {
    return [next('No account uses it and it is not on the list: check the address with them, then look it up:', readCommand(`lookup ${shellWord(c.typed.trim())}`, c))];
  }
  return findingAdvice(r, 'resubscribe', c) ?? [];
}

export function deactivateAdvice(r: DeactivateResult, c: GuidanceContext): Advice[] {
  const email = has(r, 'email') ? r.email : c.typed.trim();
  if (r.outcome === 'done') {
    const out: Advice[] = [
      pushFirst('The deactivation reaches the platform with the next push (until then they can still sign in there)', c),
      tell(`their account is closed: they can no longer sign in. Nothing is deleted: their records are kept until ${r.retain_until}, as the law requires.`, ONCE_SENT),
    ];
    if (r.follow_up) out.push(next(r.follow_up));
    else if (r.template) out.push(fact(`A "next steps" email goes to ${email} with the same push.`));
    if (r.next_appointment) {
      const { at, provider_id } = r.next_appointment;
      out.push(next(`They still have an appointment on ${at.slice(0, 10)} with provider ${provider_id}: make sure it is cancelled on the platform.`));
    }
    return out;
  }
  if (r.outcome === 'already_done') {
    return [tell(`their account is already closed; their records are kept until ${r.retain_until ?? 'their retention date'}. Nothing more to do here.`)];
  }
  if (r.outcome === 'refused' && has(r, 'role') && r.role === 'provider') return [next('A provider leaves by contract termination:', commandFor('offboard', email, c))];
  if (r.outcome === 'refused' && has(r, 'requester_refused')) {
    return [
      tell(`a request to close an account must come from the account's own address. Ask them to write from ${email} (or an address the account used before).`),
      next('When the request comes from that address:', commandFor('deactivate', email, c, `--requested-by ${shellWord(email)}`)),
    ];
  }
  if (r.outcome === 'refused') return [next('Check the account on the platform before closing it.')];
  if (r.outcome === 'invalid' && r.account_id) return [next('Correct the record on the platform first, then run this again.')];
  return findingAdvice(r, 'deactivate', c) ?? [];
}

export function offboardAdvice(r: OffboardResult, c: GuidanceContext): Advice[] {
  const email = has(r, 'email') ? r.email : c.typed.trim();
  if (r.outcome === 'done' || r.outcome === 'already_done') {
    const endsOn = r.contract_ends_at === null ? null : r.contract_ends_at.slice(0, 10);
    const scheduled = has(r, 'scheduled') && r.scheduled;
    const ends = endsOn === null ? 'the contract has ended' : scheduled ? `the contract ends on ${endsOn}; until then the account works as before` : `the contract is terminated, effective ${endsOn}`;
    const told: Advice = { kind: 'tell', to: 'the provider', text: `${ends}. ${plural(r.may_leave_count, 'client')} may leave with them (the provider booked their first intake); ${r.stay_count} stay on the platform.` };
    return [
      // Done now: the termination is a pending change until it is pushed. Done before: it went then.
      ...(r.outcome === 'done' ? [pushFirst('The termination reaches the platform with the next push', c), { ...told, when: ONCE_SENT }] : [told]),
      // No notes written: nothing to export, so no step for it.
      ...(r.progress_notes > 0 ? [next(`Export the provider's progress notes (${r.progress_notes}) and keep the file safe:`, notesCommand(email, r.account_id, c))] : []),
    ];
  }
  if (r.outcome === 'planned') {
    return r.progress_notes > 0 ? [next(`Once it is done, export the provider's progress notes (${r.progress_notes}):`, notesCommand(email, r.account_id, c))] : [];
  }
  // A date far back: the same command with the one flag that accepts it, ready to paste.
  if (r.outcome === 'refused' && has(r, 'fix')) return [next('If the contract really ended then:', completed(r.fix, c))];
  if (r.outcome === 'refused' && has(r, 'role') && r.role === 'client') return [next('A client closes their account with:', commandFor('deactivate', email, c))];
  if (r.outcome === 'refused') return [next('Check the account on the platform before terminating the contract.')];
  return findingAdvice(r, 'offboard', c) ?? [];
}

/**
 * The notes export of a provider, into the file cx names by default (src/rules/notes-zip-name.ts): named
 * with --out as cx would name it today; without a ticket yet, the name is cx's own once the ticket is given.
 */
function notesCommand(email: string, providerId: string, c: GuidanceContext): string {
  if (!c.ticket) return commandFor('notes export', email, c);
  return commandFor('notes export', email, c, `--out ${shellWord(notesZipName(providerId, c.ticket, c.today))}`);
}

export function notesExportAdvice(r: NotesExportResult, c: GuidanceContext): Advice[] {
  if (r.outcome === 'done') {
    return [next('The zip holds protected health information: send it only through an approved channel.')];
  }
  if (r.outcome === 'invalid' && has(r, 'exists')) {
    // The command as typed (its filters too) with --force; from the desk, the export of that path.
    const again = c.argv ? commandLine(withFlags(c.argv, '--force')) : commandFor('notes export', c.typed.trim(), c, `--out ${shellWord(r.path)} --force`);
    return [next('To replace that file (or choose another --out):', again)];
  }
  if (r.outcome === 'refused' && has(r, 'role') && r.role === 'client') return [next('Progress notes belong to providers: look up who the provider is.', readCommand(`lookup ${shellWord(c.typed.trim())}`, c))];
  if (r.outcome === 'not_found' && r.account_id) return [tell('there are no progress notes to hand over for this request; no file was written.')];
  return findingAdvice(r, 'notes export', c) ?? [];
}

/**
 * Not found by lookup: what to ask the person, and each suggestion as a command for the agent, saying
 * whether an account uses it. A suggestion is an account's address the person did not give: it is checked
 * with them (they say which address they signed up with), never read out to them.
 */
export function lookupSuggestionAdvice(address: string, suggestions: ReadonlyArray<{ email: string; account_id: string | null }>, c: CommandContext = {}): Advice[] {
  const ask = tell(`no account uses ${address}. Check the spelling with them, and ask for any other address they may have used.`);
  if (!suggestions.length) return [ask];
  return [
    ask,
    next(
      'Did you mean one of these? Ask them which address they signed up with rather than reading these out; use one only once they confirm it:',
      ...suggestions.map((s) => `${readCommand(`lookup ${shellWord(s.email)}`, c)}   # ${s.account_id ? `account ${s.account_id} uses this address` : 'no account uses this address either: a typo of the domain?'}`),
    ),
  ];
}

/** The facts of a looked-up account that decide what the agent says and does (a lookup's Match has them). */
export interface LookupSubject {
  email: string;
  name: string;
  status: string;
  verified: boolean;
  matched_by: 'email' | 'former_email' | 'mailbox' | 'name' | 'id';
  suppression: { reason: SuppressionReason; since: string } | null;
  /** The latest email queued for the account that no push has delivered yet (absent: not looked at). */
  pending_email?: { template: string; subject: string; to: string; ticket: string } | null;
}

/** How the account was looked up. */
export interface LookupQuery extends CommandContext, Pick<GuidanceContext, 'brand'> {
  /** The address as cx read it (trimmed, lower-case); null for a name or an id. */
  address: string | null;
  /** The name searched for (a name search). */
  name?: string;
  /** The name search was narrowed by the date of birth the person gave. */
  dob?: boolean;
  /** The address the person gave first, when the agent picked this one from its suggestions (the desk). */
  pickedFrom?: string;
}

/** The check of who they are: a name search narrowed by the date of birth they give finds the account or not. */
const CHECK_IDENTITY = "lookup --name '<their full name>' --dob <YYYY-MM-DD>";
const ASK_NAME_AND_DOB = 'ask for their full name and date of birth and check them:';

/**
 * What to say and do after a lookup found one account (issue 21, part 1). First how it was found: an
 * address the person did not give (a former one, the mailbox written another way, a +tag dropped or added,
 * a suggestion picked, a name) is named to the agent with the check that comes first; the words for the
 * person never name it. Then the account's state: closed, ended, blocked, unverified, or the reset.
 */
export function lookupAdvice(m: LookupSubject, q: LookupQuery): Advice[] {
  const open = m.status === 'active';
  return [...(open ? foundAdvice(m, q) : []), ...stateAdvice(m, q, m.matched_by === 'email' && !q.pickedFrom)];
}

/** The address they sign in with, and what must come before telling them (see lookupAdvice). */
function foundAdvice(m: LookupSubject, q: LookupQuery): Advice[] {
  const typed = q.address ?? '';
  const check = (text: string) => next(text, readCommand(CHECK_IDENTITY, q));
  if (q.pickedFrom) {
    return [
      check(`No account uses ${q.pickedFrom}; ${m.email} is the suggestion you picked — ${CONFIRM}: ${ASK_NAME_AND_DOB}`),
      tell(`no account uses ${q.pickedFrom}. Check the spelling with them; once they have confirmed their full name and date of birth, tell them the address their account uses.`),
    ];
  }
  switch (m.matched_by) {
    case 'email':
      // Unverified: they cannot sign in yet, which the account's state says.
      return m.verified ? [tell(`they sign in with ${m.email}, the address they gave.`)] : [];
    case 'former_email':
      return [
        check(`They sign in with ${m.email} now (${typed} is a former address of the account) — ${CONFIRM}: ${ASK_NAME_AND_DOB}`),
        tell('their account now uses a newer address, and that is the one they sign in with. For their privacy, ask them to confirm their full name and date of birth before you tell them which one.'),
      ];
    case 'mailbox':
      return mailboxAdvice(m, q, typed, check);
    case 'name':
      if (q.dob) return [tell(`they sign in with ${m.email} (the name and date of birth they gave match the account).`)];
      return [
        next(`Found by name alone: ${CONFIRM} — ask for their date of birth and check it:`, readCommand(`lookup --name ${shellWord(q.name ?? m.name)} --dob <YYYY-MM-DD>`, q)),
        tell('ask for their date of birth to confirm who they are; then tell them the address they sign in with.'),
      ];
    case 'id':
      return [];
  }
}

/**
 * Found through the mailbox: the same Gmail mailbox written another way (the same +tag), the mailbox's own
 * account for an address with a +tag (Jane for jane.doe+max@: maybe a family member with no account), or a
 * +tag account for the bare address (marcus.reyes+headway@ for marcus.reyes@). A change needs the account's
 * exact address (src/actions/common.ts changeAccountOf): the advice names it.
 */
function mailboxAdvice(m: LookupSubject, q: LookupQuery, typed: string, check: (text: string) => Advice): Advice[] {
  const typedTag = plusTag(typed);
  const accountTag = plusTag(m.email);
  if (typedTag === accountTag) {
    return [
      check(`They sign in with ${m.email}: the same mailbox as ${typed}, written another way (Gmail ignores dots, and googlemail.com is gmail.com) — ${CONFIRM}: ${ASK_NAME_AND_DOB}`),
      tell('their account uses the same Gmail mailbox written another way, and they must sign in with the address exactly as the account has it. For their privacy, ask them to confirm their full name and date of birth before you tell them which one; a password reset also arrives in that mailbox and shows it.'),
    ];
  }
  if (accountTag === null) {
    return [
      next(`No account uses ${typed}; the mailbox's own account is ${m.email} (${m.name}). ${typed} may be meant for a family member with no account of their own: ask who the account is for.`),
      check(`If it is ${m.name}, ${CONFIRM}: ${ASK_NAME_AND_DOB}`),
      next('If it is a family member who needs an account of their own, propose an address for them:', readCommand(`family ${shellWord(m.email)} --suggest '<their name>'`, q)),
      tell(`no account uses ${typed} itself. Ask who the account is for: a family member needs an account of their own, under their own name and date of birth; the holder of the mailbox's main account signs in with its own address (tell them which once they have confirmed their full name and date of birth).`),
    ];
  }
  return [
    check(
      `The account at this mailbox is ${m.email} (${m.name}, a +${accountTag} address); ${typed} itself has no account, and a +alias ` +
        `address may be another family member's. Confirm who they are before you tell them which address; a change needs that exact address. ` +
        'Ask for their full name and date of birth and check them:',
    ),
    tell(`their account uses a +alias form of ${typed} (mail to it arrives in the same mailbox), and they must sign in with that exact address. For their privacy, ask them to confirm their full name and date of birth before you tell them which one.`),
  ];
}

/** The account's state: closed, ended, blocked, unverified; else the reset, if they cannot sign in. */
function stateAdvice(m: LookupSubject, q: LookupQuery, theirs: boolean): Advice[] {
  if (m.status === 'deactivated') return [tell(DEACTIVATED(''))];
  if (m.status === 'terminated') return [tell(TERMINATED(''))];
  if (m.suppression) return suppressionAdvice(m.suppression.reason, m.email, m.suppression.since, q, true);
  // A reset or verification email already waits: another would only go out beside it at the same push.
  const waiting = m.pending_email;
  if (waiting && isResetTemplate(waiting.template)) {
    const label = resetEmailLabel(waiting.template, waiting.subject);
    const under = waiting.ticket ? ` queued under ticket ${waiting.ticket}` : ' queued';
    return [
      pushFirst(`${label[0]!.toUpperCase()}${label.slice(1)}${under} has not gone out yet: it goes with the next push to the platform`, q),
      ...afterQueued(waiting.template, waiting.to, waiting.subject, ONCE_SENT),
    ];
  }
  if (!m.verified) {
    return [
      tell('their address is not verified yet, so they cannot sign in until they verify it. A verification email can be sent to the address the account uses.'),
      next(`${theirs ? 'Send' : 'Once you know the account is theirs, send'} the verification email (for an unverified account a reset sends it instead):`, commandFor('reset', m.email, q)),
    ];
  }
  const when = theirs ? 'If they cannot sign in' : 'Once you know the account is theirs, if they cannot sign in';
  return [next(`${when}, send a password reset (it goes to the account's own address):`, commandFor('reset', m.email, q))];
}

/** A family member's own address at a shared mailbox (`cx family --suggest`), or why they need their own. */
export interface FamilySuggestion {
  name: string;
  address: string;
  domain: string;
  plus_addressing: boolean;
  suggestion: string | null;
  /** Accounts at the mailbox under that name already (perhaps theirs): checked with the person first. */
  same_name: ReadonlyArray<{ email: string; name: string }>;
}

/**
 * What to tell a family about a new member's account: the +alias address they can sign up with, or an
 * address of their own where +alias addresses do not work. Either way the account carries the member's own
 * name and date of birth, a child's too (the platform's rule: the account is the person in care's).
 */
export function familyAdvice(f: FamilySuggestion): Advice[] {
  const own = `The account must carry ${f.name}'s own name and date of birth, even for a child.`;
  if (!f.plus_addressing) {
    return [tell(`family +alias addresses do not work at ${f.domain}: ${f.name} needs an email address of their own to sign up. ${own}`)];
  }
  if (!f.suggestion) return [];
  const signUp = `${f.name} can sign up with ${f.suggestion}: mail to it arrives in the same mailbox as ${f.address}. ${own}`;
  if (f.same_name.length) {
    // Perhaps the account they forgot: a second one under the same name is checked first, never proposed as it is.
    const existing = f.same_name.map((a) => `${a.name}, ${a.email}`).join('; ');
    return [
      tell(`there is already an account for ${f.name} at this mailbox (${existing}): ask whether it is theirs before signing up again. Only if it is not, ${signUp}`),
      next('If it is theirs, nothing to create: they sign in with that address (a password reset if they forgot the password). Else nothing to create in cx either: they sign up on the platform with the suggested address.'),
    ];
  }
  return [tell(signUp), next('Nothing to create in cx: they sign up on the platform with that address.')];
}

/** The desk could not confirm who is asking (src/desk/identity.ts): nothing changed, and how they can show it. */
export function unconfirmedIdentityAdvice(): Advice[] {
  return [
    tell('we could not confirm that the account is theirs, so nothing was changed. They can write to us from the email address on their account, or give us the name and date of birth on the account.'),
  ];
}

/** An account at a family mailbox that repeats its holder's name or date of birth (src/rules/family-hygiene.ts). */
export interface FamilyFlagged {
  email: string;
  name: string;
  issue: FamilyIssue;
  holder_email: string;
  holder_name: string;
}

const OWN_IDENTITY = "that person's own full name and date of birth, even for a child";

/** What to ask the family about one account (also the `ask` column of `cx family --audit --out`). No date is named. */
export function familyQuestion(f: FamilyFlagged): string {
  switch (f.issue) {
    case 'holder_name_and_dob':
      return `${f.email} carries ${f.holder_name}'s name and date of birth, as ${f.holder_email} does. Who is in care on it? If it is another family member, it needs ${OWN_IDENTITY}; if it is ${f.holder_name}'s second account, which one do they use?`;
    case 'holder_name':
      return `${f.email} carries the name ${f.name}, as ${f.holder_email} does, with another date of birth. Whose account is it? If it is another family member's, it needs ${OWN_IDENTITY}.`;
    case 'holder_dob':
      return `${f.email} (${f.name}) carries the same date of birth as ${f.holder_email} (${f.holder_name}). Is it ${f.name}'s own? If not, it needs ${f.name}'s own date of birth.`;
  }
}

/**
 * A mailbox whose accounts repeat the holder's identity: what to ask the family, then what the agent does.
 * The name and date of birth identify the person in care (the desk's check, lookup --name --dob), so until
 * the records are right a name and date of birth can stand for the wrong account.
 */
export function familyHygieneAdvice(flags: readonly FamilyFlagged[]): Advice[] {
  if (!flags.length) return [];
  return [
    ...flags.map((f): Advice => ({ kind: 'ask', to: 'the family', text: familyQuestion(f) })),
    next("Note their answer on the ticket: the platform corrects a name or date of birth, cx does not change them. Until it is corrected, a name and date of birth may point to the wrong account here: check who is asking by the address they write from."),
  ];
}

/** After `cx family --audit`: each family is asked what `cx family` says of its mailbox; the CSV for a clean-up. */
export function familyAuditAdvice(example: string, c: CommandContext, csvWritten: boolean): Advice[] {
  return [
    next("Ask each family what cx family says for their mailbox (no date of birth is shown), e.g.:", readCommand(`family ${shellWord(example)}`, c)),
    ...(csvWritten ? [] : [next('For a clean-up project, every row as CSV, with what to ask each family:', readCommand('family --audit --out family-audit.csv', c))]),
  ];
}
