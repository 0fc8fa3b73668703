// Times for people: in the agent's time zone, with how long ago ("today 14:05, 3m ago" in a table, "3 min
// ago" in a sentence). --json, CSV and piped tables keep ISO 8601 UTC; only human output goes through here.
import { createRequire } from 'node:module';
import type { TZDate } from '@date-fns/tz';
import type * as TzPackage from '@date-fns/tz';
import type * as DifferencePackage from 'date-fns/differenceInCalendarDays';
import { plural } from '../rules/plural.js';

// Required (their CommonJS builds) on the first time shown, not imported: ~30 ms of loading that a --json
// or piped run, which shows no time for people, never needs.
const requirePackage = createRequire(import.meta.url);
let dates: { TZDate: typeof TZDate; differenceInCalendarDays: typeof DifferencePackage.differenceInCalendarDays } | null = null;
function loadDates(): NonNullable<typeof dates> {
  dates ??= {
    TZDate: (requirePackage('@date-fns/tz') as typeof TzPackage).TZDate,
    differenceInCalendarDays: (requirePackage('date-fns/differenceInCalendarDays') as typeof DifferencePackage).differenceInCalendarDays,
  };
  return dates;
}
const zoned = (t: Date, tz: string): TZDate => new (loadDates().TZDate)(t, tz);
const calendarDaysBetween = (a: Date, b: Date): number => loadDates().differenceInCalendarDays(a, b);

// date-fns's `format` costs ~80 ms to load (every formatter and a locale) for two fixed patterns: the zone's
// own getters on a TZDate give the same digits.
const two = (n: number) => String(n).padStart(2, '0');
const hhmm = (at: TZDate) => `${two(at.getHours())}:${two(at.getMinutes())}`;
const ymd = (at: TZDate) => `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}`;

/** What a time is shown against: the run's clock and the agent's zone (Context.tz). */
export interface Clock {
  now: Date;
  tz: string;
}

/** A table's time: "today 14:05, 3m ago", "yesterday 22:31, 14h ago", "2026-11-02 09:15, 25d ago". */
export function timeForPeople(iso: string, clock: Clock): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const at = zoned(t, clock.tz);
  return `${dayName(at, clock)} ${hhmm(at)}, ${agoShort(t, clock.now)}`;
}

/** A table's time when the full one does not fit: "3m ago", "in 2h", "just now". */
export function shortTimeForPeople(iso: string, clock: Clock): string {
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? iso : agoShort(t, clock.now);
}

/** A time inside a sentence: the day and time in the agent's zone, "2026-12-06 21:40" (no "today"). */
export function localTime(iso: string, tz: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const at = zoned(t, tz);
  return `${ymd(at)} ${hhmm(at)}`;
}

/** An ISO 8601 UTC time as cx stores them (2026-12-06T03:40:23Z, 2026-12-06T03:40:23.000Z). */
const ISO_UTC = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?Z\b/g;

/**
 * Text for people with every ISO UTC time in it written in the agent's zone. Details built by the actions
 * (and stored in the audit log) carry ISO times, which JSON, CSV and the pipe keep as they are.
 */
export function localTimesIn(text: string, tz: () => string): string {
  if (!/\dT\d/.test(text)) return text; // most text has none: no zone looked up
  let zone: string | undefined;
  return text.replace(ISO_UTC, (iso) => localTime(iso, (zone ??= tz())));
}

/** Just the time of day and its day, no "ago": for sentences that say when something can happen. */
export function clockTime(iso: string, clock: Clock): string {
  const at = zoned(new Date(iso), clock.tz);
  return `${dayName(at, clock)} ${hhmm(at)}`;
}

/** The agent's calendar date of a time, with how long ago: "2024-01-10, 2 years ago". */
export function dayForPeople(iso: string, clock: Clock): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const at = zoned(t, clock.tz);
  const days = calendarDaysBetween(at, zoned(clock.now, clock.tz));
  if (days === 0) return 'today';
  if (days === -1) return 'yesterday';
  return `${ymd(at)}, ${ago(t, clock.now)}`;
}

function dayName(at: TZDate, clock: Clock): string {
  const days = calendarDaysBetween(at, zoned(clock.now, clock.tz));
  if (days === 0) return 'today';
  if (days === -1) return 'yesterday';
  if (days === 1) return 'tomorrow';
  return ymd(at);
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "3 min ago", "in 2 h", "just now"; whole units, rounded down: for sentences. */
export function ago(t: Date, now: Date): string {
  const seconds = Math.round((now.getTime() - t.getTime()) / 1000);
  const a = Math.abs(seconds);
  if (a < MINUTE) return seconds >= 0 ? 'just now' : 'in under a minute';
  const n = (unit: number) => Math.floor(a / unit);
  const span =
    a < HOUR ? `${n(MINUTE)} min`
      : a < DAY ? `${n(HOUR)} h`
        : a < 60 * DAY ? plural(n(DAY), 'day')
          : a < 365 * DAY ? plural(n(30 * DAY), 'month')
            : plural(Math.floor(a / (365.25 * DAY)), 'year');
  return seconds >= 0 ? `${span} ago` : `in ${span}`;
}


/** "3m ago", "in 2h", "5d ago", "4mo ago", "2y ago", "just now": whole units, rounded down, for tables. */
export function agoShort(t: Date, now: Date): string {
  const seconds = Math.round((now.getTime() - t.getTime()) / 1000);
  const a = Math.abs(seconds);
  if (a < MINUTE) return seconds >= 0 ? 'just now' : 'in <1m';
  const n = (unit: number) => Math.floor(a / unit);
  const span =
    a < HOUR ? `${n(MINUTE)}m`
      : a < DAY ? `${n(HOUR)}h`
        : a < 60 * DAY ? `${n(DAY)}d`
          : a < 365 * DAY ? `${n(30 * DAY)}mo`
            : `${Math.floor(a / (365.25 * DAY))}y`;
  return seconds >= 0 ? `${span} ago` : `in ${span}`;
}
