// What the agent tells the person and does next, for every outcome an agent meets (issue 12, "Guidance on
// every outcome"). One place for the words, so that a reset, a batch and the desk say the same thing. Pure:
// it reads the result an action returned and gives back advice; the renderer turns it into lines, each
// command on a line of its own, ready to paste (shell-quoted). No link, no token, no date of birth.
// The results are the actions' own types (src/actions/result.ts, a module of types alone, imported as
// types: nothing of the actions runs here), read by their keys or tested with has(), so a key an action
// renames stops this file compiling.
import type { DeactivateResult, NotesExportResult, OffboardResult, ResetResult, ResubscribeResult } from '../actions/result.js';
import { forceCommand, resubscribeCommand, type ResetTemplate, type SuppressionReason } from './outgoing-email.js';
import { has } from '../has.js';
import { shellWord } from './shell.js';
import { plural } from './plural.js';

/** One piece of advice: what to say to the person, what to do next (with its commands), or a fact to know. */
export interface Advice {
  kind: 'tell' | 'next' | 'note';
  text: string;
  commands?: string[];
  /** Whom to tell, when it is not the person asking ("the provider"). */
  to?: string;
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
}

const tell = (text: string): Advice => ({ kind: 'tell', text });
const next = (text: string, ...commands: string[]): Advice => ({ kind: 'next', text, ...(commands.length ? { commands } : {}) });
const fact = (text: string): Advice => ({ kind: 'note', text });

function ticketWord(ticket: string | undefined): string {
  return ticket ? shellWord(ticket) : '<ticket>';
}

/** `cx <verb> <address> --ticket T`, quoted for the shell. */
export function commandFor(verb: string, address: string, ticket: string | undefined, extra = ''): string {
  return `cx ${verb} ${shellWord(address)}${extra ? ` ${extra}` : ''} --ticket ${ticketWord(ticket)}`;
}

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

/** Why mail is blocked and how to lift it; shared by reset, resubscribe and lookup. */
export function suppressionAdvice(reason: SuppressionReason, address: string, since: string, c: Pick<GuidanceContext, 'ticket' | 'brand'>, forReset: boolean): Advice[] {
  const on = since.slice(0, 10);
  switch (reason) {
    case 'unsubscribe':
      return [
        tell(`they unsubscribed from ${c.brand} email on ${on}, and one unsubscribe stops every email, password resets included. Ask whether they want ${c.brand} email again.`),
        forReset
          ? next('If they agree, take the address off the list and queue the reset in one step:', commandFor('reset', address, c.ticket, '--resubscribe'))
          : next('If they agree, take the address off the list:', resubscribeCommand(address, c.ticket ?? '')),
      ];
    case 'bounce':
      return [
        tell(`email to ${address} bounced on ${on}, so the address does not work. Check the address with them: if it is wrong, it is corrected on the platform.`),
        next('Only if they confirm this address works, lift the bounce (the reason goes in the audit log):', forceCommand(address, c.ticket ?? '')),
      ];
    case 'complaint':
      return [
        tell(`this address marked a ${c.brand} email as spam on ${on}, so all email to it is blocked. Ask whether they want email from ${c.brand} at ${address} again.`),
        next('Only if they say yes, lift the block (the reason goes in the audit log):', forceCommand(address, c.ticket ?? '')),
      ];
  }
}

/** A change's result, whichever change it was. */
type ChangeResult = ResetResult | ResubscribeResult | DeactivateResult | OffboardResult | NotesExportResult;

/** Not found, a +alias of another account, several accounts: shared by every change. */
function findingAdvice(r: ChangeResult, verb: string, c: GuidanceContext): Advice[] | null {
  if (r.outcome === 'not_found' && has(r, 'try_address')) {
    return [next('If it is this person, use the address of their own account:', commandFor(verb, r.try_address, c.ticket))];
  }
  if (r.outcome === 'not_found' && r.account_id === null) {
    return [
      tell('no account uses this address. Check the spelling with them, and ask for any other address they may have used.'),
      next('See what cx finds for it, with suggestions:', `cx lookup ${shellWord(c.typed.trim())}`),
    ];
  }
  if (r.outcome === 'refused' && has(r, 'candidates')) {
    return [next('Several accounts use this mailbox: look them up, then use the exact address:', `cx lookup ${shellWord(c.typed.trim())}`)];
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
    return [tell(TERMINATED(ended)), next('If they ask for their progress notes:', commandFor('notes export', r.account.email, c.ticket))];
  }
  return null;
}

