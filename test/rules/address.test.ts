import { describe, it, expect } from 'vitest';
import {
  addressKey, baseMailboxKey, checkAddress, cleanAddressInput, editDistance, isDisposableDomain,
  mailboxKey, plusTag, suggestDomain, supportsPlusAddressing,
} from '../../src/rules/address.js';
import { blocklistRead as blocklistLoaded } from '../../src/rules/email-domains.js';

// Runs first (tests run in file order): importing the rules must not read the disposable list.
describe('module load stays cheap', () => {
  it('the disposable list is read on the first isDisposableDomain call, not on import', () => {
    expect(blocklistLoaded()).toBe(false);
    expect(isDisposableDomain('mailinator.com')).toBe(true);
    expect(blocklistLoaded()).toBe(true);
  });
});

const rejected = (raw: string): string => {
  const r = checkAddress(raw);
  if (r.ok) throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
  return r.reason;
};

describe('cleanAddressInput', () => {
  it.each([
    ['  <Jane.Doe@Gmail.com> ', 'Jane.Doe@Gmail.com'],
    ['mailto:x@y.com', 'x@y.com'],
    ['MAILTO:<x@y.com>', 'x@y.com'],
    ['<mailto:x@y.com>', 'x@y.com'],
    ['mailto:x@y.com?subject=Hello', 'x@y.com'],
    ['< jane@x.com >', 'jane@x.com'],
    ['\u00a0\tjane@x.com\n', 'jane@x.com'],
    ['not an address', 'not an address'],
    ['test@<iana>.org', 'test@<iana>.org'],
  ])('%j -> %j', (raw, clean) => {
    expect(cleanAddressInput(raw)).toBe(clean);
  });
});

describe('addressKey', () => {
  it('cleans and lower-cases without validating', () => {
    expect(addressKey('  <Jane.Doe@Gmail.com> ')).toBe('jane.doe@gmail.com');
    expect(addressKey('Not An Address')).toBe('not an address');
  });
  it('composes accents (NFC) so both spellings of ë share a key', () => {
    expect(addressKey('Zoe\u0308@example.com')).toBe(addressKey('Zo\u00eb@example.com'));
  });
});

describe('checkAddress: accepted', () => {
  it('a typed address with brackets and spacing, parsed lower-case', () => {
    const r = checkAddress('  <Jane.Doe@Gmail.com> ');
    expect(r).toEqual({ ok: true, parsed: { local: 'jane.doe', domain: 'gmail.com', address: 'jane.doe@gmail.com' } });
  });
  it.each([
    'jane+kid@gmail.com', "o'neil@example.ie", 'x@y.co', '+@b.c', 'a_b-c@sub.example-domain.org',
    'jane@localhost', // dotless domain: RFC 5321 grammar, and isemail-hapi calls test@io valid
    'josé@bücher.de', '用户@例子.广告', 'user@xn--bcher-kva.de', 'test@iana.co-uk', 'first.last@123.iana.org',
  ])('%s', (raw) => {
    const r = checkAddress(raw);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.parsed.address).toBe(addressKey(raw));
  });
});

describe('checkAddress: rejected with a short reason', () => {
  it.each([
    ['', /empty/],
    ['jane.doe', /no @/],
    ['jane@@x.com', /more than one @/],
    ['@x.com', /before the @/],
    ['jane@', /after the @/],
    ['"jane doe"@example.com', /Quoted/],
    ['(work)jane@example.com', /Comments/],
    ['jane@[127.0.0.1]', /IP-address literals/],
    ['jane@192.168.0.1', /ends in a number/],
    ['Jane Doe <jane@example.com>', /without a name or angle brackets/],
    ['jane doe@example.com', /space/],
    ['jane\u00a0doe@example.com', /space/],
    ['jane\u200b@example.com', /not allowed/],
    ['jane@example.com\r\n', /line break/],
    ['jane\u0000@example.com', /control character/],
    ['jane\ud800@example.com', /malformed Unicode/],
    ['.jane@example.com', /dot/],
    ['jane@example..com', /dot/],
    ['jane@example.com.', /dot/],
    ['jane@-example.com', /hyphen/],
    ['jane@exam_ple.com', /"_"/],
    ['jane\\doe@example.com', /"\\"/],
  ])('%j (%s)', (raw, reason) => {
    const text = rejected(raw);
    expect(text).toMatch(reason);
    expect(text).toMatch(/^[A-Z].{5,100}\.$/);
  });
});

