// A provider's contract over time. `cx offboard --effective <date>` records the day the termination takes
// effect; until that day the provider keeps working (signs in, gets resets, exports notes) and from that day
// cx treats them as terminated. The mirror keeps `status` as the platform last said (or as cx set it for a
// termination effective at once) and `contract_ends_at` as cx recorded it: this rule is the one place that
// turns the two and today's date into the status every command acts on.
import type { Account } from '../store/accounts.js';

type ContractFields = Pick<Account, 'status' | 'contract_ends_at'>;

/** The status cx acts on today (YYYY-MM-DD, UTC, as rules/dates.ts `today`). */
export function effectiveStatus(a: ContractFields, today: string): Account['status'] {
  if (a.status === 'active' && a.contract_ends_at !== null && a.contract_ends_at.slice(0, 10) <= today) return 'terminated';
  return a.status;
}

/** The day a scheduled termination takes effect, while it is still ahead; else null. */
export function scheduledEnd(a: ContractFields, today: string): string | null {
  if (a.status !== 'active' || a.contract_ends_at === null) return null;
  const ends = a.contract_ends_at.slice(0, 10);
  return ends > today ? ends : null;
}

/** An account as cx acts on it today: its status made effective. */
export function asOf<A extends ContractFields>(a: A, today: string): A {
  const status = effectiveStatus(a, today);
  return status === a.status ? a : { ...a, status };
}

/** How far back an effective date may lie without --allow-past (a typo in the year is the usual cause). */
export const MAX_DAYS_BACK = 30;

/** How far ahead a termination may be scheduled: further is a typo, not a notice period. */
export const MAX_DAYS_AHEAD = 365;

/**
 * Why an effective date cannot be right whatever the flags (null when it can): before the account existed,
 * or further ahead than any notice period. --allow-past accepts a date far back, never one of these.
 */
export function impossibleEffectiveDate(effective: string, createdAt: string, today: string): string | null {
  const created = createdAt.slice(0, 10);
  if (effective < created) return `--effective ${effective} is before the account was created (${created})`;
  const ahead = daysBetween(today, effective);
  if (ahead > MAX_DAYS_AHEAD) return `--effective ${effective} is ${ahead} days ahead (more than ${MAX_DAYS_AHEAD}): check the year`;
  return null;
}

/** Whole days from `from` to `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
