// Family hygiene: every account carries the name and date of birth of the person in care, a child's too
// (the seed: "the Headway account name … should reflect the name of the client seeking care (with
// corresponding date of birth), even if the client is a minor"). In a mailbox a family shares, an account
// with the account holder's name, or their date of birth, is most often a child's account made under the
// parent's identity, or a second account of the holder: either way, the family is asked. Name and date of
// birth are what identify the person in care (src/rules/identity.ts), so a record under the wrong ones is
// found by the wrong person and kept by the wrong retention rule (a minor's records are kept longer).
import { plusTag } from './email-mailbox.js';
import { nameKey } from './names.js';

/** What the rule reads of an account in the mailbox. */
export interface MailboxMember {
  id: string;
  email: string;
  email_key: string;
  role: 'client' | 'provider';
  first_name: string;
  last_name: string;
  dob: string | null;
  created_at: string;
}

/**
 * How an account repeats the holder's identity: both name and date of birth (a family member's account made
 * under the adult's, or a duplicate), the name with another date of birth, or the date of birth under
 * another name. A date of birth is compared, never shown.
 */
export type FamilyIssue = 'holder_name_and_dob' | 'holder_name' | 'holder_dob';

export interface FamilyFlag<M extends MailboxMember = MailboxMember> {
  account: M;
  holder: M;
  issue: FamilyIssue;
}

/**
 * The account holder of a mailbox: the client at its own address (no +tag; the oldest, should the mailbox be
 * stored under two spellings), else its oldest client. Providers are not in care: never the holder.
 */
export function accountHolder<M extends MailboxMember>(members: readonly M[]): M | undefined {
  const clients = members.filter((m) => m.role === 'client');
  const own = clients.filter((m) => plusTag(m.email_key) === null);
  return oldest(own.length ? own : clients);
}

/** The clients of one mailbox that repeat its holder's name or date of birth, in the order given. */
export function familyFlags<M extends MailboxMember>(members: readonly M[]): FamilyFlag<M>[] {
  const holder = accountHolder(members);
  if (!holder) return [];
  const holderName = personKey(holder);
  const flags: FamilyFlag<M>[] = [];
  for (const account of members) {
    if (account === holder || account.role !== 'client') continue;
    const issue = issueOf(personKey(account) === holderName && holderName !== null, sameDob(account.dob, holder.dob));
    if (issue) flags.push({ account, holder, issue });
  }
  return flags;
}

function issueOf(sameName: boolean, sameDate: boolean): FamilyIssue | null {
  if (sameName) return sameDate ? 'holder_name_and_dob' : 'holder_name';
  return sameDate ? 'holder_dob' : null;
}

/** First and last name as lookup folds them ("Zoë O’Neil" is "Zoe Oneil"); null when either has no usable letter. */
function personKey(m: MailboxMember): string | null {
  const first = nameKey(m.first_name);
  const last = nameKey(m.last_name);
  return first && last ? `${first} ${last}` : null;
}

/** Two dates of birth on record and equal; a missing one matches nothing. */
function sameDob(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && a.trim() !== '' && a.trim() === b.trim();
}

function oldest<M extends MailboxMember>(members: readonly M[]): M | undefined {
  let first: M | undefined;
  for (const m of members) if (!first || m.created_at < first.created_at || (m.created_at === first.created_at && m.id < first.id)) first = m;
  return first;
}
