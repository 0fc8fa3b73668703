// The emails cx queues (which one a reset sends, its subject; the deactivated client's next steps), why
// a suppressed address gets none, and what the agent tells the person. Pure: no I/O. The address rules
// themselves are rules/address.ts. The words follow the platform's help centre: reset emails can land in
// spam, new users verify their address first, providers get "Please Verify Your <brand> Account", and one
// unsubscribe stops every email.
import { shellWord } from './shell.js';

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

export function isResetTemplate(template: string): template is ResetTemplate {
  return Object.hasOwn(LABELS, template);
}

/** How a sentence names the email: "the client password-reset email", the provider's with its title. */
export function resetEmailLabel(template: ResetTemplate, subject: string): string {
  return template === 'provider_password_reset' ? `${LABELS[template]} ("${subject}")` : LABELS[template];
}

/** An unverified address must be verified before any reset; otherwise the role decides the flow. */
export function resetEmailFor(account: { role: 'client' | 'provider'; email_verified_at: string | null }, brand: string): EmailChoice {
  const template: ResetTemplate = !account.email_verified_at
    ? 'email_verification'
    : account.role === 'provider'
      ? 'provider_password_reset'
      : 'client_password_reset';
  const subject = subjectFor(template, brand);
  return { template, subject, label: resetEmailLabel(template, subject), verification: template === 'email_verification' };
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

/**
 * A reset refused because the account's address is suppressed: the sentence (one line, no command in it)
 * and the command that fixes it, which JSON gives as `fix` and people read on a line of its own
 * (src/rules/guidance.ts says what to tell the person and which command comes first).
 */
export function resetSuppressedRefusal(c: SuppressionCase, askedToResubscribe: boolean): { detail: string; fix: string } {
  const cause = suppressionCause(c);
  // The fix is the one step people are shown too: off the list and the reset queued, together.
  if (c.reason === 'unsubscribe') return { detail: `${cause}, so the reset email would never arrive`, fix: `cx reset ${shellWord(c.address)} --resubscribe --ticket ${ticketWord(c.ticket)}` };
  const lead = askedToResubscribe ? `--resubscribe lifts only an unsubscribe, not a ${c.reason}: ` : '';
  return { detail: `${lead}${cause}, so the reset email would never arrive`, fix: forceCommand(c.address, c.ticket) };
}

/** `cx resubscribe` refused for a bounce or complaint without --force. */
export function resubscribeRefusal(c: SuppressionCase): { detail: string; fix: string } {
  return { detail: `${suppressionCause(c)}; resubscribing does not make mail arrive`, fix: forceCommand(c.address, c.ticket) };
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

/** The email a deactivated client gets; the Customer Experience team follows up on it. */
export const NEXT_STEPS_TEMPLATE = 'client_deactivation_next_steps';

export function nextStepsSubject(brand: string): string {
  return `Your ${brand} account has been deactivated — next steps`;
}

/** How a detail names a suppression row: "unsubscribe since 2026-09-14". */
export function describeSuppression(s: { reason: string; created_at: string }): string {
  return `${s.reason} since ${s.created_at.slice(0, 10)}`;
}
