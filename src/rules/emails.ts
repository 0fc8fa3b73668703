// Which email a reset sends, its subject, why a suppressed address gets none, and what the agent tells
// the person. Pure: no I/O. The words follow the platform's help centre: reset emails can land in spam,
// new users verify their address first, providers get "Please Verify Your <brand> Account", and one
// unsubscribe stops every email.

export type ResetTemplate = 'client_password_reset' | 'provider_password_reset' | 'email_verification';
export type SuppressionReason = 'unsubscribe' | 'bounce' | 'complaint';

export interface EmailChoice {
  template: ResetTemplate;
  subject: string;
  /** How a detail sentence names it: "the client password-reset email". */
  label: string;
  /** True when the account is unverified and gets the verification email instead of a reset. */
  verification: boolean;
}

const LABELS: Record<ResetTemplate, string> = {
  client_password_reset: 'the client password-reset email',
  provider_password_reset: 'the provider password-reset email',
  email_verification: 'the verification email',
};

export function subjectFor(template: ResetTemplate, brand: string): string {
  switch (template) {
    case 'client_password_reset':
      return `Reset your ${brand} password`;
    case 'provider_password_reset':
      // The exact title the help centre tells providers to look for.
      return `Please Verify Your ${brand} Account`;
    case 'email_verification':
      return `Verify your email address for ${brand}`;
  }
}

/** An unverified address must be verified before any reset; otherwise the role decides the flow. */
export function resetEmailFor(account: { role: 'client' | 'provider'; email_verified_at: string | null }, brand: string): EmailChoice {
  const template: ResetTemplate = !account.email_verified_at
    ? 'email_verification'
    : account.role === 'provider'
      ? 'provider_password_reset'
      : 'client_password_reset';
  const subject = subjectFor(template, brand);
  const label = template === 'provider_password_reset' ? `${LABELS[template]} ("${subject}")` : LABELS[template];
  return { template, subject, label, verification: template === 'email_verification' };
}

/** One shell word: safe to paste, even for the rarer characters an address may hold (' & $ ...). */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function ticketWord(ticket: string): string {
  return ticket ? shellWord(ticket) : '<ticket>';
}

export interface SuppressionCase {
  address: string;
  reason: SuppressionReason;
  /** The suppression row's created_at (its date is shown). */
  since: string;
  ticket: string;
  brand: string;
}

/** Why mail to this address is blocked, in words a person can repeat. */
export function suppressionCause(c: Pick<SuppressionCase, 'address' | 'reason' | 'since' | 'brand'>): string {
  const on = c.since.slice(0, 10);
  switch (c.reason) {
    case 'unsubscribe':
      return `${c.address} unsubscribed from ${c.brand} email on ${on}, and one unsubscribe stops every email`;
    case 'bounce':
      return `mail to ${c.address} bounced (${on}): the address does not work`;
    case 'complaint':
      return `${c.address} reported a ${c.brand} email as spam (${on}): every email to it is blocked`;
  }
}

/** The override for a bounce or complaint: only `cx resubscribe` has it, and it needs a reason. */
export function forceCommand(address: string, ticket: string): string {
  return `cx resubscribe ${shellWord(address)} --force --reason "<why>" --ticket ${ticketWord(ticket)}`;
}

export function resubscribeCommand(address: string, ticket: string): string {
  return `cx resubscribe ${shellWord(address)} --ticket ${ticketWord(ticket)}`;
}

/** What to do before forcing: a bounce or a complaint is not lifted on a whim. */
function beforeForcing(reason: SuppressionReason): string {
  return reason === 'bounce'
    ? 'confirm the address with the person and update it on the platform if it is wrong; only if they confirm it works, override'
    : 'confirm with the person that they want email from us at this address (or update it on the platform); only then override';
}

