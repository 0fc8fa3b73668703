// Which mailbox an address reaches: the provider rules the issue names, written once.
// These are facts about a handful of providers (how they route mail), not a data set,
// so they live in code; the well-known and disposable domain lists come from npm packages.

import { addressKey } from './email-syntax.js';

const GMAIL = 'gmail.com';
const GMAIL_ALIASES = new Set(['gmail.com', 'googlemail.com']);

/** Providers that deliver `base+tag@` to `base@` (so the +tag can be dropped to find the mailbox). */
const PLUS_DELIVERS_TO_BASE = new Set([
  'gmail.com', // googlemail.com is folded into gmail.com before this is consulted
  'outlook.com', 'hotmail.com', 'hotmail.co.uk', 'hotmail.fr', 'live.com', 'live.co.uk', 'msn.com',
  'icloud.com', 'me.com', 'mac.com',
  'fastmail.com', 'fastmail.fm',
  'proton.me', 'protonmail.com', 'protonmail.ch', 'pm.me',
]);

/** The platform's own guidance on family +alias accounts: these providers only. */
const FAMILY_PLUS_DOMAINS = new Set([
  'gmail.com', 'googlemail.com',
  'hotmail.com', 'hotmail.co.uk', 'hotmail.fr',
  'outlook.com',
  'icloud.com', 'me.com', 'mac.com',
]);

interface Split { local: string; domain: string }

/** Split a lookup key at its last '@'; null when there is no usable local part or domain. */
function split(address: string): Split | null {
  const key = addressKey(address);
  const at = key.lastIndexOf('@');
  if (at <= 0 || at === key.length - 1) return null;
  return { local: key.slice(0, at), domain: key.slice(at + 1) };
}

/** Position of the '+' that starts a tag, or -1. A leading '+' has no base name, so it is no tag. */
function tagStart(local: string): number {
  const plus = local.indexOf('+');
  return plus > 0 && plus < local.length - 1 ? plus : -1;
}

/**
 * The same mailbox written another way, +tag kept: Gmail ignores dots in the name and
 * treats googlemail.com as gmail.com. Other addresses come back as their lookup key.
 */
export function mailboxKey(address: string): string {
  const parts = split(address);
  if (!parts) return addressKey(address);
  if (!GMAIL_ALIASES.has(parts.domain)) return `${parts.local}@${parts.domain}`;
  const plus = tagStart(parts.local);
  const base = plus < 0 ? parts.local : parts.local.slice(0, plus);
  const tag = plus < 0 ? '' : parts.local.slice(plus);
  // Dots are ignored in the Gmail user name only; the tag is compared as written.
  const undotted = base.replace(/\./g, '');
  return `${undotted === '' ? base : undotted}${tag}@${GMAIL}`;
}

/**
 * mailboxKey with the +tag dropped where the provider delivers plus-addresses to the base
 * mailbox (Gmail, Outlook/Hotmail/Live/MSN, iCloud, Fastmail, Proton). Unchanged elsewhere;
 * Yahoo's '-' keywords are separate base names and are never stripped.
 */
export function baseMailboxKey(address: string): string {
  const key = mailboxKey(address);
  const parts = split(key);
  if (!parts || !PLUS_DELIVERS_TO_BASE.has(parts.domain)) return key;
  const plus = tagStart(parts.local);
  return plus < 0 ? key : `${parts.local.slice(0, plus)}@${parts.domain}`;
}

/** The +tag of an address (lower-case, without the '+'), or null. Syntactic: any domain. */
export function plusTag(address: string): string | null {
  const parts = split(address);
  if (!parts) return null;
  const plus = tagStart(parts.local);
  return plus < 0 ? null : parts.local.slice(plus + 1);
}

/** Whether the platform recommends family +alias addresses on this domain (Gmail, Hotmail, Outlook, iCloud). */
export function supportsPlusAddressing(domain: string): boolean {
  return FAMILY_PLUS_DOMAINS.has(normaliseDomain(domain));
}

/** Lower-case, trimmed, without a trailing root dot or a leading '@'. */
export function normaliseDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/^@/, '').replace(/\.$/, '');
}

/** Domains whose owner we know by name: a typo suggestion never points elsewhere than these or the package list. */
export const PROVIDER_DOMAINS: readonly string[] = [...new Set([...GMAIL_ALIASES, ...PLUS_DELIVERS_TO_BASE, ...FAMILY_PLUS_DOMAINS])];
