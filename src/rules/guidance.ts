// What the agent tells the person and does next, for every outcome an agent meets (issue 12, "Guidance on
// every outcome"). One place for the words, so that a reset, a batch and the desk say the same thing. Pure:
// it reads the result an action returned and gives back advice; the renderer turns it into lines, each
// command on a line of its own, ready to paste (shell-quoted). No link, no token, no date of birth.
import { forceCommand, resubscribeCommand, type ResetTemplate, type SuppressionReason } from './outgoing-email.js';
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

/** The result keys the advice reads; every action's result is one of these shapes. */
export interface GuidedResult {
  outcome: string;
  account_id: string | null;
  [key: string]: unknown;
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

function accountOf(r: GuidedResult): { email: string; status: string; role: string } | undefined {
  const a = r.account as { email?: unknown; status?: unknown; role?: unknown } | undefined;
  return a && typeof a.email === 'string' ? { email: a.email, status: String(a.status), role: String(a.role) } : undefined;
}

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

/** Not found, a +alias of another account, several accounts: shared by every change. */
function findingAdvice(r: GuidedResult, verb: string, c: GuidanceContext): Advice[] | null {
  if (r.outcome === 'not_found' && typeof r.try_address === 'string') {
    return [next('If it is this person, use the address of their own account:', commandFor(verb, r.try_address, c.ticket))];
  }
  if (r.outcome === 'not_found' && r.account_id === null) {
    return [
      tell('no account uses this address. Check the spelling with them, and ask for any other address they may have used.'),
      next('See what cx finds for it, with suggestions:', `cx lookup ${shellWord(c.typed.trim())}`),
    ];
  }
  if (r.outcome === 'refused' && Array.isArray(r.candidates)) {
    return [next('Several accounts use this mailbox: look them up, then use the exact address:', `cx lookup ${shellWord(c.typed.trim())}`)];
  }
  return null;
}

/** A closed or ended account a change cannot act on. */
function closedAdvice(r: GuidedResult, c: GuidanceContext): Advice[] | null {
  if (r.outcome !== 'refused') return null;
  const a = accountOf(r);
  if (a?.status === 'deactivated') {
    return [
      tell(DEACTIVATED(typeof r.deactivated_at === 'string' ? ` on ${r.deactivated_at.slice(0, 10)}` : '')),
      next('Nothing to change in cx: if they want the account back, escalate the ticket to an administrator.'),
    ];
  }
  if (a?.status === 'terminated') {
    return [
      tell(TERMINATED(typeof r.contract_ends_at === 'string' ? ` (effective ${r.contract_ends_at.slice(0, 10)})` : '')),
      next('If they ask for their progress notes:', commandFor('notes export', a.email, c.ticket)),
    ];
  }
  return null;
}

export function resetAdvice(r: GuidedResult, c: GuidanceContext): Advice[] {
  const to = typeof r.to === 'string' ? r.to : '';
  if (r.outcome === 'done') return afterQueued(r.template as ResetTemplate, to, String(r.subject));
  if (r.outcome === 'already_done' && typeof r.queued_at === 'string') {
    const again = new Date(new Date(r.queued_at).getTime() + (c.windowMinutes ?? 15) * 60_000).toISOString();
    return [
      tell(`the email queued ${c.at(r.queued_at)} (${c.ago(r.queued_at)}) is on its way to ${to}; ask them to check the spam and promotions folders.`),
      next(`A new one can be queued after ${c.at(again)} if it still has not arrived.`),
    ];
  }
  const suppression = r.suppression as { reason: SuppressionReason; since: string } | null | undefined;
  const a = accountOf(r);
  if (r.outcome === 'refused' && suppression && a) return suppressionAdvice(suppression.reason, a.email, suppression.since, c, true);
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

export function resubscribeAdvice(r: GuidedResult, c: GuidanceContext): Advice[] {
  const address = typeof r.address === 'string' ? r.address : c.typed.trim();
  if (r.outcome === 'done') {
    return [
      tell(`${address} will get ${c.brand} email again; they can unsubscribe again from any email's footer.`),
      next('If they asked for a password reset:', commandFor('reset', address, c.ticket)),
    ];
  }
  if (r.outcome === 'already_done') {
    return [tell(`${address} is not on the unsubscribe list, so email can reach it; if nothing arrives, ask them to check the spam and promotions folders.`)];
  }
  const suppression = r.suppression as { reason: SuppressionReason; since: string } | null | undefined;
  if (r.outcome === 'refused' && suppression) return suppressionAdvice(suppression.reason, address, suppression.since, c, false);
  if (r.outcome === 'not_found' && r.account_id === null && !r.try_address) {
    return [next('No account uses it and it is not on the list: check the address with them, then look it up:', `cx lookup ${shellWord(c.typed.trim())}`)];
  }
  return findingAdvice(r, 'resubscribe', c) ?? [];
}

export function deactivateAdvice(r: GuidedResult, c: GuidanceContext): Advice[] {
  const email = typeof r.email === 'string' ? r.email : c.typed.trim();
  if (r.outcome === 'done') {
    const out: Advice[] = [
      tell(`their account is closed: they can no longer sign in. Nothing is deleted: their records are kept until ${String(r.retain_until)}, as the law requires.`),
    ];
    if (typeof r.follow_up === 'string') out.push(next(r.follow_up));
    else if (r.template) out.push(fact(`A "next steps" email is on its way to ${email}.`));
    const appointment = r.next_appointment as { at: string; provider_id: string } | undefined;
    if (appointment) out.push(next(`They still have an appointment on ${appointment.at.slice(0, 10)} with provider ${appointment.provider_id}: make sure it is cancelled on the platform.`));
    return out;
  }
  if (r.outcome === 'already_done') {
    return [tell(`their account is already closed; their records are kept until ${String(r.retain_until ?? 'their retention date')}. Nothing more to do here.`)];
  }
  if (r.outcome === 'refused' && r.role === 'provider') return [next('A provider leaves by contract termination:', commandFor('offboard', email, c.ticket))];
  if (r.outcome === 'refused' && r.requester_refused) {
    return [
      tell(`a request to close an account must come from the account's own address. Ask them to write from ${email} (or an address the account used before).`),
      next('When the request comes from that address:', commandFor('deactivate', email, c.ticket, `--requested-by ${shellWord(email)}`)),
    ];
  }
  if (r.outcome === 'refused') return [next('Check the account on the platform before closing it.')];
  if (r.outcome === 'invalid' && r.account_id) return [next('Correct the record on the platform first, then run this again.')];
  return findingAdvice(r, 'deactivate', c) ?? [];
}

export function offboardAdvice(r: GuidedResult, c: GuidanceContext): Advice[] {
  const email = typeof r.email === 'string' ? r.email : c.typed.trim();
  if (r.outcome === 'done' || r.outcome === 'already_done') {
    const endsOn = typeof r.contract_ends_at === 'string' ? r.contract_ends_at.slice(0, 10) : null;
    const ends = endsOn === null ? 'the contract has ended' : r.scheduled ? `the contract ends on ${endsOn}; until then the account works as before` : `the contract is terminated, effective ${endsOn}`;
    const zip = `${String(r.account_id).replace(/[^A-Za-z0-9._-]/g, '_')}-progress-notes.zip`;
    return [
      { kind: 'tell', to: 'the provider', text: `${ends}. ${plural(Number(r.may_leave_count ?? 0), 'client')} may leave with them (the provider booked their first intake); ${Number(r.stay_count ?? 0)} stay on the platform.` },
      next(`Export the provider's progress notes (${Number(r.progress_notes ?? 0)}) and keep the file safe:`, commandFor('notes export', email, c.ticket, `--out ${zip}`)),
    ];
  }
  if (r.outcome === 'planned') {
    const zip = `${String(r.account_id).replace(/[^A-Za-z0-9._-]/g, '_')}-progress-notes.zip`;
    return [next(`Once it is done, export the provider's progress notes (${Number(r.progress_notes ?? 0)}):`, commandFor('notes export', email, c.ticket, `--out ${zip}`))];
  }
  // A date far back: the same command with the one flag that accepts it, ready to paste.
  if (r.outcome === 'refused' && typeof r.fix === 'string') return [next('If the contract really ended then:', r.fix)];
  if (r.outcome === 'refused' && r.role === 'client') return [next('A client closes their account with:', commandFor('deactivate', email, c.ticket))];
  if (r.outcome === 'refused') return [next('Check the account on the platform before terminating the contract.')];
  return findingAdvice(r, 'offboard', c) ?? [];
}

export function notesExportAdvice(r: GuidedResult, c: GuidanceContext): Advice[] {
  if (r.outcome === 'done') {
    return [next('The zip holds protected health information: send it only through an approved channel.')];
  }
  if (r.outcome === 'refused' && typeof r.path === 'string' && r.exists) {
    return [next('To replace that file (or choose another --out):', commandFor('notes export', c.typed.trim(), c.ticket, `--out ${shellWord(r.path)} --force`))];
  }
  if (r.outcome === 'refused' && r.role === 'client') return [next('Progress notes belong to providers: look up who the provider is.', `cx lookup ${shellWord(c.typed.trim())}`)];
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
export function lookupAdvice(m: { email: string; status: string; role: string; verified: boolean; suppression: { reason: string; since: string } | null }, c: Pick<GuidanceContext, 'ticket' | 'brand'>): Advice[] {
  if (m.status === 'deactivated') return [tell(DEACTIVATED(''))];
  if (m.status === 'terminated') return [tell(TERMINATED(''))];
  if (m.suppression) return suppressionAdvice(m.suppression.reason as SuppressionReason, m.email, m.suppression.since, c, true);
  if (!m.verified) return [fact('The address is not verified: a reset sends the verification email first.')];
  return [];
}