describe('checkAddress: RFC 5321 length limits', () => {
  const label = (n: number) => 'a'.repeat(n);
  it('local part: 64 octets accepted, 65 rejected (UTF-8 octets, not characters)', () => {
    expect(checkAddress(`${label(64)}@example.com`).ok).toBe(true);
    expect(rejected(`${label(65)}@example.com`)).toMatch(/64/);
    expect(rejected(`${'é'.repeat(33)}@example.com`)).toMatch(/64/); // 33 chars, 66 octets
  });
  it('domain label: 63 accepted, 64 rejected; IDN labels count in their xn-- form', () => {
    expect(checkAddress(`a@${label(63)}.com`).ok).toBe(true);
    expect(rejected(`a@${label(64)}.com`)).toMatch(/63/);
    expect(checkAddress(`a@${'ü'.repeat(20)}.de`).ok).toBe(true);
    expect(rejected(`a@${label(55)}${'ü'.repeat(5)}.de`)).toMatch(/63/); // 60 chars, longer as xn--
  });
  it('whole address: 254 accepted, 255 rejected', () => {
    const domain = (total: number, local: number) => {
      let rest = total - local - 1 - 4; // minus '@' and '.com'
      const parts: string[] = [];
      while (rest > 0) { const n = Math.min(63, rest); parts.push(label(n)); rest -= n + 1; }
      return `${parts.join('.')}.com`;
    };
    const at254 = `${label(10)}@${domain(254, 10)}`;
    expect(at254.length).toBe(254);
    expect(checkAddress(at254).ok).toBe(true);
    expect(rejected(`${label(11)}@${domain(254, 10)}`)).toMatch(/254/);
  });
});

describe('mailboxKey (the +tag kept)', () => {
  it.each([
    ['J.a.n.e@googlemail.com', 'jane@gmail.com'],
    ['J.a.n.e+Kid@GoogleMail.com', 'jane+kid@gmail.com'],
    ['jane.doe+x.y@gmail.com', 'janedoe+x.y@gmail.com'],
    ['Jane.Doe@example.com', 'jane.doe@example.com'],
    ['jane.doe+x@outlook.com', 'jane.doe+x@outlook.com'],
  ])('%s -> %s', (raw, key) => {
    expect(mailboxKey(raw)).toBe(key);
  });
});

describe('baseMailboxKey (the +tag dropped where the provider delivers it to the base)', () => {
  it.each([
    ['j.ane+kid@googlemail.com', 'jane@gmail.com'],
    ['jane+kid@outlook.com', 'jane@outlook.com'],
    ['jane+kid@hotmail.com', 'jane@hotmail.com'],
    ['jane+kid@live.com', 'jane@live.com'],
    ['jane+kid@msn.com', 'jane@msn.com'],
    ['jane+kid@icloud.com', 'jane@icloud.com'],
    ['jane+kid@me.com', 'jane@me.com'],
    ['jane+kid@mac.com', 'jane@mac.com'],
    ['jane+kid@fastmail.com', 'jane@fastmail.com'],
    ['jane+kid@proton.me', 'jane@proton.me'],
    ['jane+kid@protonmail.com', 'jane@protonmail.com'],
  ])('%s -> %s', (raw, key) => {
    expect(baseMailboxKey(raw)).toBe(key);
  });
  it.each([
    'jane-news@yahoo.com', // Yahoo '-' keywords are separate base names
    'jane+news@yahoo.com',
    'a+b@example.com',
    '+tag@gmail.com', // no base name to fall back to
  ])('%s unchanged', (raw) => {
    expect(baseMailboxKey(raw)).toBe(mailboxKey(raw));
    expect(baseMailboxKey(raw)).toBe(addressKey(raw));
  });
});