export function resetAdvice(r: ResetResult, c: GuidanceContext): Advice[] {
  if (r.outcome === 'done') return afterQueued(r.template, r.to, r.subject);
  if (r.outcome === 'already_done') {
    const again = new Date(new Date(r.queued_at).getTime() + (c.windowMinutes ?? 15) * 60_000).toISOString();
    return [
      tell(`the email queued ${c.at(r.queued_at)} (${c.ago(r.queued_at)}) is on its way to ${r.to}; ask them to check the spam and promotions folders.`),
      next(`A new one can be queued after ${c.at(again)} if it still has not arrived.`),
    ];
  }
  if (r.outcome === 'refused' && has(r, 'suppression')) return suppressionAdvice(r.suppression.reason, r.account.email, r.suppression.since, c, true);
  return closedAdvice(r, c) ?? findingAdvice(r, 'reset', c) ?? [];
}

function afterQueued(template: ResetTemplate, to: string, subject: string): Advice[] {
  switch (template) {
    case 'client_password_reset':
      return [tell(`a password reset email is on its way to ${to}. ${SPAM}`), fact(EXPIRES)];
    case 'provider_password_reset':
      return [tell(`an email titled "${subject}" is on its way to ${to}; it takes them through the password reset. ${SPAM}`), fact(EXPIRES)];
    case 'email_verification':
      return [
        tell(`their address ${to} is not verified yet, so they must verify it before they can reset a password; a verification email ("${subject}") is on its way. ${SPAM}`),
        fact(EXPIRES),
      ];
  }
}

export function resubscribeAdvice(r: ResubscribeResult, c: GuidanceContext): Advice[] {
  const address = has(r, 'address') ? r.address : c.typed.trim();
  if (r.outcome === 'done') {
    return [
      tell(`${address} will get ${c.brand} email again; they can unsubscribe again from any email's footer.`),
      next('If they asked for a password reset:', commandFor('reset', address, c.ticket)),
    ];
  }
  if (r.outcome === 'already_done') {
    return [tell(`${address} is not on the unsubscribe list, so email can reach it; if nothing arrives, ask them to check the spam and promotions folders.`)];
  }
  if (r.outcome === 'refused' && has(r, 'suppression')) return suppressionAdvice(r.suppression.reason, address, r.suppression.since, c, false);
  if (r.outcome === 'not_found') {
    return [next('No account uses it and it is not on the list: check the address with them, then look it up:', `cx lookup ${shellWord(c.typed.trim())}`)];
  }
  return findingAdvice(r, 'resubscribe', c) ?? [];
}

