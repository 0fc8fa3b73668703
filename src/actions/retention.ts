// Retention dates of deactivated clients (docs/reference.md#retention-policy-file): which service date counts, and the
// report behind `cx retention`. Read-only: cx never deletes a record, before its date or after.
//
// Accounts that arrived deactivated from the import have no date recorded by cx. Their date is computed
// on every read with the policy in force and marked as such, and never written: cx did not deactivate
// them, does not know when they were deactivated, and a date computed now would be frozen with a rule
// that looks authoritative even if a later import brings an appointment that moves it.
import { dateOf, isCalendarDate } from '../rules/dates.js';
import type { RetentionPolicy } from '../rules/policy.js';
import { isDue, retentionDate, RetentionInputError, type RetentionDecision } from '../rules/retention.js';
import type { Db } from '../store/db.js';
import { deactivatedClients } from '../store/deactivation.js';

export interface RetentionFacts {
  dob: string | null;
  state: string | null;
  created_at: string;
  last_active_at: string | null;
  /** The last appointment at or before now (UTC ISO time), or null. */
  last_service_at: string | null;
}

/** The last service date: the last appointment, else the last activity, else the day the account was made. */
export function lastServiceDate(f: RetentionFacts): { date: string; basis: 'appointment' | 'last activity' | 'account creation' } {
  // The store gives the appointment as a UTC time; its first ten characters are the date.
  if (f.last_service_at) return { date: f.last_service_at.slice(0, 10), basis: 'appointment' };
  if (f.last_active_at) return { date: dateOf(f.last_active_at), basis: 'last activity' };
  return { date: dateOf(f.created_at), basis: 'account creation' };
}

/** The retention date and the rule that set it. Throws RetentionInputError for a stored date cx cannot use. */
export function decideRetention(f: RetentionFacts, policy: RetentionPolicy): RetentionDecision & { lastService: string } {
  const last = lastServiceDate(f);
  if (!isCalendarDate(last.date)) throw new RetentionInputError(`the last service date "${last.date}" is not a date`);
  const decision = retentionDate({ dob: f.dob, lastService: last.date, state: f.state }, policy);
  // Say when "last service" is not an appointment, where it decided the date.
  const rule =
    last.basis !== 'appointment' && decision.rule.startsWith('adult:') ? `${decision.rule}; no appointment: date of ${last.basis}` : decision.rule;
  return { ...decision, rule, lastService: last.date };
}

export const NOT_RECORDED_MARK = '[computed now: imported as deactivated, not recorded by cx]';

export interface RetentionRow {
  account_id: string;
  email: string;
  deactivated_at: string | null;
  retain_until: string | null;
  retention_rule: string;
  due: boolean;
}

export interface RetentionReport {
  rows: RetentionRow[];
  /** Records whose date could not be computed (bad stored data); they are listed as not due. */
  problems: string[];
}

/** Every deactivated client with its retention date and rule, soonest first; `dueOnly` keeps those past it. */
export function retentionReport(db: Db, policy: RetentionPolicy, opts: { now: Date; asOf: string; dueOnly: boolean }): RetentionReport {
  const problems: string[] = [];
  const rows: RetentionRow[] = deactivatedClients(db, opts.now.toISOString()).map((c) => {
    const row = { account_id: c.id, email: c.email, deactivated_at: c.deactivated_at };
    if (c.retain_until) {
      const rule = c.retention_rule ?? 'recorded by cx (no rule stored)';
      return { ...row, retain_until: c.retain_until, retention_rule: rule, due: isDue(c.retain_until, opts.asOf) };
    }
    try {
      const d = decideRetention(c, policy);
      return { ...row, retain_until: d.retainUntil, retention_rule: `${d.rule} ${NOT_RECORDED_MARK}`, due: isDue(d.retainUntil, opts.asOf) };
    } catch (err) {
      if (!(err instanceof RetentionInputError)) throw err;
      problems.push(`${c.id}: ${err.message}`);
      // Unknown date: never reported due, so nothing is released on a guess.
      return { ...row, retain_until: null, retention_rule: `cannot be computed: ${err.message}`, due: false };
    }
  });
  rows.sort((a, b) => (a.retain_until ?? '9999-99-99').localeCompare(b.retain_until ?? '9999-99-99') || a.account_id.localeCompare(b.account_id));
  return { rows: opts.dueOnly ? rows.filter((r) => r.due) : rows, problems };
}
