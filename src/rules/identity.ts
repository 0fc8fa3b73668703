// Who is asking: whether what the person gives shows that an account is theirs. Two proofs, as the platform
// has them: the request comes from the account's own address (its current or a former one, or the same
// mailbox written another way: they reach the same inbox), or the person gives the name and date of birth
// on the account (the seed's rule for families: name and date of birth identify the person in care). A
// +alias sibling in the same mailbox is another person's account, so its address proves nothing.
import { baseMailboxKey, mailboxKey } from './email-mailbox.js';

/** How an address relates to an account's own addresses (lookup keys: trimmed, lower-case). */
export type RequesterRelation = 'own' | 'family_alias' | 'unrelated';

/** `own`: the current or a former address, or the same mailbox; `family_alias`: another +alias of its mailbox. */
export function requesterRelation(ownKeys: readonly string[], requester: string): RequesterRelation {
  if (ownKeys.includes(requester)) return 'own';
  const mailbox = mailboxKey(requester);
  if (ownKeys.some((k) => mailboxKey(k) === mailbox)) return 'own';
  const base = baseMailboxKey(requester);
  return ownKeys.some((k) => baseMailboxKey(k) === base) ? 'family_alias' : 'unrelated';
}

/**
 * The date of birth the person gave (YYYY-MM-DD, checked by the caller) against the account's. An account
 * without one matches nothing: there is nothing to confirm the person with.
 */
export function dobMatches(onAccount: string | null, given: string): boolean {
  return onAccount !== null && onAccount.trim() !== '' && onAccount.trim() === given.trim();
}

/** Wrong answers one person may give before the desk stops asking (guessing a date is not confirming it). */
export const MAX_IDENTITY_ANSWERS = 3;
