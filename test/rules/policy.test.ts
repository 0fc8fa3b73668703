import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_POLICY, numbersFor } from '../../src/rules/policy.js';
import { loadPolicy, parsePolicy, PolicyFileError } from '../../src/rules/policy-file.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/policy/${name}`, import.meta.url));

function thrown(fn: () => unknown): PolicyFileError {
  try {
    fn();
  } catch (err) {
    if (err instanceof PolicyFileError) return err;
    throw err;
  }
  throw new Error('expected a PolicyFileError, nothing was thrown');
}

describe('DEFAULT_POLICY and loadPolicy(undefined)', () => {
  it('follows the APA guideline: 7 adult years, majority 18, 3 years after majority', () => {
    expect(DEFAULT_POLICY).toEqual({ source: 'default', adultYears: 7, majorityAge: 18, minorYears: 3, states: {} });
    expect(loadPolicy(undefined)).toBe(DEFAULT_POLICY);
  });
});

describe('parsePolicy', () => {
  it('fills in every missing number from the defaults', () => {
    expect(parsePolicy({}, 'empty.json')).toEqual({ source: 'empty.json', adultYears: 7, majorityAge: 18, minorYears: 3, states: {} });
    expect(parsePolicy({ adultYears: 10 }, 'p.json')).toMatchObject({ adultYears: 10, majorityAge: 18, minorYears: 3 });
  });

  it('accepts the edges of each range', () => {
    expect(parsePolicy({ adultYears: 0, majorityAge: 14, minorYears: 100 }, 'p.json')).toMatchObject({ adultYears: 0, majorityAge: 14, minorYears: 100 });
    expect(parsePolicy({ adultYears: 100, majorityAge: 25, minorYears: 0 }, 'p.json')).toMatchObject({ adultYears: 100, majorityAge: 25, minorYears: 0 });
  });

  // [what, json, the field the error must name]
  const bad: [string, unknown, string | null][] = [
    ['negative', { adultYears: -1 }, 'adultYears'],
    ['fraction', { minorYears: 2.5 }, 'minorYears'],
    ['string', { adultYears: '7' }, 'adultYears'],
    ['null', { adultYears: null }, 'adultYears'],
    ['over 100', { adultYears: 101 }, 'adultYears'],
    ['majority below 14', { majorityAge: 13 }, 'majorityAge'],
    ['majority above 25', { majorityAge: 26 }, 'majorityAge'],
    ['unknown key', { retentionYears: 7 }, 'retentionYears'],
    ['unknown key in a state', { states: { TX: { minorYrs: 2 } } }, 'states.TX.minorYrs'],
    ['negative in a state', { states: { TX: { minorYears: -2 } } }, 'states.TX.minorYears'],
    ['state majority out of range', { states: { TX: { majorityAge: 30 } } }, 'states.TX.majorityAge'],
    ['lower-case state key', { states: { tx: { minorYears: 2 } } }, 'states.tx'],
    ['state name instead of code', { states: { Texas: { minorYears: 2 } } }, 'states.Texas'],
    ['not a US state code', { states: { ZZ: { minorYears: 2 } } }, 'states.ZZ'],
    ['states not an object', { states: [] }, 'states'],
    ['state value not an object', { states: { TX: 2 } }, 'states.TX'],
    ['not an object at all', [7, 18, 3], null],
    ['null file', null, null],
  ];

  it.each(bad)('%s -> PolicyFileError naming the field', (_what, json, field) => {
    const err = thrown(() => parsePolicy(json, 'policies/bad.json'));
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('PolicyFileError');
    expect(err.file).toBe('policies/bad.json');
    expect(err.field).toBe(field);
    expect(err.message).toMatch(/^policy file policies\/bad\.json: /);
    if (field !== null) expect(err.message).toContain(`"${field}"`);
  });

  it('says what a number must be', () => {
    expect(thrown(() => parsePolicy({ minorYears: 2.5 }, 'p.json')).message).toBe(
      'policy file p.json: "minorYears" must be a whole number from 0 to 100',
    );
    expect(thrown(() => parsePolicy({ majorityAge: 26 }, 'p.json')).message).toBe(
      'policy file p.json: "majorityAge" must be a whole number from 14 to 25',
    );
    expect(thrown(() => parsePolicy({ retentionYears: 7 }, 'p.json')).message).toBe(
      'policy file p.json: unknown field "retentionYears" (allowed: adultYears, majorityAge, minorYears, states)',
    );
  });
});

describe('loadPolicy', () => {
  it('reads the example policy: TX minors until 20, PA 5 years after last contact', () => {
    const path = fixture('example-policy.json');
    const policy = loadPolicy(path);
    expect(policy).toEqual({
      source: path,
      adultYears: 7,
      majorityAge: 18,
      minorYears: 3,
      states: { TX: { minorYears: 2 }, PA: { adultYears: 5 } },
    });
    expect(policy).toEqual(parsePolicy(JSON.parse(readFileSync(path, 'utf8')), path));
  });

  it('names the bad field of the bad fixture', () => {
    const path = fixture('bad-policy.json');
    const err = thrown(() => loadPolicy(path));
    expect(err.field).toBe('states.TX.minorYears');
    expect(err.message).toBe(`policy file ${path}: "states.TX.minorYears" must be a whole number from 0 to 100`);
  });

  it('a missing file and broken JSON are PolicyFileErrors too; a directory is refused as the config file is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cx-policy-'));
    const missing = thrown(() => loadPolicy(join(dir, 'nope.json')));
    expect(missing.field).toBeNull();
    expect(missing.message).toBe(`policy file ${join(dir, 'nope.json')}: cannot be read (no such file)`);
    expect(() => loadPolicy(dir)).toThrow(`retention policy file ${dir} is refused: it is not a regular file`);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "adultYears": 7, }');
    expect(thrown(() => loadPolicy(broken)).message).toMatch(/^policy file .*broken\.json: is not valid JSON \(/);
  });

  it('accepts a file saved with a byte-order mark', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cx-policy-')), 'bom.json');
    writeFileSync(path, '\uFEFF{"adultYears": 6}');
    expect(loadPolicy(path).adultYears).toBe(6);
  });
});

describe('numbersFor', () => {
  const example = loadPolicy(fixture('example-policy.json'));
  it.each([
    ['TX', { adultYears: 7, majorityAge: 18, minorYears: 2, label: 'TX' }],
    ['PA', { adultYears: 5, majorityAge: 18, minorYears: 3, label: 'PA' }],
    [' tx ', { adultYears: 7, majorityAge: 18, minorYears: 2, label: 'TX' }],
    ['OH', { adultYears: 7, majorityAge: 18, minorYears: 3, label: 'default' }],
    [null, { adultYears: 7, majorityAge: 18, minorYears: 3, label: 'default' }],
  ])('state %j', (state, expected) => {
    expect(numbersFor(example, state)).toEqual(expected);
  });

  it('an empty override names no state', () => {
    expect(numbersFor(parsePolicy({ states: { NY: {} } }, 'p.json'), 'NY').label).toBe('default');
  });
});
