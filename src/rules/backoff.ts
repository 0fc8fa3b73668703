// When to try a change again (docs/platform-api.md, "Answers"): exponential backoff with full jitter, unless
// the platform said when (`Retry-After`, in seconds or as an HTTP date). Pure: the clock and the random
// source are passed in.
//
// Written here rather than taken from p-retry: p-retry owns the whole loop (its attempt count starts at 1
// on every call, its jitter multiplies by 1-2 instead of drawing from 0, it has no notion of Retry-After),
// and a push must count attempts across runs, persist the next attempt time, and leave a change for the
// next run instead of sleeping past a minute. What remains is these two small functions.

/** The first retry waits up to this long; each later one up to twice the one before. */
export const BASE_DELAY_MS = 500;
/** No computed wait is longer than this (a Retry-After may be). */
export const MAX_DELAY_MS = 15 * 60_000;
/** A push sleeps through a wait up to this long; a longer one leaves the change for the next run. */
export const LONGEST_WAIT_IN_RUN_MS = 60_000;
/**
 * A Retry-After is honoured up to this long: a platform (or whatever answers at its URL) cannot park a
 * change, and its account's later changes behind it, for longer.
 */
export const LONGEST_RETRY_AFTER_MS = 60 * 60_000;

/**
 * Full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"): a wait drawn uniformly from
 * [0, min(cap, base * 2^(attempt - 1))), so many clients that failed together do not retry together.
 * `attempt` counts the attempts made so far (1 after the first failure).
 */
export function backoffDelay(attempt: number, random: () => number): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.floor(random() * ceiling);
}

/**
 * A `Retry-After` header as a wait in milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3), at
 * most LONGEST_RETRY_AFTER_MS (a number of any size, or a date centuries away, is an hour). A date in the
 * past is no wait; anything unreadable is null (the backoff decides).
 */
export function retryAfterMs(header: string | string[] | null | undefined, nowMs: number): number | null {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Math.min(Number(value) * 1000, LONGEST_RETRY_AFTER_MS);
  // HTTP dates have a day name and GMT (IMF-fixdate, and the obsolete RFC 850 and asctime forms Date reads).
  if (!/[a-z]{3}/i.test(value)) return null;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, at - nowMs), LONGEST_RETRY_AFTER_MS);
}
