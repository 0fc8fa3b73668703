// The options and the footer the long listings share (cx audit, cx outbox, cx retention): --since, --limit,
// --no-pager, and "showing 200 of 1,234" when a limit cut the rows. A limit cuts human output by default; under
// --json every row is printed unless --limit is given.
import { TZDate } from '@date-fns/tz';
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { isCalendarDate, isIsoTime } from '../rules/dates.js';
import { plural, thousands, type Line } from '../render/index.js';

/** Rows people see at once unless they ask for more. */
export const DEFAULT_LIMIT = 200;

export interface ListingFlags {
  since?: string;
  limit?: string;
  /** commander's --no-pager: false when given. */
  pager: boolean;
}

export function listingOptions(cmd: Command, since: string, order: string): Command {
  return cmd
    .option('--since <date>', since)
    .option('--limit <n>', `at most this many rows, ${order} (default ${DEFAULT_LIMIT} for people; --json: all unless given)`)
    .option('--no-pager', 'print straight to the terminal, not through $PAGER (less -FRX)');
}

/** The limit in force: the flag, else the default for people, else none (JSON gets every row). */
export function listingLimit(ctx: Pick<Context, 'json'>, raw: string | undefined): number | undefined {
  if (raw === undefined) return ctx.json ? undefined : DEFAULT_LIMIT;
  const limit = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(limit) || limit < 1) throw new UsageError(`--limit must be a whole number above 0: ${raw}`);
  return limit;
}

/**
 * --since as a UTC ISO time for comparing with stored times: a date is the start of that day in the agent's
 * time zone; a time with its own offset is taken as written.
 */
export function sinceTime(ctx: Pick<Context, 'tz'>, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const s = raw.trim();
  if (!isCalendarDate(s) && !isIsoTime(s)) throw new UsageError(`--since is not a date (YYYY-MM-DD) or an ISO time: ${raw}`);
  if (/([zZ]|[+-]\d{2}:?\d{2})$/.test(s) && !isCalendarDate(s)) return new Date(s).toISOString();
  const [y, mo, d, h, mi, sec] = (s.match(/\d+/g) ?? []).map(Number);
  return new Date(new TZDate(y!, mo! - 1, d!, h ?? 0, mi ?? 0, sec ?? 0, ctx.tz).getTime()).toISOString();
}

/** "Showing 200 of 1,234 emails (the latest): …" when the limit cut the list, else nothing. */
export function shownFooter(shown: number, total: number, noun: [string, string], which: string): Line[] {
  if (shown >= total) return [];
  return [`Showing ${thousands(shown)} of ${plural(total, ...noun)} (${which}): --limit N shows more, --since DATE narrows them.`];
}
