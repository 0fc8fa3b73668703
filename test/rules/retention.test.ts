import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_POLICY } from '../../src/rules/policy.js';
import { parsePolicy } from '../../src/rules/policy-file.js';
import type { RetentionPolicy } from '../../src/rules/policy.js';
import { isDue, retentionDate, RetentionInputError } from '../../src/rules/retention.js';
import type { RetentionInput } from '../../src/rules/retention.js';

// The example policy (7y / 18 / 3y; TX minors +2y, i.e. until age 20; PA 5y after last service), given a short
// source name so the expected rule strings stay readable.
const examplePath = fileURLToPath(new URL('../../fixtures/policy/example-policy.json', import.meta.url));
const EXAMPLE = parsePolicy(JSON.parse(readFileSync(examplePath, 'utf8')), 'example-policy.json');
const MAJORITY_20 = parsePolicy({ majorityAge: 20 }, 'majority-20.json');

interface Case {
  name: string;
  input: RetentionInput;
  policy: RetentionPolicy;
  // Expected dates worked out by hand from the rule in docs/reference.md#retention-policy-file, not by running the code.
  adultDate: string;
  minorDate: string | null;
  retainUntil: string;
  rule: string;
}

const cases: Case[] = [
  {
    name: 'adult who turned 18 long ago: last service + 7y',
    input: { dob: '1980-05-10', lastService: '2021-03-04', state: null },
    policy: DEFAULT_POLICY,
    adultDate: '2028-03-04',
    minorDate: '2001-05-10', // 18 on 1998-05-10, + 3y
    retainUntil: '2028-03-04',
    rule: 'adult: last service 2021-03-04 + 7y (default)',
  },
  {
    name: 'client who is a minor today (2026-11-27, age 11): majority + 3y decides',
    input: { dob: '2015-01-10', lastService: '2026-11-20', state: null },
    policy: DEFAULT_POLICY,
    adultDate: '2033-11-20',
    minorDate: '2036-01-10', // 18 on 2033-01-10, + 3y
    retainUntil: '2036-01-10',
    rule: 'minor: age 18 + 3y (default)',
  },
  {
    name: 'client who is a minor today (2026-11-27, age 14) but the adult date is later',
    input: { dob: '2012-06-15', lastService: '2026-11-20', state: null },
    policy: DEFAULT_POLICY,
    adultDate: '2033-11-20',
    minorDate: '2033-06-15', // 18 on 2030-06-15, + 3y
    retainUntil: '2033-11-20',
    rule: 'adult: last service 2026-11-20 + 7y (default)',
  },
  {
    name: 'born on 29 Feb: reaches 18 on 1 March of the common year 2026',
    input: { dob: '2008-02-29', lastService: '2019-06-01', state: null },
    policy: DEFAULT_POLICY,
    adultDate: '2026-06-01',
    minorDate: '2029-03-01',
    retainUntil: '2029-03-01',
    rule: 'minor: age 18 + 3y (default)',
  },
  {
    name: 'born on 29 Feb, majority in a leap year (20 on 2028-02-29): + 3y lands on 1 March 2031, age 23',
    input: { dob: '2008-02-29', lastService: '2019-06-01', state: null },
    policy: MAJORITY_20,
    adultDate: '2026-06-01',
    minorDate: '2031-03-01', // 2028-02-29 + 3y would be 2031-02-28; the 23rd birthday is 2031-03-01: the later is kept
    retainUntil: '2031-03-01',
    rule: 'minor: age 20 + 3y (policy majority-20.json)',
  },
  {
    name: 'born on 29 Feb 2080, majority 20: 2100 is not a leap year (century rule), so 20 on 2100-03-01',
    input: { dob: '2080-02-29', lastService: '2090-01-01', state: null },
    policy: MAJORITY_20,
    adultDate: '2097-01-01',
    minorDate: '2103-03-01',
    retainUntil: '2103-03-01',
    rule: 'minor: age 20 + 3y (policy majority-20.json)',
  },
  {
    name: 'born on 29 Feb 1980, majority 20: 2000 is a leap year (400 rule), so 20 on 2000-02-29',
    input: { dob: '1980-02-29', lastService: '1994-01-01', state: null },
    policy: MAJORITY_20,
    adultDate: '2001-01-01',
    minorDate: '2003-03-01', // 2000-02-29 + 3y would be 2003-02-28; the 23rd birthday 2003-03-01 is later
    retainUntil: '2003-03-01',
    rule: 'minor: age 20 + 3y (policy majority-20.json)',
  },
  {
    name: 'last service on a leap day: 2024-02-29 + 7y ends on 2031-02-28',
    input: { dob: null, lastService: '2024-02-29', state: null },
    policy: DEFAULT_POLICY,
    adultDate: '2031-02-28',
    minorDate: null,
    retainUntil: '2031-02-28',
    rule: 'adult: last service 2024-02-29 + 7y (default)',
  },
  {
    name: 'last service on a leap day, + 4y lands on another leap day',
    input: { dob: null, lastService: '2024-02-29', state: null },
    policy: parsePolicy({ adultYears: 4 }, 'four.json'),
    adultDate: '2028-02-29',
    minorDate: null,
    retainUntil: '2028-02-29',
    rule: 'adult: last service 2024-02-29 + 4y (policy four.json)',
  },
  {
    name: 'no date of birth: only the adult rule',
    input: { dob: null, lastService: '2019-12-31', state: null },
    policy: DEFAULT_POLICY,
    adultDate: '2026-12-31',
    minorDate: null,
    retainUntil: '2026-12-31',
    rule: 'adult: last service 2019-12-31 + 7y (default)',
  },
  {
    name: 'tie between the two dates: the adult rule is named',
    input: { dob: '2000-03-04', lastService: '2017-03-04', state: null },
    policy: DEFAULT_POLICY,
    adultDate: '2024-03-04',
    minorDate: '2021-03-04',
    retainUntil: '2024-03-04',
    rule: 'adult: last service 2017-03-04 + 7y (default)',
  },
  {
    name: 'TX minor: kept until age 20 (majority 18 + 2y)',
    input: { dob: '2014-04-02', lastService: '2025-01-10', state: 'TX' },
    policy: EXAMPLE,
    adultDate: '2032-01-10',
    minorDate: '2034-04-02',
    retainUntil: '2034-04-02',
    rule: 'minor: age 18 + 2y (TX, policy example-policy.json)',
  },
  {
    name: 'the same minor outside TX: the file’s own + 3y',
    input: { dob: '2014-04-02', lastService: '2025-01-10', state: null },
    policy: EXAMPLE,
    adultDate: '2032-01-10',
    minorDate: '2035-04-02',
    retainUntil: '2035-04-02',
    rule: 'minor: age 18 + 3y (policy example-policy.json)',
  },
  {
    name: 'TX born on 29 Feb: 18 on 2026-03-01, + 2y is 2028-03-01 (later than the 20th birthday 2028-02-29)',
    input: { dob: '2008-02-29', lastService: '2020-05-05', state: 'TX' },
    policy: EXAMPLE,
    adultDate: '2027-05-05',
    minorDate: '2028-03-01',
    retainUntil: '2028-03-01',
    rule: 'minor: age 18 + 2y (TX, policy example-policy.json)',
  },
  {
    name: 'TX adult: TX overrides only minor numbers, so the adult rule names the file',
    input: { dob: '1990-01-01', lastService: '2022-08-31', state: 'TX' },
    policy: EXAMPLE,
    adultDate: '2029-08-31',
    minorDate: '2010-01-01', // TX: 18 on 2008-01-01, + 2y
    retainUntil: '2029-08-31',
    rule: 'adult: last service 2022-08-31 + 7y (policy example-policy.json)',
  },
  {
    name: 'PA: 5 years after last contact',
    input: { dob: null, lastService: '2023-05-20', state: 'PA' },
    policy: EXAMPLE,
    adultDate: '2028-05-20',
    minorDate: null,
    retainUntil: '2028-05-20',
    rule: 'adult: last service 2023-05-20 + 5y (PA, policy example-policy.json)',
  },
  {
    name: 'PA written " pa " on the account is the same state',
    input: { dob: '1985-07-07', lastService: '2023-05-20', state: ' pa ' },
    policy: EXAMPLE,
    adultDate: '2028-05-20',
    minorDate: '2006-07-07',
    retainUntil: '2028-05-20',
    rule: 'adult: last service 2023-05-20 + 5y (PA, policy example-policy.json)',
  },
  {
    name: 'PA minor: PA sets no minor numbers, the file’s + 3y applies',
    input: { dob: '2012-12-01', lastService: '2024-03-15', state: 'PA' },
    policy: EXAMPLE,
    adultDate: '2029-03-15',
    minorDate: '2033-12-01',
    retainUntil: '2033-12-01',
    rule: 'minor: age 18 + 3y (policy example-policy.json)',
  },
  {
    name: 'a state with no override (OH) falls to the policy’s numbers',
    input: { dob: null, lastService: '2020-07-04', state: 'OH' },
    policy: EXAMPLE,
    adultDate: '2027-07-04',
    minorDate: null,
    retainUntil: '2027-07-04',
    rule: 'adult: last service 2020-07-04 + 7y (policy example-policy.json)',
  },
  {
    name: 'TX under the built-in policy: no state overrides, default',
    input: { dob: '2014-04-02', lastService: '2025-01-10', state: 'TX' },
    policy: DEFAULT_POLICY,
    adultDate: '2032-01-10',
    minorDate: '2035-04-02',
    retainUntil: '2035-04-02',
    rule: 'minor: age 18 + 3y (default)',
  },
  {
    name: 'zero minor years: kept until the day of majority',
    input: { dob: '2015-08-31', lastService: '2025-08-31', state: null },
    policy: parsePolicy({ minorYears: 0, adultYears: 2 }, 'zero.json'),
    adultDate: '2027-08-31',
    minorDate: '2033-08-31',
    retainUntil: '2033-08-31',
    rule: 'minor: age 18 + 0y (policy zero.json)',
  },
];

