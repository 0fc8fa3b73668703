// Calendar dates (YYYY-MM-DD) and ISO 8601 times, checked for real: 2024-02-30 is not a date.

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * The one example date cx shows ("a date as YYYY-MM-DD, e.g. …"): no one's date of birth in the demo data, so
 * a hint at an identity question never reads as the answer (test/rules/example-date.test.ts holds it so).
 */
export const EXAMPLE_DATE = '1990-01-31';

/** What a prompt says when the answer is not a date. */
export const DATE_HINT = `a date as YYYY-MM-DD, e.g. ${EXAMPLE_DATE}`;

export function isCalendarDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= 28 || d <= daysInMonth(y, mo);
}

/** A date, or a date and time, in ISO 8601 (the import formats accept both). */
export function isIsoTime(s: string): boolean {
  const m = TIME.exec(s);
  if (!m || !isCalendarDate(m[1]!)) return false;
  if (m[2] === undefined) return true;
  return Number(m[2]) < 24 && Number(m[3]) < 60 && (m[4] === undefined || Number(m[4]) < 60);
}

/** The calendar date (UTC) of an ISO time or date. */
export function dateOf(isoTime: string): string {
  if (DATE.test(isoTime)) return isoTime;
  const t = new Date(isoTime);
  if (Number.isNaN(t.getTime())) throw new Error(`not an ISO time: ${isoTime}`);
  return t.toISOString().slice(0, 10);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The date of `now` in UTC: what "today" means for every rule in cx. */
export function today(now: Date): string {
  return isoTime(now).slice(0, 10);
}

let lastTime = Number.NaN;
let lastIso = '';

/**
 * now.toISOString(), remembered for the last time asked: a batch ticket reads the one `now` it was given
 * several times over (its rules' today, its change, its audit row, its ledger row), and V8 formats a date
 * at a cost of thousands of instructions. An invalid date throws as toISOString does.
 */
export function isoTime(now: Date): string {
  const time = now.getTime();
  if (time !== lastTime) {
    lastIso = now.toISOString();
    lastTime = time;
  }
  return lastIso;
}
