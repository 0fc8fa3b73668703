// Appointments and progress notes: each client–provider pair starts with one intake (booked through
// search or by the provider) followed by sessions at a steady cadence; notes sit on those appointments.
import { noteBody, noteTitle } from './generate-notes.js';
import { Weighted, type Rng } from './generate-random.js';
import type { RowSink } from './generate-sink.js';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export const YEAR = 365.25 * DAY;
/** "Today" for generated data is fixed (the demo mirror's), so the output never depends on the clock. */
export const TODAY = Date.UTC(2026, 10, 27, 12);
export const PLATFORM_START = Date.UTC(2016, 0, 4, 9);

// Formatting millions of times through Date#toISOString dominated the run: dates are cached per day,
// times of day built from a table of two-digit strings. Output is the same `YYYY-MM-DDTHH:MM:SSZ`.
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const DATES: string[] = [];

export function isoDate(ms: number): string {
  const day = Math.floor(ms / DAY);
  // Days since 1970 index a plain array (dates before 1970 are never cached, only computed).
  const cached = day >= 0 ? DATES[day] : undefined;
  if (cached !== undefined) return cached;
  const text = new Date(day * DAY).toISOString().slice(0, 10);
  if (day >= 0) DATES[day] = text;
  return text;
}

export function isoTime(ms: number): string {
  const seconds = Math.floor((ms - Math.floor(ms / DAY) * DAY) / 1000);
  const h = TWO_DIGITS[Math.floor(seconds / 3600)]!;
  const m = TWO_DIGITS[Math.floor(seconds / 60) % 60]!;
  const s = TWO_DIGITS[seconds % 60]!;
  return `${isoDate(ms)}T${h}:${m}:${s}Z`;
}

const CADENCE_DAYS = new Weighted<number>([[7, 50], [14, 35], [28, 15]]);
/** Upcoming appointments are booked up to four weeks ahead. */
const BOOKED_AHEAD = 28 * DAY;

export type BookedVia = 'search' | 'provider';

export class Caseload {
  appointments = 0;
  notes = 0;

  constructor(
    private readonly sink: RowSink,
    private readonly rng: Rng,
  ) {}

  /** On the day of `ms`, on the hour or half hour, within US business hours (13:00–01:30 UTC). */
  slot(ms: number): number {
    return ms - (ms % DAY) + this.rng.int(13, 25) * HOUR + (this.rng.chance(0.5) ? 30 * MINUTE : 0);
  }

  /** Most clients stop after a few sessions; a few stay for all ten. */
  sessionCount(): number {
    return Math.min(10, Math.floor(11 * this.rng.next() ** 2));
  }

  /** Intake plus up to `sessions` sessions before `limitMs`; returns their start times, intake first. */
  schedule(intakeMs: number, sessions: number, limitMs: number, cadenceDays = CADENCE_DAYS.draw(this.rng)): number[] {
    let t = this.slot(intakeMs);
    if (t < intakeMs) t += DAY; // the slot that day had passed: take the next day's
    const times = [t];
    for (let s = 0; s < sessions; s++) {
      t += (cadenceDays + this.rng.int(-1, 1)) * DAY;
      if (t > Math.min(limitMs, TODAY + BOOKED_AHEAD)) break;
      times.push(t);
    }
    return times;
  }

  /** Writes the pair's appointments; sessions are usually booked the same way as the intake. */
  book(providerId: string, clientId: string, via: BookedVia, times: readonly number[]): void {
    const other: BookedVia = via === 'search' ? 'provider' : 'search';
    for (let i = 0; i < times.length; i++) {
      const how = i === 0 || this.rng.chance(0.8) ? via : other;
      this.sink.add('appointments', [`A-${10_000_000 + this.appointments++}`, providerId, clientId, isoTime(times[i]!), i === 0 ? 'intake' : 'session', how]);
    }
  }

  /** One note per appointment that already happened, for the first `count` appointments. */
  writeNotes(providerId: string, clientId: string, clientFirstName: string, times: readonly number[], count: number): void {
    for (let i = 0; i < count && i < times.length; i++) {
      const at = times[i]!;
      const signedAt = at + this.rng.int(1, 36) * HOUR;
      const unsigned = signedAt > TODAY || this.rng.chance(0.03);
      this.sink.add('progress_notes', [
        String(70_000_000 + this.notes++),
        providerId,
        clientId,
        isoDate(at),
        noteTitle(this.rng, i, i === 0),
        noteBody(this.rng, clientFirstName, i === 0),
        unsigned ? null : isoTime(signedAt),
      ]);
    }
  }
}

/** Splits `total` notes over `clients` clients unevenly (some are seen far more often), summing exactly. */
export function splitNotes(rng: Rng, total: number, clients: number): number[] {
  if (clients === 0) return [];
  const weights = Array.from({ length: clients }, () => 0.3 + rng.next());
  const sum = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.floor((total * w) / sum));
  let left = total - counts.reduce((a, b) => a + b, 0);
  for (let i = 0; left > 0; i = (i + 1) % clients, left--) counts[i] = counts[i]! + 1;
  return counts;
}