/** A reset refused because the account's address is suppressed: the detail and the exact fix. */
export function resetSuppressedRefusal(c: SuppressionCase, askedToResubscribe: boolean): { detail: string; fix: string } {
  const cause = suppressionCause(c);
  if (c.reason === 'unsubscribe') {
    const fix = resubscribeCommand(c.address, c.ticket);
    const both = `cx reset ${shellWord(c.address)} --resubscribe --ticket ${ticketWord(c.ticket)}`;
    return {
      detail: `${cause}, so the reset email would never arrive. If the person agrees to get email again, run: ${fix} (then reset), or both at once: ${both}`,
      fix,
    };
  }
  const fix = forceCommand(c.address, c.ticket);
  const lead = askedToResubscribe ? `--resubscribe lifts only an unsubscribe, not a ${c.reason}: ` : '';
  return { detail: `${lead}${cause}, so the reset email would never arrive. ${capitalise(beforeForcing(c.reason))}: ${fix}`, fix };
}

/** `cx resubscribe` refused for a bounce or complaint without --force. */
export function resubscribeRefusal(c: SuppressionCase): { detail: string; fix: string } {
  const fix = forceCommand(c.address, c.ticket);
  return { detail: `${suppressionCause(c)}; resubscribing does not make mail arrive. ${capitalise(beforeForcing(c.reason))}: ${fix}`, fix };
}

/**
 * When the agent typed another address than the account's current one (a former address, the same
 * mailbox written another way): say which address cx acts on, so nobody expects mail at the old one.
 */
export function foundByNote(matchedBy: 'email' | 'former_email' | 'mailbox', typedKey: string, currentKey: string, current: string): string {
  if (typedKey === currentKey) return '';
  const how = matchedBy === 'former_email' ? 'a former address of this account' : 'the same mailbox written another way';
  return ` (found by ${typedKey}, ${how}; cx uses the account's current address ${current})`;
}

const SPAM = 'If it is not in the inbox within a few minutes, ask them to check the spam and promotions folders.';
const EXPIRES = 'The link in it expires, so they should use it soon; if it has expired, they can ask for a new one.';

/** What the agent tells the person once the email is queued. */
export function tellAfterQueued(template: ResetTemplate, to: string, subject: string): string[] {
  switch (template) {
    case 'client_password_reset':
      return [`Tell the person: a password reset email is on its way to ${to}.`, `  ${SPAM}`, `  ${EXPIRES}`];
    case 'provider_password_reset':
      return [
        `Tell the person: an email titled "${subject}" is on its way to ${to}; it takes them through the password reset.`,
        `  ${SPAM}`,
        `  ${EXPIRES}`,
      ];
    case 'email_verification':
      return [
        `Tell the person: their address ${to} is not verified yet, so they must verify it before they can reset a password;`,
        `  a verification email ("${subject}") is on its way. ${SPAM}`,
        `  ${EXPIRES}`,
      ];
  }
}

/** The same email was queued a moment ago: when it went, and when a new one could be queued. */
export function tellAfterRepeat(to: string, queuedAt: string, windowMinutes: number): string[] {
  const again = new Date(new Date(queuedAt).getTime() + windowMinutes * 60_000);
  return [
    `Tell the person: the email queued at ${hhmm(queuedAt)} UTC is on its way to ${to}; ask them to check the spam and promotions folders.`,
    `  A new one can be queued after ${hhmm(again.toISOString())} UTC if it still has not arrived.`,
  ];
}

/** After a resubscribe: what changes for the person, and the usual next step. */
export function tellAfterResubscribe(address: string, brand: string, ticket: string): string[] {
  return [
    `Tell the person: ${address} will get ${brand} email again; they can unsubscribe again from any email's footer.`,
    `  If they asked for a password reset: cx reset ${shellWord(address)} --ticket ${ticketWord(ticket)}`,
  ];
}

function hhmm(iso: string): string {
  return iso.slice(11, 16);
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The email a deactivated client gets; the Customer Experience team follows up on it. */
export const NEXT_STEPS_TEMPLATE = 'client_deactivation_next_steps';

export function nextStepsSubject(brand: string): string {
  return `Your ${brand} account has been deactivated — next steps`;
}

/** How a detail names a suppression row: "unsubscribe since 2026-09-14". */
export function describeSuppression(s: { reason: string; created_at: string }): string {
  return `${s.reason} since ${s.created_at.slice(0, 10)}`;
}
