// The external email corpora (../shared/corpora or $CX_CORPORA) as test vectors for the
// address policy in docs/email-policy.md. They are read in place, never copied into the repo.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { disposableEmailBlocklistSet } from 'disposable-email-domains-js';
import { checkAddress, isDisposableDomain, suggestDomain } from '../../src/rules/address.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corporaDir = process.env.CX_CORPORA ?? path.resolve(repoRoot, '../shared/corpora');
const found = fs.existsSync(path.join(corporaDir, 'isemail-sayers', 'tests.xml'));

type Category = 'VALID' | 'DNSWARN' | 'RFC5321' | 'CFWS' | 'DEPREC' | 'RFC5322' | 'ERR';
interface Case { file: string; id: string; address: string; category: Category; diagnosis: string }
type Decision = 'accept' | 'reject' | 'accept-if-only-surrounding-spaces';

// The written policy, per category; overridden by diagnosis where the category is too coarse.
const CATEGORY_POLICY: Record<Category, Decision> = {
  VALID: 'accept', DNSWARN: 'accept', // offline: a DNSWARN address is syntactically valid
  RFC5321: 'reject', // quoted strings, address literals, numeric TLDs...
  CFWS: 'reject', // comments, folding whitespace
  DEPREC: 'reject',
  RFC5322: 'reject', // over RFC 5321 lengths, domain literals, bad domain characters
  ERR: 'reject',
};
const DIAGNOSIS_POLICY: Record<string, Decision> = {
  // A domain without a dot (a@b, test@org): RFC 5321 grammar allows it and isemail-hapi calls it valid.
  ISEMAIL_RFC5321_TLD: 'accept',
  rfc5321TLD: 'accept',
  // Whitespace is removed only where cleaning removes it: spaces/tabs around the address. CRLF never.
  ISEMAIL_CFWS_FWS: 'accept-if-only-surrounding-spaces',
  cfwsFWS: 'accept-if-only-surrounding-spaces',
};

function expectedAccept(c: Case): boolean {
  const decision = DIAGNOSIS_POLICY[c.diagnosis] ?? CATEGORY_POLICY[c.category];
  if (decision === 'accept-if-only-surrounding-spaces') return !/[\r\n]/.test(c.address) && !/\s/.test(c.address.trim());
  return decision === 'accept';
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML text -> string: entities (named and numeric), then U+2400+C back to control char C. */
function decodeXmlText(s: string): string {
  return s
    .replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, e: string) =>
      e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16))
        : e.startsWith('#') ? String.fromCodePoint(parseInt(e.slice(1), 10))
          : XML_ENTITIES[e]!)
    .replace(/[\u2400-\u241F]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0x2400));
}

function readSayers(file: string): Case[] {
  const xml = fs.readFileSync(path.join(corporaDir, 'isemail-sayers', file), 'utf8');
  return [...xml.matchAll(/<test id="(\d+)">([\s\S]*?)<\/test>/g)].map(([, id, body]) => {
    const address = /<address\/>/.test(body!) ? '' : decodeXmlText(/<address>([\s\S]*?)<\/address>/.exec(body!)![1]!);
    const category = /<category>ISEMAIL_(\w+?)(?:_CATEGORY)?<\/category>/.exec(body!)![1] as Category;
    const diagnosis = /<diagnosis>(\w+)<\/diagnosis>/.exec(body!)![1]!;
    return { file, id: id!, address, category, diagnosis };
  });
}

/** isemail-hapi names its diagnoses in camelCase; the prefix gives the category band. */
function hapiCategory(diagnosis: string): Category {
  const bands: [string, Category][] = [['valid', 'VALID'], ['dnsWarn', 'DNSWARN'], ['rfc5321', 'RFC5321'],
    ['cfws', 'CFWS'], ['deprecated', 'DEPREC'], ['rfc5322', 'RFC5322'], ['err', 'ERR']];
  const band = bands.find(([prefix]) => diagnosis.startsWith(prefix));
  if (!band) throw new Error(`unknown isemail-hapi diagnosis ${diagnosis}`);
  return band[1];
}

function readHapi(): Case[] {
  const pairs = JSON.parse(fs.readFileSync(path.join(corporaDir, 'isemail-hapi', 'tests.json'), 'utf8')) as [string, string][];
  return pairs.map(([address, diagnosis], i) => ({ file: 'tests.json', id: String(i), address, diagnosis, category: hapiCategory(diagnosis) }));
}

interface Corpora {
  suites: { name: string; cases: Case[]; size: number; controlCases: number | null }[];
  mailcheck: { defaultDomains: string[]; defaultSecondLevelDomains: string[] };
  disposable: string[];
}

function loadCorpora(): Corpora {
  const read = (...parts: string[]) => fs.readFileSync(path.join(corporaDir, ...parts), 'utf8');
  return {
    suites: [
      { name: 'isemail-sayers/tests.xml', cases: readSayers('tests.xml'), size: 164, controlCases: 37 },
      { name: 'isemail-sayers/tests-original.xml', cases: readSayers('tests-original.xml'), size: 279, controlCases: 15 },
      { name: 'isemail-hapi/tests.json', cases: readHapi(), size: 210, controlCases: null },
    ],
    mailcheck: JSON.parse(read('mailcheck-domains', 'default_domains.json')) as Corpora['mailcheck'],
    disposable: read('disposable-email-domains', 'disposable_email_blocklist.conf')
      .split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')),
  };
}

