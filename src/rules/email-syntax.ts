// Cleaning, lookup keys and validation of a typed email address.
// The policy enforced here is written down in docs/email-policy.md: accept the plain
// `local@domain` form that mail providers issue (dot-atom local part, host-name domain,
// UTF-8 allowed per RFC 6531), reject the exotic RFC 5321/5322 forms (quoted strings,
// comments, folding whitespace, address literals) and anything over the RFC 5321 limits.

import { asciiLabelLength } from './email-punycode.js';
import { lazyPattern } from './lazy-pattern.js';

export interface ParsedAddress {
  /** Lower-cased, NFC-normalised local part. */
  local: string;
  /** Lower-cased, NFC-normalised domain (Unicode as typed; not converted to xn--). */
  domain: string;
  /** `local@domain`, equal to addressKey(raw) for an accepted address. */
  address: string;
}

export type AddressCheck = { ok: true; parsed: ParsedAddress } | { ok: false; reason: string };

const MAX_LOCAL_OCTETS = 64;
const MAX_LABEL_OCTETS = 63;
const MAX_DOMAIN_OCTETS = 253;
const MAX_ADDRESS_OCTETS = 254;

/** RFC 5322 atext: the ASCII characters a dot-atom local part may contain besides dots. */
const ASCII_ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]$/;
const ASCII_LDH = /^[A-Za-z0-9-]$/;
/** Non-ASCII we refuse even under RFC 6531: separators, controls, invisible format chars, lone surrogates. */
const BAD_UNICODE = lazyPattern(() => /[\p{Z}\p{Cc}\p{Cf}]/u);
const LONE_SURROGATE = lazyPattern(() => /\p{Cs}/u);
/** C0 controls except TAB, DEL and C1 controls: a line break or NUL means this is not one typed address. */
const CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F]/;

/**
 * Trim, drop a surrounding `<…>` and a leading `mailto:` (with any `?query`), and trim again
 * inside them. Does not validate: used for indexing stored data too.
 */
export function cleanAddressInput(raw: string): string {
  let s = raw.trim();
  for (;;) {
    if (s.length >= 2 && s.startsWith('<') && s.endsWith('>')) {
      s = s.slice(1, -1).trim();
    } else if (s.slice(0, 7).toLowerCase() === 'mailto:') {
      s = s.slice(7);
      const query = s.indexOf('?');
      if (query >= 0) s = s.slice(0, query);
      s = s.trim();
    } else {
      return s;
    }
  }
}

/** Lookup key of the address as written: cleaned, NFC, lower-case. No validation. */
export function addressKey(raw: string): string {
  return cleanAddressInput(raw).normalize('NFC').toLowerCase();
}

const reject = (reason: string): AddressCheck => ({ ok: false, reason });

const octets = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Printable form of one offending character for a reason sentence. */
function show(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `"${ch}"`;
}

/** Forms RFC 5322 allows but we do not: report them before the generic character checks. */
function exoticFormReason(s: string): string | null {
  if (s.includes('"')) return 'Quoted local parts ("…"@…) are not accepted: no mail provider issues them.';
  if (/[()]/.test(s)) return 'Comments in parentheses are not accepted: type only the address.';
  if (/[[\]]/.test(s)) return 'IP-address literals ([…]) are not accepted: use the mail domain.';
  if (/[<>]/.test(s)) return 'Type only the address, without a name or angle brackets.';
  if (/\s/u.test(s)) return 'The address contains a space.';
  return null;
}

function localPartReason(local: string): string | null {
  if (local === '') return 'Nothing before the @.';
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return 'The part before the @ cannot start or end with a dot, or have two dots in a row.';
  }
  for (const ch of local) {
    if (ch === '.' || ASCII_ATEXT.test(ch)) continue;
    if (ch.codePointAt(0)! >= 0x80 && !BAD_UNICODE().test(ch)) continue;
    return `The part before the @ contains ${show(ch)}, which is not allowed.`;
  }
  if (octets(local) > MAX_LOCAL_OCTETS) return `The part before the @ is longer than ${MAX_LOCAL_OCTETS} characters.`;
  return null;
}

function domainReason(domain: string): string | null {
  if (domain === '') return 'Nothing after the @.';
  const labels = domain.split('.');
  if (labels.some((l) => l === '')) return 'The domain cannot start or end with a dot, or have two dots in a row.';
  for (const label of labels) {
    for (const ch of label) {
      if (ASCII_LDH.test(ch)) continue;
      if (ch.codePointAt(0)! >= 0x80 && !BAD_UNICODE().test(ch)) continue;
      return `The domain contains ${show(ch)}, which is not allowed.`;
    }
    if (label.startsWith('-') || label.endsWith('-')) return 'A part of the domain cannot start or end with a hyphen.';
    if (asciiLabelLength(label) > MAX_LABEL_OCTETS) {
      return `A part of the domain is longer than ${MAX_LABEL_OCTETS} characters.`;
    }
  }
  // A numeric last label is no top-level domain: it is an IP address written without brackets, or a typo.
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return 'The domain ends in a number: use the mail domain, not an IP address.';
  return null;
}

/**
 * A plain ASCII address that the full check below accepts as it is: dot-atom local part of at most 64
 * characters, host-name labels of at most 63, a last label starting with a letter (so not numeric),
 * nothing to trim or unwrap. Most addresses are like this; an import checks millions of them.
 */
const PLAIN_ADDRESS =
  /^(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Clean, then validate by the written policy (docs/email-policy.md). Offline: no DNS. */
export function checkAddress(raw: string): AddressCheck {
  if (raw.length <= MAX_ADDRESS_OCTETS && PLAIN_ADDRESS.test(raw)) {
    const at = raw.indexOf('@');
    const parsed = { local: raw.slice(0, at).toLowerCase(), domain: raw.slice(at + 1).toLowerCase() };
    return { ok: true, parsed: { ...parsed, address: `${parsed.local}@${parsed.domain}` } };
  }
  return checkAddressFully(raw);
}

/** checkAddress without the plain-address shortcut (exported so a test holds the two to the same answers). */
export function checkAddressFully(raw: string): AddressCheck {
  if (CONTROL.test(raw)) return reject('The address contains a line break or control character.');
  if (LONE_SURROGATE().test(raw)) return reject('The address contains malformed Unicode.');
  const s = cleanAddressInput(raw).normalize('NFC');
  if (s === '') return reject('The address is empty.');
  const exotic = exoticFormReason(s);
  if (exotic) return reject(exotic);
  const at = s.indexOf('@');
  if (at < 0) return reject('The address has no @.');
  if (s.indexOf('@', at + 1) >= 0) return reject('The address has more than one @.');
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  const problem = localPartReason(local) ?? domainReason(domain);
  if (problem) return reject(problem);
  const asciiDomainLength = domain.split('.').reduce((n, l) => n + asciiLabelLength(l), 0) + domain.split('.').length - 1;
  if (asciiDomainLength > MAX_DOMAIN_OCTETS) return reject(`The domain is longer than ${MAX_DOMAIN_OCTETS} characters.`);
  if (octets(local) + 1 + asciiDomainLength > MAX_ADDRESS_OCTETS) {
    return reject(`The address is longer than ${MAX_ADDRESS_OCTETS} characters.`);
  }
  const parsed = { local: local.toLowerCase(), domain: domain.toLowerCase() };
  return { ok: true, parsed: { ...parsed, address: `${parsed.local}@${parsed.domain}` } };
}
