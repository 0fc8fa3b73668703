// `cx family`: the accounts that share one mailbox through +alias addresses, and a unique +alias address
// for a new family member (jane.doe+max@gmail.com). The platform's guidance: family aliases work only on
// Gmail, Hotmail, Outlook and iCloud; anywhere else the family member needs an address of their own. And
// the family's hygiene (src/rules/family-hygiene.ts): accounts there that repeat the holder's name or date
// of birth, one mailbox here, the whole mirror in src/actions/family-audit.ts.
import { baseMailboxKey, checkAddress, mailboxKey, plusTag, supportsPlusAddressing } from '../rules/address.js';
import { familyFlags, type FamilyFlag, type FamilyIssue } from '../rules/family-hygiene.js';
import { fullName, nameKey } from '../rules/names.js';
import { accountsByBaseKey, mailboxInUse, type Account } from '../store/accounts.js';
import type { Db } from '../store/db.js';
import { findByAddress } from './find-account.js';
import { ref, type AccountRef } from './lookup.js';

export interface FamilyReport {
  query: string;
  /** The base mailbox (Gmail dots and googlemail folded, +tag dropped): what every listed address delivers to. */
  mailbox: string;
  accounts: AccountRef[];
  suggestion: string | null;
  plus_addressing: boolean;
  /** The address the mailbox was read from: the typed one, or the current address when it was a former one. */
  address: string;
  /** The typed address is a former address of the account whose current address is `address`. */
  from_former_address: boolean;
  domain: string;
  /** Accounts at the mailbox whose first or full name is the --suggest name: that person may have one already. */
  same_name: AccountRef[];
  /** Accounts at the mailbox that repeat its holder's name or date of birth: what to ask the family about. */
  flags: FamilyFlagRow[];
}

/** An account that repeats its mailbox holder's name or date of birth (never the date itself). */
export interface FamilyFlagRow {
  /** The base mailbox both addresses deliver to. */
  mailbox: string;
  account_id: string;
  email: string;
  name: string;
  issue: FamilyIssue;
  holder_id: string;
  holder_email: string;
  holder_name: string;
}

export function flagRow(mailbox: string, f: FamilyFlag<Account>): FamilyFlagRow {
  return {
    mailbox,
    account_id: f.account.id,
    email: f.account.email,
    name: fullName(f.account),
    issue: f.issue,
    holder_id: f.holder.id,
    holder_email: f.holder.email,
    holder_name: fullName(f.holder),
  };
}

export type FamilyOutcome =
  | { kind: 'invalid'; query: string; reason: string }
  | { kind: 'report'; report: FamilyReport };

/** Numbered variants tried after the plain name (sam2 ... sam99) before giving up. */
const MAX_NUMBER = 99;
const MAX_LOCAL_OCTETS = 64;

export function familyReport(db: Db, raw: string, suggestFor?: string): FamilyOutcome {
  const checked = checkAddress(raw);
  if (!checked.ok) return { kind: 'invalid', query: raw, reason: checked.reason };
  let tag: string | null = null;
  if (suggestFor !== undefined) {
    tag = nameKey(suggestFor);
    if (!tag) return { kind: 'invalid', query: raw, reason: `--suggest needs a name with Latin letters or digits (got "${suggestFor}")` };
  }
  // A former address stands for the account's current one: the family lives at the current mailbox.
  const found = findByAddress(db, raw);
  const former = found.kind === 'found' && found.matchedBy === 'former_email';
  const address = former ? found.accounts[0]!.email_key : checked.parsed.address;
  const domain = address.slice(address.lastIndexOf('@') + 1);
  const mailbox = baseMailboxKey(address);
  const plus = supportsPlusAddressing(domain);
  // The mailbox's own address first, then its +alias addresses.
  const accounts = accountsByBaseKey(db, mailbox).sort((a, b) => Number(plusTag(a.email_key) !== null) - Number(plusTag(b.email_key) !== null));
  const report: FamilyReport = {
    query: raw,
    mailbox,
    accounts: accounts.map(ref),
    suggestion: plus && tag ? freeAliasAddress(db, address, tag) : null,
    plus_addressing: plus,
    address,
    from_former_address: former,
    domain,
    same_name: tag ? accounts.filter((a) => nameKey(a.first_name) === tag || nameKey(fullName(a)) === tag).map(ref) : [],
    flags: familyFlags(accounts).map((f) => flagRow(mailbox, f)),
  };
  return { kind: 'report', report };
}

/** `base+tag@domain`, or `base+tagN@domain` (N = 2, 3, ...) when taken; null when none fits or all are taken. */
function freeAliasAddress(db: Db, address: string, tag: string): string | null {
  const at = address.lastIndexOf('@');
  const existingTag = plusTag(address);
  const local = address.slice(0, at);
  const base = existingTag === null ? local : local.slice(0, local.length - existingTag.length - 1);
  const domain = address.slice(at + 1);
  for (let n = 1; n <= MAX_NUMBER; n++) {
    const suffix = n === 1 ? '' : String(n);
    const room = MAX_LOCAL_OCTETS - Buffer.byteLength(base, 'utf8') - 1 - suffix.length;
    if (room < 1) return null;
    const candidate = `${base}+${tag.slice(0, room)}${suffix}@${domain}`;
    if (!checkAddress(candidate).ok) return null;
    if (!mailboxInUse(db, mailboxKey(candidate), candidate)) return candidate;
  }
  return null;
}
