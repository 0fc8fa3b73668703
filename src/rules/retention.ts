// The HIPAA retention date of a deactivated client's records (docs/reference.md#retention-policy-file): kept
// until the LATER of
//   (a) the last service + adultYears, and
//   (b) the day the client reaches majorityAge, + minorYears (only when the date of birth is known).
// Pure calendar arithmetic on YYYY-MM-DD strings: no Date objects, so no time zone can move a date by a day.
//
// 29 February, two different questions:
// - A period of years after an event (last service 2024-02-29 + 7y) ends on the same month and day, or on the
//   last day of February when that day does not exist: 2031-02-28. This is the usual rule for periods that
//   run out in a shorter month (it is also what date-fns addYears does).
// - A birthday. A client born 2008-02-29 reaches 18 on 2026-03-01 in cx. US law has no single rule; where a
//   statute answers it, it says 1 March (e.g. Maryland General Provisions § 1-401(b): "An individual born
//   on February 29 attains a specified age on March 1 of any year that is not a leap year"). 1 March is
//   the only day on which 18 full years have certainly passed, and it is the later of the two readings: cx
//   must never release a record before its date, and one extra day of keeping harms no one.
//   For the same reason (b) keeps the later of "majority day + minorYears" and "the day the client turns
//   majorityAge + minorYears"; the two differ only for a 29 February birth.

import { UsageError } from '../errors.js';
import { normaliseState, numbersFor } from './policy.js';
import type { RetentionPolicy } from './policy.js';

export interface RetentionInput {
  /** Date of birth, YYYY-MM-DD; null when unknown (then only the adult rule applies). */
  dob: string | null;
  /** YYYY-MM-DD: the last appointment date, else the last activity date. */
  lastService: string;
  /** Two-letter US state where care is given; null when unknown. */
  state: string | null;
}

export interface RetentionDecision {
  /** YYYY-MM-DD: the records are kept through this day. */
  retainUntil: string;
  /** Which rule decided and where its numbers came from, e.g. 'adult: last service 2021-03-04 + 7y (default)'. */
  rule: string;
  /** Last service + adult years. */
  adultDate: string;
  /** Majority + minor years; null when the date of birth is unknown. */
  minorDate: string | null;
}

/** A date of birth, last service, state or as-of date that cx cannot use: a usage error (exit 2). */
export class RetentionInputError extends UsageError {}

interface Ymd {
  y: number;
  m: number;
  d: number;
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

function parseDate(what: string, value: unknown): Ymd {
  const match = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  if (match === null) {
    throw new RetentionInputError(`${what} ${JSON.stringify(value)} is not a date in the form YYYY-MM-DD`);
  }
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) {
    throw new RetentionInputError(`${what} "${value as string}" is not a real calendar date`);
  }
  return { y, m, d };
}

function format({ y, m, d }: Ymd): string {
  if (y > 9999) throw new RetentionInputError(`a retention date after the year 9999 cannot be written as YYYY-MM-DD`);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** A period of whole years: 29 February in a common year ends on 28 February. */
function addYears(date: Ymd, years: number): Ymd {
  const y = date.y + years;
  return { y, m: date.m, d: Math.min(date.d, daysInMonth(y, date.m)) };
}

/** The day someone born on `dob` reaches `age`: a 29 February birthday falls on 1 March in a common year. */
function birthday(dob: Ymd, age: number): Ymd {
  const y = dob.y + age;
  if (dob.m === 2 && dob.d === 29 && !isLeapYear(y)) return { y, m: 3, d: 1 };
  return { y, m: dob.m, d: dob.d };
}

/** YYYY-MM-DD strings compare correctly as strings. */
function later(a: string, b: string): string {
  return b > a ? b : a;
}

export function retentionDate(input: RetentionInput, policy: RetentionPolicy): RetentionDecision {
  const lastService = parseDate('last service date', input.lastService);
  const dob = input.dob === null ? null : parseDate('date of birth', input.dob);
  const state = normaliseState(input.state);
  if (state !== null && !/^[A-Z]{2}$/.test(state)) {
    throw new RetentionInputError(`state ${JSON.stringify(input.state)} is not a two-letter US state code`);
  }

  const numbers = numbersFor(policy, state);
  const override = state !== null && Object.hasOwn(policy.states, state) ? policy.states[state] : undefined;
  // Where a rule's numbers came from: 'default' (built in), 'policy <file>', or 'TX, policy <file>' when the
  // state's override sets one of them.
  const origin = (stateSetsThem: boolean): string => {
    if (policy.source === 'default') return 'default';
    return stateSetsThem && state !== null ? `${state}, policy ${policy.source}` : `policy ${policy.source}`;
  };

  const adultDate = format(addYears(lastService, numbers.adultYears));
  const adultRule = `adult: last service ${format(lastService)} + ${numbers.adultYears}y (${origin(override?.adultYears !== undefined)})`;
  if (dob === null) return { retainUntil: adultDate, rule: adultRule, adultDate, minorDate: null };

  const majorityDay = birthday(dob, numbers.majorityAge);
  const minorDate = later(
    format(addYears(majorityDay, numbers.minorYears)),
    format(birthday(dob, numbers.majorityAge + numbers.minorYears)),
  );
  const minorOrigin = origin(override?.majorityAge !== undefined || override?.minorYears !== undefined);
  // Minimum necessary: the rule names the age, not the birthday (the date it yields is retainUntil).
  const minorRule = `minor: age ${numbers.majorityAge} + ${numbers.minorYears}y (${minorOrigin})`;

  // On a tie the adult rule is named: it needs no date of birth to check.
  return minorDate > adultDate
    ? { retainUntil: minorDate, rule: minorRule, adultDate, minorDate }
    : { retainUntil: adultDate, rule: adultRule, adultDate, minorDate };
}

/** True once the retention date has passed (asOf is after it); on the day itself the record is still kept. */
export function isDue(retainUntil: string, asOf: string): boolean {
  parseDate('retention date', retainUntil);
  parseDate('as-of date', asOf);
  return asOf > retainUntil;
}
