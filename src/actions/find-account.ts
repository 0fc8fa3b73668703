// Finding the account an address identifies, in the order of trust issue 3 set (docs/reference.md#cx-lookup):
// the current address (any case or spacing) -> a former address -> the same mailbox written another
// way (Gmail dots, googlemail.com; +tag kept) -> the account at the base mailbox (+tag dropped) -> for an
// address typed without a +tag, the account(s) whose +tag address delivers to it (marcus.reyes@outlook.com
// finds marcus.reyes+headway@outlook.com). The first step that finds anything ends the search, so a
// parent's own address never returns the children's +alias accounts: those are its family.
// Every action that takes an address uses this.
import { baseMailboxKey, checkAddress, mailboxKey } from '../rules/address.js';
import {
  accountsByBaseKey,
  accountsByEmailKey,
  accountsByFormerEmailKey,
  accountsByMailboxKey,
  type Account,
} from '../store/accounts.js';
import { totalChanges, type Db } from '../store/db.js';

export type MatchedBy = 'email' | 'former_email' | 'mailbox';

export type Found =
  | { kind: 'invalid'; query: string; reason: string }
  | { kind: 'not_found'; query: string; address: string }
  | { kind: 'found'; query: string; address: string; matchedBy: MatchedBy; accounts: Account[] };

const handedOn = new WeakMap<Db, { found: Found; writes: number }>();

/**
 * Run `work` with an answer found just before on the same connection: the first findByAddress of that
 * same address inside `work` returns it instead of searching again, provided nothing was written on the
 * connection since. A batch finds a ticket's account for its exactly-once key, then the action finds it
 * again as every single command does; the batch holds the write lock, so no other connection writes in
 * between either. Taken once, and forgotten when `work` returns whether it was taken or not.
 */
export function withFound<T>(db: Db, found: Found | null, work: () => T): T {
  if (found === null) return work();
  handedOn.set(db, { found, writes: totalChanges(db) });
  try {
    return work();
  } finally {
    handedOn.delete(db);
  }
}

export function findByAddress(db: Db, raw: string): Found {
  const handed = handedOn.get(db);
  if (handed !== undefined) {
    handedOn.delete(db);
    if (handed.found.query === raw && totalChanges(db) === handed.writes) return handed.found;
  }
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
  } else {
    // Typed without a +tag: the mailbox's owner may have signed up with a +tag address only.
    const tagged = accountsByBaseKey(db, base);
    if (tagged.length) return found('mailbox', tagged);
  }
  return { kind: 'not_found', query: raw, address };
}

/**
 * The other accounts that share a mailbox with the matches through +alias addresses (never the matches
 * themselves). The mailbox is each match's OWN address's base mailbox: a match through a former address
 * has its family at its current address, not at the old one. With no matches, the address's mailbox.
 */
export function familyOf(db: Db, address: string, matches: Array<Pick<Account, 'id' | 'base_key'>>): Account[] {
  const ids = new Set(matches.map((a) => a.id));
  const bases = matches.length ? [...new Set(matches.map((a) => a.base_key))] : [baseMailboxKey(address)];
  const family = new Map<string, Account>();
  for (const base of bases) {
    for (const a of accountsByBaseKey(db, base)) if (!ids.has(a.id)) family.set(a.id, a);
  }
  return [...family.values()].sort((a, b) => (a.email_key < b.email_key ? -1 : a.email_key > b.email_key ? 1 : 0));
}