export function deactivateAdvice(r: DeactivateResult, c: GuidanceContext): Advice[] {
  const email = has(r, 'email') ? r.email : c.typed.trim();
  if (r.outcome === 'done') {
    const out: Advice[] = [
      tell(`their account is closed: they can no longer sign in. Nothing is deleted: their records are kept until ${r.retain_until}, as the law requires.`),
    ];
    if (r.follow_up) out.push(next(r.follow_up));
    else if (r.template) out.push(fact(`A "next steps" email is on its way to ${email}.`));
    if (r.next_appointment) {
      const { at, provider_id } = r.next_appointment;
      out.push(next(`They still have an appointment on ${at.slice(0, 10)} with provider ${provider_id}: make sure it is cancelled on the platform.`));
    }
    return out;
  }
  if (r.outcome === 'already_done') {
    return [tell(`their account is already closed; their records are kept until ${r.retain_until ?? 'their retention date'}. Nothing more to do here.`)];
  }
  if (r.outcome === 'refused' && has(r, 'role') && r.role === 'provider') return [next('A provider leaves by contract termination:', commandFor('offboard', email, c.ticket))];
  if (r.outcome === 'refused' && has(r, 'requester_refused')) {
    return [
      tell(`a request to close an account must come from the account's own address. Ask them to write from ${email} (or an address the account used before).`),
      next('When the request comes from that address:', commandFor('deactivate', email, c.ticket, `--requested-by ${shellWord(email)}`)),
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
    return [
      { kind: 'tell', to: 'the provider', text: `${ends}. ${plural(r.may_leave_count, 'client')} may leave with them (the provider booked their first intake); ${r.stay_count} stay on the platform.` },
      next(`Export the provider's progress notes (${r.progress_notes}) and keep the file safe:`, commandFor('notes export', email, c.ticket, `--out ${notesZipName(r.account_id)}`)),
    ];
  }
  if (r.outcome === 'planned') {
    return [next(`Once it is done, export the provider's progress notes (${r.progress_notes}):`, commandFor('notes export', email, c.ticket, `--out ${notesZipName(r.account_id)}`))];
  }
  // A date far back: the same command with the one flag that accepts it, ready to paste.
  if (r.outcome === 'refused' && has(r, 'fix')) return [next('If the contract really ended then:', r.fix)];
  if (r.outcome === 'refused' && has(r, 'role') && r.role === 'client') return [next('A client closes their account with:', commandFor('deactivate', email, c.ticket))];
  if (r.outcome === 'refused') return [next('Check the account on the platform before terminating the contract.')];
  return findingAdvice(r, 'offboard', c) ?? [];
}

/** The file name the advice suggests for a provider's notes: their id, made safe for a path. */
function notesZipName(providerId: string): string {
  return `${providerId.replace(/[^A-Za-z0-9._-]/g, '_')}-progress-notes.zip`;
}

export function notesExportAdvice(r: NotesExportResult, c: GuidanceContext): Advice[] {
  if (r.outcome === 'done') {
    return [next('The zip holds protected health information: send it only through an approved channel.')];
  }
  if (r.outcome === 'refused' && has(r, 'exists')) {
    return [next('To replace that file (or choose another --out):', commandFor('notes export', c.typed.trim(), c.ticket, `--out ${shellWord(r.path)} --force`))];
  }
  if (r.outcome === 'refused' && has(r, 'role') && r.role === 'client') return [next('Progress notes belong to providers: look up who the provider is.', `cx lookup ${shellWord(c.typed.trim())}`)];
  if (r.outcome === 'not_found' && r.account_id) return [tell('there are no progress notes to hand over for this request; no file was written.')];
  return findingAdvice(r, 'notes export', c) ?? [];
}

/** Not found by lookup: each suggestion as a command, saying whether an account uses it. */
export function lookupSuggestionAdvice(suggestions: ReadonlyArray<{ email: string; account_id: string | null }>): Advice[] {
  if (!suggestions.length) return [tell('no account uses this address. Check the spelling with them, and ask for any other address they may have used.')];
  return [
    next(
      'Did you mean one of these? Check with the person before using one:',
      ...suggestions.map((s) => `cx lookup ${shellWord(s.email)}   # ${s.account_id ? `account ${s.account_id} uses this address` : 'no account uses this address either: a typo of the domain?'}`),
    ),
  ];
}

/** The facts of a looked-up account an agent must act on: closed, ended, blocked, unverified. */
export function lookupAdvice(m: { email: string; status: string; role: string; verified: boolean; suppression: { reason: SuppressionReason; since: string } | null }, c: Pick<GuidanceContext, 'ticket' | 'brand'>): Advice[] {
  if (m.status === 'deactivated') return [tell(DEACTIVATED(''))];
  if (m.status === 'terminated') return [tell(TERMINATED(''))];
  if (m.suppression) return suppressionAdvice(m.suppression.reason, m.email, m.suppression.since, c, true);
  if (!m.verified) return [fact('The address is not verified: a reset sends the verification email first.')];
  return [];
}
