// Times for people: in the agent's time zone, with how long ago ("today 14:05, 3m ago" in a table, "3 min
// ago" in a sentence). --json, CSV and piped tables keep ISO 8601 UTC; only human output goes through here.
import { createRequire } from 'node:module';
import type * as TzPackage from '@date-fns/tz';
import { processZone } from '../config/system-zone.js';
import { plural } from '../rules/plural.js';

// Required (its CommonJS build) the first time a time is shown in a zone other than the process's own, not
// imported: a --json or piped run, which shows no time for people, never needs it.
const requirePackage = createRequire(import.meta.url);
let tzPackage: typeof TzPackage | null = null;

/** A time as a clock on the wall shows it in one zone. */
interface WallTime {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hours: number;
  minutes: number;
}

/**
 * The wall time of `t` in the zone `tz`. In the zone this process's own Date keeps (the agent's when cx
 * was given none: $TZ, else the system's), Date's getters say it; another zone takes @date-fns/tz, whose
 * offsets come from Intl.DateTimeFormat: its first use costs a start-up ~115 M instructions of ICU's
 * locale tables, more than a human lookup's own work (issue 22).
 */
function wallTime(t: Date, tz: string): WallTime {
  if (tz === processZone()) return { year: t.getFullYear(), month: t.getMonth() + 1, day: t.getDate(), hours: t.getHours(), minutes: t.getMinutes() };
  tzPackage ??= requirePackage('@date-fns/tz') as typeof TzPackage;
  const at = new tzPackage.TZDate(t, tz);
  return { year: at.getFullYear(), month: at.getMonth() + 1, day: at.getDate(), hours: at.getHours(), minutes: at.getMinutes() };
}

/** Calendar days from `b` to `a` (their dates as the wall shows them, whatever the hours). */
function calendarDaysBetween(a: WallTime, b: WallTime): number {
  return Math.round((Date.UTC(a.year, a.month - 1, a.day) - Date.UTC(b.year, b.month - 1, b.day)) / 86_400_000);
}

const two = (n: number) => String(n).padStart(2, '0');
const hhmm = (at: WallTime) => `${two(at.hours)}:${two(at.minutes)}`;
const ymd = (at: WallTime) => `${at.year}-${two(at.month)}-${two(at.day)}`;

/** What a time is shown against: the run's clock and the agent's zone (Context.tz). */
export interface Clock {
  now: Date;
  tz: string;
}

/** A table's time: "today 14:05, 3m ago", "yesterday 22:31, 14h ago", "2026-11-02 09:15, 25d ago". */
export function timeForPeople(iso: string, clock: Clock): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const at = wallTime(t, clock.tz);
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
  const at = wallTime(t, tz);
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
  const at = wallTime(new Date(iso), clock.tz);
  return `${dayName(at, clock)} ${hhmm(at)}`;
}

/** The agent's calendar date of a time, with how long ago: "2024-01-10, 2 years ago". */
export function dayForPeople(iso: string, clock: Clock): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const at = wallTime(t, clock.tz);
  const days = calendarDaysBetween(at, wallTime(clock.now, clock.tz));
  if (days === 0) return 'today';
  if (days === -1) return 'yesterday';
  return `${ymd(at)}, ${ago(t, clock.now)}`;
}

function dayName(at: WallTime, clock: Clock): string {
  const days = calendarDaysBetween(at, wallTime(clock.now, clock.tz));
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