describe('retentionDate: the later of last service + adult years and majority + minor years', () => {
  it.each(cases)('$name', ({ input, policy, adultDate, minorDate, retainUntil, rule }) => {
    expect(retentionDate(input, policy)).toEqual({ retainUntil, rule, adultDate, minorDate });
  });
});

describe('retentionDate rejects dates it cannot use', () => {
  const base: RetentionInput = { dob: '2000-01-01', lastService: '2021-03-04', state: null };
  it.each([
    ['dob', { ...base, dob: '2008-02-30' }, /date of birth "2008-02-30" is not a real calendar date/],
    ['dob', { ...base, dob: '2025-02-29' }, /date of birth "2025-02-29" is not a real calendar date/],
    ['dob', { ...base, dob: '1900-02-29' }, /date of birth "1900-02-29" is not a real calendar date/],
    ['dob', { ...base, dob: '2008-2-3' }, /date of birth "2008-2-3" is not a date in the form YYYY-MM-DD/],
    ['dob', { ...base, dob: '' }, /date of birth "" is not a date in the form YYYY-MM-DD/],
    ['lastService', { ...base, lastService: '2021-13-01' }, /last service date "2021-13-01" is not a real calendar date/],
    ['lastService', { ...base, lastService: '2021-03-04T10:00:00Z' }, /last service date "2021-03-04T10:00:00Z" is not a date/],
    ['lastService', { ...base, lastService: '04/03/2021' }, /last service date "04\/03\/2021" is not a date/],
    ['state', { ...base, state: 'Texas' }, /state "Texas" is not a two-letter US state code/],
  ])('bad %s: %j', (_field, input, message) => {
    expect(() => retentionDate(input, DEFAULT_POLICY)).toThrow(RetentionInputError);
    expect(() => retentionDate(input, DEFAULT_POLICY)).toThrow(message);
  });

  it('an empty state is treated as no state', () => {
    expect(retentionDate({ ...base, state: '  ' }, EXAMPLE).rule).toBe('adult: last service 2021-03-04 + 7y (policy example-policy.json)');
  });
});

describe('isDue: due only once the retention date has passed', () => {
  it.each([
    ['2031-02-28', '2031-02-27', false], // the day before
    ['2031-02-28', '2031-02-28', false], // on the day itself the record is still kept
    ['2031-02-28', '2031-03-01', true], // the day after
    ['2026-12-31', '2027-01-01', true], // across a year end
    ['2026-12-31', '2020-06-30', false], // long before
  ])('retain until %s, as of %s -> %s', (retainUntil, asOf, due) => {
    expect(isDue(retainUntil, asOf)).toBe(due);
  });

  it('rejects a bad date instead of comparing strings', () => {
    expect(() => isDue('2031-02-28', '2031-3-1')).toThrow(/as-of date "2031-3-1" is not a date/);
    expect(() => isDue('2031-02-30', '2031-03-01')).toThrow(/retention date "2031-02-30" is not a real calendar date/);
  });
});