// Read at collection time so that the case counts can appear in the test names.
const corpora: Corpora | null = found ? loadCorpora() : null;
const suites = corpora?.suites ?? [];

const title = found ? `email corpora at ${corporaDir}` : `email corpora (skipped: corpora not found at ${corporaDir})`;

describe.skipIf(!found)(title, () => {
  it('all 653 isemail cases are present', () => {
    expect(suites.map((s) => s.cases.length)).toEqual([164, 279, 210]);
  });

  for (const suite of suites) {
    const rows = suite.cases.map((c) => {
      const expect = expectedAccept(c) ? 'accept' : 'reject';
      return [`#${c.id} ${c.category} ${c.diagnosis} ${JSON.stringify(c.address)} -> ${expect}`, { ...c, expect }] as const;
    });
    const accepted = suite.cases.filter((c) => checkAddress(c.address).ok).length;

    describe(suite.name, () => {
      it(`reads all ${suite.size} cases (${accepted} accepted, ${suite.size - accepted} rejected)`, () => {
        expect(suite.cases).toHaveLength(suite.size);
        expect(accepted).toBe(suite.cases.filter(expectedAccept).length);
        if (suite.controlCases !== null) {
          // SOURCE.md: this many cases carry U+2400-encoded control characters.
          expect(suite.cases.filter((c) => /[\u0000-\u001F]/.test(c.address))).toHaveLength(suite.controlCases);
        }
      });

      it.each(rows)('%s', (_name, row) => {
        let result: ReturnType<typeof checkAddress> | undefined;
        expect(() => { result = checkAddress(row.address); }).not.toThrow();
        expect(result!.ok, result!.ok ? 'accepted' : `rejected: ${result!.reason}`).toBe(row.expect === 'accept');
        if (result!.ok) expect(result!.parsed.address).toBe(result!.parsed.address.toLowerCase());
        else expect(result!.reason).toMatch(/^[A-Z].{5,100}\.$/s);
      });
    });
  }

  it('every policy override by diagnosis is used by some case, both ways where it applies', () => {
    const all = suites.flatMap((s) => s.cases);
    const byDiagnosis = (d: string) => all.filter((c) => c.diagnosis === d);
    expect(byDiagnosis('ISEMAIL_RFC5321_TLD').length).toBeGreaterThan(0);
    expect(byDiagnosis('ISEMAIL_RFC5321_TLD').every((c) => checkAddress(c.address).ok)).toBe(true);
    // Numeric TLDs stay rejected though they share the RFC5321 category.
    expect(byDiagnosis('ISEMAIL_RFC5321_TLDNUMERIC').some((c) => checkAddress(c.address).ok)).toBe(false);
    const fws = [...byDiagnosis('ISEMAIL_CFWS_FWS'), ...byDiagnosis('cfwsFWS')];
    expect(fws.some((c) => checkAddress(c.address).ok)).toBe(true);
    expect(fws.some((c) => !checkAddress(c.address).ok)).toBe(true);
  });

  it('every internationalised (non-ASCII) case follows the policy without throwing', () => {
    const intl = suites.flatMap((s) => s.cases).filter((c) => /[^\u0000-\u007F]/.test(c.address) && !/[\u2400-\u241F]/.test(c.address));
    expect(intl.length).toBeGreaterThanOrEqual(29);
    for (const c of intl) expect(checkAddress(c.address).ok, `${c.file} #${c.id}`).toBe(expectedAccept(c));
  });

  describe('mailcheck-domains', () => {
    const lists = corpora?.mailcheck ?? { defaultDomains: [], defaultSecondLevelDomains: [] };
    it.each(lists.defaultDomains)('%s is well known: no suggestion', (domain) => {
      expect(suggestDomain(`someone@${domain}`)).toBeNull();
    });
    it.each(lists.defaultSecondLevelDomains)('%s.com is not rewritten into another provider', (name) => {
      expect(suggestDomain(`someone@${name}.com`)).toBeNull();
    });
  });

  describe('disposable-email-domains', () => {
    const corpus = corpora?.disposable ?? [];
    const packageList = disposableEmailBlocklistSet();
    const known = corpus.filter((d) => packageList.has(d));

    it(`package knows ${known.length} of the corpus's ${corpus.length} domains (${corpus.length ? Math.round((100 * known.length) / corpus.length) : 0}%)`, () => {
      expect(corpus.length).toBeGreaterThan(8000);
      // The package tracks the same upstream list; a big drop means it stopped being maintained.
      expect(known.length / corpus.length).toBeGreaterThan(0.9);
    });

    it('every corpus domain the package knows is flagged, and so is a subdomain of it', () => {
      const missed = known.filter((d) => !isDisposableDomain(d) || !isDisposableDomain(`mx.${d}`) || !isDisposableDomain(`a@${d.toUpperCase()}`));
      expect(missed).toEqual([]);
    });
  });
});
