// Finding the account an address identifies, in the order of trust that CONTRACTS.md and issue 3 set:
// the current address (any case or spacing) -> a former address -> the same mailbox written another
// way (Gmail dots, googlemail.com; +tag kept) -> the account at the base mailbox (+tag dropped).
// The first step that finds anything ends the search. Every action that takes an address uses this.
import { baseMailboxKey, checkAddress, mailboxKey } from '../rules/email.js';
import {
  accountsByBaseKey,
  accountsByEmailKey,
  accountsByFormerEmailKey,
  accountsByMailboxKey,
  type Account,
} from '../store/accounts.js';
import type { Db } from '../store/db.js';

export type MatchedBy = 'email' | 'former_email' | 'mailbox';

export type Found =
  | { kind: 'invalid'; query: string; reason: string }
  | { kind: 'not_found'; query: string; address: string }
  | { kind: 'found'; query: string; address: string; matchedBy: MatchedBy; accounts: Account[] };

export function findByAddress(db: Db, raw: string): Found {
  const checked = checkAddress(raw);
  if (!checked.ok) return { kind: 'invalid', query: raw, reason: checked.reason };
  const address = checked.parsed.address;
  const found = (matchedBy: MatchedBy, accounts: Account[]): Found => ({ kind: 'found', query: raw, address, matchedBy, accounts });

  const current = accountsByEmailKey(db, address);
  if (current.length) return found('email', current);
  const former = accountsByFormerEmailKey(db, address);
  if (former.length) return found('former_email', former);
  const mailbox = mailboxKey(address);
  const sameMailbox = accountsByMailboxKey(db, mailbox);
  if (sameMailbox.length) return found('mailbox', sameMailbox);
  const base = baseMailboxKey(address);
  if (base !== mailbox) {
    const atBase = accountsByMailboxKey(db, base);
    if (atBase.length) return found('mailbox', atBase);
  }
  return { kind: 'not_found', query: raw, address };
}

/** The other accounts that share the mailbox through +alias addresses (never the matches themselves). */
export function familyOf(db: Db, address: string, matches: Account[]): Account[] {
  const ids = new Set(matches.map((a) => a.id));
  return accountsByBaseKey(db, baseMailboxKey(address)).filter((a) => !ids.has(a.id));
}
