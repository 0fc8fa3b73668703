// Domain knowledge that changes over time comes from maintained npm packages, never from
// ../shared: disposable domains (disposable-email-domains-js) and well-known mail domains
// (@zootools/email-spell-checker, which also does the typo search).

import { disposableEmailBlocklistSet } from 'disposable-email-domains-js';
import { run as spellCheck, POPULAR_DOMAINS, POPULAR_TLDS } from '@zootools/email-spell-checker';
import { DEFAULT_CONFIG } from '@zootools/email-spell-checker/dist/lib/config/index.js';
import { distance } from 'fastest-levenshtein';
import { addressKey } from './email-syntax.js';
import { normaliseDomain, PROVIDER_DOMAINS } from './email-mailbox.js';

/** Levenshtein distance (insertions, deletions, substitutions; a swap counts 2). */
export function editDistance(a: string, b: string): number {
  return distance(a, b);
}

// The blocklist has thousands of entries: read it on first use only, into one Set.
let disposable: Set<string> | null = null;

/**
 * Whether the domain (or an address's domain) is on the disposable-email blocklist: the
 * listed domain itself or any subdomain of it (mail.mailinator.com matches mailinator.com).
 * Advisory: the caller flags such an address, it never refuses it.
 */
export function isDisposableDomain(domain: string): boolean {
  let d = normaliseDomain(domain);
  d = d.slice(d.lastIndexOf('@') + 1);
  disposable ??= disposableEmailBlocklistSet();
  const labels = d.split('.');
  // Walk up from the full name to the registrable part; a bare TLD is never listed.
  for (let i = 0; i <= labels.length - 2; i++) {
    if (disposable.has(labels.slice(i).join('.'))) return true;
  }
  return false;
}

const KNOWN_DOMAINS = new Set([...POPULAR_DOMAINS, ...PROVIDER_DOMAINS]);
const KNOWN_LIST = [...KNOWN_DOMAINS];
const SECOND_LEVEL = new Set(DEFAULT_CONFIG.secondLevelDomains);
const TLDS = new Set(POPULAR_TLDS);

/** A listed mail domain, or a listed provider name under a listed TLD (yahoo.co.uk, hotmail.de). */
function isWellKnown(domain: string): boolean {
  if (KNOWN_DOMAINS.has(domain)) return true;
  const dot = domain.indexOf('.');
  return dot > 0 && SECOND_LEVEL.has(domain.slice(0, dot)) && TLDS.has(domain.slice(dot + 1));
}

/**
 * Whether changing `typed` into `candidate` is a plausible typo fix. Short names are close to
 * many real domains (ge.com is one edit from me.com, ibm.com two from aim.com), so the allowed
 * distance grows with the length of the name before the first dot.
 */
function closeEnough(typed: string, candidate: string): boolean {
  const name = typed.split('.')[0] ?? '';
  const sameName = name === candidate.split('.')[0];
  const d = editDistance(typed, candidate);
  if (sameName) return d <= 2; // only the ending changed: gmail.con, qq.co
  if (d <= 1) return name.length >= 3;
  return d === 2 && name.length >= 5;
}

/**
 * A likely intended address when the domain looks like a typo of a well-known mail domain
 * (gmial.com, gmail.con, hotmial.com, or a bare "gmail"), else null. Only a suggestion:
 * callers show it and never use it in place of what was typed.
 */
export function suggestDomain(address: string): string | null {
  const key = addressKey(address);
  const at = key.lastIndexOf('@');
  if (at <= 0 || at === key.length - 1) return null;
  const local = key.slice(0, at);
  const domain = normaliseDomain(key.slice(at + 1));
  if (isWellKnown(domain)) return null;
  if (!domain.includes('.') && isWellKnown(`${domain}.com`)) return `${local}@${domain}.com`;
  let candidate: string | undefined;
  try {
    // A neutral local part: the checker percent-encodes what it returns, and we keep ours.
    candidate = spellCheck({ email: `x@${domain}`, domains: KNOWN_LIST })?.domain;
  } catch {
    return null; // e.g. malformed Unicode that encodeURI refuses
  }
  if (!candidate || candidate === domain || !isWellKnown(candidate)) return null;
  return closeEnough(domain, candidate) ? `${local}@${candidate}` : null;
}
