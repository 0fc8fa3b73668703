// Domain knowledge that changes over time comes from maintained npm packages, never from
// ../shared: disposable domains (disposable-email-domains-js) and well-known mail domains
// (@zootools/email-spell-checker, which also does the typo search).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as SpellChecker from '@zootools/email-spell-checker';
import type * as SpellCheckerConfig from '@zootools/email-spell-checker/dist/lib/config/index.js';
import type * as Levenshtein from 'fastest-levenshtein';
import { addressKey, checkAddress } from './email-syntax.js';
import { normaliseDomain, PROVIDER_DOMAINS } from './email-mailbox.js';

// The packages are required on first use, not imported: `cx lookup` must start fast, and
// most runs never need a typo search (tens of ms of CommonJS loading saved).
const requirePackage = createRequire(import.meta.url);
let levenshtein: typeof Levenshtein | null = null;

/** Levenshtein distance (insertions, deletions, substitutions; a swap counts 2). */
export function editDistance(a: string, b: string): number {
  levenshtein ??= requirePackage('fastest-levenshtein') as typeof Levenshtein;
  return levenshtein.distance(a, b);
}

const PROVIDERS: ReadonlySet<string> = new Set(PROVIDER_DOMAINS);

// The blocklist (~9,000 names, 170 KB of JSON) is read on first use and searched as bytes: parsing it into a
// Set cost ~40 ms of a lookup's start, and decoding it into a string ~1 ms, for the two or three names one
// address needs. Every entry is a quoted lower-case ASCII domain name, so a quoted name found in the bytes
// is an entry (a name holding a quote or a backslash, which no domain does, is never looked for; a name
// that is not ASCII is looked for as its UTF-8 bytes, which no entry holds).
let blocklist: Buffer | null = null;
/** Whether the blocklist has been read yet (tests: importing the rules must not read it). */
export function blocklistRead(): boolean {
  return blocklist !== null;
}

function onBlocklist(name: string): boolean {
  if (/["\\]/.test(name)) return false;
  blocklist ??= readFileSync(requirePackage.resolve('disposable-email-domains-js/dist/dict/disposable_email_blocklist.json'));
  return blocklist.includes(`"${name}"`);
}

/**
 * Whether the domain (or an address's domain) is on the disposable-email blocklist: the
 * listed domain itself or any subdomain of it (mail.mailinator.com matches mailinator.com).
 * Advisory: the caller flags such an address, it never refuses it.
 */
export function isDisposableDomain(domain: string): boolean {
  let d = normaliseDomain(domain);
  d = d.slice(d.lastIndexOf('@') + 1);
  // The big mail providers are never throwaway: most lookups then never read the list (~4 ms).
  if (PROVIDERS.has(d)) return false;
  const labels = d.split('.');
  // Walk up from the full name to the registrable part; a bare TLD is never listed.
  for (let i = 0; i <= labels.length - 2; i++) {
    if (onBlocklist(labels.slice(i).join('.'))) return true;
  }
  return false;
}

interface DomainKnowledge {
  known: Set<string>;
  knownList: string[];
  secondLevel: Set<string>;
  tlds: Set<string>;
  spellCheck: typeof SpellChecker.run;
}
let knowledge: DomainKnowledge | null = null;

function domainKnowledge(): DomainKnowledge {
  if (knowledge) return knowledge;
  const checker = requirePackage('@zootools/email-spell-checker') as typeof SpellChecker;
  const config = requirePackage('@zootools/email-spell-checker/dist/lib/config/index.js') as typeof SpellCheckerConfig;
  const known = new Set([...checker.POPULAR_DOMAINS, ...PROVIDER_DOMAINS]);
  knowledge = {
    known,
    knownList: [...known],
    secondLevel: new Set(config.DEFAULT_CONFIG.secondLevelDomains),
    tlds: new Set(checker.POPULAR_TLDS),
    spellCheck: checker.run,
  };
  return knowledge;
}

/** A listed mail domain, or a listed provider name under a listed TLD (yahoo.co.uk, hotmail.de). */
function isWellKnown(domain: string): boolean {
  const { known, secondLevel, tlds } = domainKnowledge();
  if (known.has(domain)) return true;
  const dot = domain.indexOf('.');
  return dot > 0 && secondLevel.has(domain.slice(0, dot)) && tlds.has(domain.slice(dot + 1));
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
  const candidate = !domain.includes('.') && isWellKnown(`${domain}.com`) ? `${domain}.com` : closestKnown(domain);
  if (!candidate) return null;
  const suggestion = `${local}@${candidate}`;
  return checkAddress(suggestion).ok ? suggestion : null; // never suggest what we would refuse
}

/** The checker's nearest well-known domain, if close enough to be a typo of it. */
function closestKnown(domain: string): string | null {
  let candidate: string | undefined;
  try {
    // A neutral local part: the checker percent-encodes the address it returns; we keep ours.
    const { spellCheck, knownList } = domainKnowledge();
    candidate = spellCheck({ email: `x@${domain}`, domains: knownList })?.domain;
  } catch {
    return null; // e.g. malformed Unicode, which encodeURI refuses
  }
  if (!candidate || candidate === domain || !isWellKnown(candidate)) return null;
  return closeEnough(domain, candidate) ? candidate : null;
}