describe('plusTag', () => {
  it.each([
    ['jane+Kid@gmail.com', 'kid'],
    ['a+b+c@example.com', 'b+c'],
    ['jane@gmail.com', null],
    ['+@b.c', null],
    ['jane+@gmail.com', null],
    ['no-at-sign', null],
  ])('%s -> %s', (raw, tag) => {
    expect(plusTag(raw)).toBe(tag);
  });
});

describe('supportsPlusAddressing (the platform guidance for family members)', () => {
  it.each(['gmail.com', 'googlemail.com', 'hotmail.com', 'outlook.com', 'icloud.com', 'me.com', 'mac.com', ' Gmail.COM '])('%s: yes', (d) => {
    expect(supportsPlusAddressing(d)).toBe(true);
  });
  // Fastmail and Proton deliver +tags, but the platform's guidance names only the four above.
  it.each(['yahoo.com', 'fastmail.com', 'proton.me', 'example.com', 'gmail.co', ''])('%j: no', (d) => {
    expect(supportsPlusAddressing(d)).toBe(false);
  });
});

describe('isDisposableDomain', () => {
  it.each(['mailinator.com', 'mail.mailinator.com', 'MAILINATOR.COM', 'a.b.mailinator.com', 'jane@mailinator.com'])('%s: flagged', (d) => {
    expect(isDisposableDomain(d)).toBe(true);
  });
  it.each(['gmail.com', 'mailinatorx.com', 'mailinator.com.example.org', 'com', ''])('%j: not flagged', (d) => {
    expect(isDisposableDomain(d)).toBe(false);
  });
});

describe('suggestDomain', () => {
  it.each([
    ['jane@gmial.com', 'jane@gmail.com'],
    ['jane@gmail.con', 'jane@gmail.com'],
    ['jane@hotmial.com', 'jane@hotmail.com'],
    ['Jane+Kid@Gmial.com', 'jane+kid@gmail.com'],
    ['jane@gmail', 'jane@gmail.com'],
    ['jane@gmailc.om', 'jane@gmail.com'], // examples from mailcheck's own spec
    ['jane@gnail.con', 'jane@gmail.com'],
    ['jane@comcast.nry', 'jane@comcast.net'],
    ['jane@yaho.com', 'jane@yahoo.com'],
    ['jane@outlok.com', 'jane@outlook.com'],
  ])('%s -> %s', (raw, suggestion) => {
    expect(suggestDomain(raw)).toBe(suggestion);
  });
  it.each([
    'jane@gmail.com', 'jane@yahoo.co.uk', 'jane@hotmail.co.uk', 'jane@mac.com',
    'jane@kaiserpermanente.org', 'jane@northwind-clinic.health', // far from anything
    'jane@acme.com', 'jane@ge.com', 'jane@ibm.com', 'jane@libero.it', 'jane@aol.co.uk', 'jane@acme.pt', // short real domains
    'no-at-sign', 'jane@', 'jane\ud800@gmial.com', 'jane doe@gmial.com', 'jane@bücher.de', // no valid suggestion
  ])('%s -> null', (raw) => {
    expect(suggestDomain(raw)).toBeNull();
  });
});

describe('editDistance', () => {
  it.each([
    ['gmial.com', 'gmail.com', 2],
    ['gmail.con', 'gmail.com', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
    ['same', 'same', 0],
  ])('%s / %s = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
});

describe('isDisposableDomain: the provider fast path', () => {
  it('agrees with the list: no big mail provider is on it', async () => {
    const { createRequire } = await import('node:module');
    const { PROVIDER_DOMAINS } = await import('../../src/rules/email-mailbox.js');
    const list = (createRequire(import.meta.url)('disposable-email-domains-js') as { disposableEmailBlocklistSet(): Set<string> }).disposableEmailBlocklistSet();
    expect(PROVIDER_DOMAINS.length).toBeGreaterThan(10);
    expect(PROVIDER_DOMAINS.filter((d) => list.has(d))).toEqual([]);
  });
});
