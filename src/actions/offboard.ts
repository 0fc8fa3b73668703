// A provider terminates their contract (issue 5): the contract becomes `terminated` with its effective date
// (a future date schedules it: the provider stays active until that day, src/rules/contract.ts), and every
// client in the caseload is reported with where they came from. Clients the provider brought
// (initial intake booked by the provider) may leave with them; clients who found the provider through the
// platform's search stay (src/rules/sourcing.ts). The report is produced for an already terminated
// provider too: offboarding work (notes export, telling clients) often comes after the status changed.
import { daysBetween, effectiveStatus, impossibleEffectiveDate, MAX_DAYS_BACK, scheduledEnd } from '../rules/contract.js';
import { isCalendarDate, today } from '../rules/dates.js';
import { commandFor } from '../rules/guidance.js';
import { clientSource } from '../rules/sourcing.js';
import { caseloadOf, intakesByClient, progressNoteCount } from '../store/caseload.js';
import { writeTransaction } from '../store/db.js';
import { recordTermination } from '../store/deactivation.js';
import type { Account } from '../store/accounts.js';
import { accountForChange, accountLabel, audit, fullName, recordChangeFor, recordTicket, result, type ActionDeps } from './common.js';
import type { CaseloadEntry, CaseloadReport, OffboardResult } from './result.js';
import { plural, thousands } from '../rules/plural.js';

export interface OffboardInput {
  email: string;
  /** YYYY-MM-DD the termination takes effect; today when absent. A future date schedules it. */
  effective?: string;
  /** Accept an effective date more than MAX_DAYS_BACK days ago. */
  allowPast?: boolean;
}

/** The caseload CSV's columns (the JSON `clients` entries have the same keys). */
export const CASELOAD_COLUMNS = [
  'id', 'email', 'name', 'status', 'source', 'may_leave', 'intake_date', 'last_appointment', 'next_appointment',
] as const satisfies ReadonlyArray<keyof CaseloadEntry>;

type Planned = Extract<OffboardResult, { outcome: 'planned' }>;

type Decision = { result: Exclude<OffboardResult, Planned> } | { result: Planned; who: string };

export function offboardProvider(deps: ActionDeps, input: OffboardInput): OffboardResult {
  if (deps.dryRun) return decide(deps, input).result;
  // For real, decide again inside the write lock: what the plan saw may have changed since.
  return writeTransaction(deps.db, () => {
    const d = decide(deps, input);
    if (!('who' in d)) return d.result;
    const { result: plan, who } = d;
    const effective = plan.contract_ends_at;
    const scheduled = effective > today(deps.now);
    if (!recordTermination(deps.db, plan.account_id, effective, scheduled)) {
      throw new Error(`terminating ${plan.account_id} changed no row inside its own transaction`);
    }
    recordChangeFor(deps, 'provider_termination', 'terminate_provider', plan.account_id, { effective });
    const r: OffboardResult = { ...plan, outcome: 'done', detail: terminationDetail(who, effective, today(deps.now), 'done') };
    // The audit row holds the decision and the split, not the client list (the mirror has that).
    audit(deps, 'offboard', { ...r, detail: `${r.detail}; ${plural(plan.may_leave_count, 'client')} may leave, ${thousands(plan.stay_count)} stay` });
    recordTicket(deps, 'provider_termination', input.email, r);
    return r;
  });
}

function decide(deps: ActionDeps, input: OffboardInput): Decision {
  const now = today(deps.now);
  const effective = input.effective ?? now;
  if (!isCalendarDate(effective)) return { result: result('invalid', `the effective date is not a date (YYYY-MM-DD): ${effective}`, null) };
  const found = accountForChange(deps.db, input.email);
  if ('refusal' in found) return { result: found.refusal };
  const provider = found.account;
  const who = accountLabel(provider);
  if (provider.role !== 'provider') {
    return {
      result: result('refused', `${who} is a client, not a provider: a client closes their account with cx deactivate`, provider.id, {
        email: provider.email,
        role: provider.role,
        next_command: commandFor('deactivate', provider.email, { ticket: deps.ticket || undefined }),
      }),
    };
  }
  const status = effectiveStatus(provider, now);
  if (status === 'deactivated') {
    const why = `${who} is a deactivated account, not an active contract; check it on the platform before terminating`;
    return { result: result('refused', why, provider.id) };
  }
  const report = caseloadReport(deps, provider);
  if (status === 'terminated') {
    const ends = provider.contract_ends_at
      ? `effective ${provider.contract_ends_at}${input.effective && input.effective !== provider.contract_ends_at ? ` (kept; --effective ${input.effective} not applied)` : ''}`
      : 'before cx (imported as terminated, no effective date recorded)';
    const r = result('already_done', `the contract of ${who} was already terminated, ${ends}`, provider.id, {
      ...report,
      contract_ends_at: provider.contract_ends_at,
    });
    return { result: r };
  }
  const scheduled = scheduledEnd(provider, now);
  if (scheduled !== null) return { result: alreadyScheduled(provider.id, who, scheduled, input.effective, report) };
  const impossible = impossibleEffectiveDate(effective, provider.created_at, now);
  if (impossible) return { result: result('invalid', impossible, provider.id) };
  const back = daysBetween(effective, now);
  if (back > MAX_DAYS_BACK && !input.allowPast) {
    const fix = commandFor('offboard', provider.email, { ticket: deps.ticket || undefined }, `--effective ${effective} --allow-past`);
    const why = `--effective ${effective} is ${back} days ago (more than ${MAX_DAYS_BACK}): check the date; if the contract really ended then, run again with --allow-past`;
    return { result: result('refused', why, provider.id, { fix }) };
  }
  const plan = result('planned', terminationDetail(who, effective, now, 'planned'), provider.id, {
    ...report,
    contract_ends_at: effective,
    scheduled: effective > now,
  });
  return { result: plan, who };
}

/**
 * Offboarding a provider whose termination is already scheduled: the same date (or none given) is
 * already_done; another date is refused, since the platform may already have the first one (moving it is
 * done there, not by a second termination).
 */
function alreadyScheduled(id: string, who: string, scheduled: string, asked: string | undefined, report: CaseloadReport): Exclude<OffboardResult, Planned> {
  const keys = { ...report, contract_ends_at: scheduled, scheduled: true as const };
  if (asked === undefined || asked === scheduled) {
    return result('already_done', `the termination of ${who} is already scheduled for ${scheduled}; the provider stays active until then`, id, keys);
  }
  const why = `the termination of ${who} is already scheduled for ${scheduled}; --effective ${asked} not applied: ` +
    'change the date on the platform, where the scheduled termination was sent';
  return result('refused', why, id, keys);
}

/** What the termination does, in both directions: ahead (scheduled, active until then) or now or back-dated. */
function terminationDetail(who: string, effective: string, now: string, tense: 'planned' | 'done'): string {
  const done = tense === 'done';
  if (effective > now) {
    return `${done ? 'scheduled' : 'would schedule'} the termination of ${who} for ${effective}: the provider stays active ` +
      `(sign-in, resets, notes exports) until then, and is treated as terminated from ${effective}`;
  }
  const back = daysBetween(effective, now);
  const when = back === 0 ? '' : ` (${back} day${back === 1 ? '' : 's'} ago: terminated from now on, recorded as ending then)`;
  return `${done ? 'terminated' : 'would terminate'} the contract of ${who}, effective ${effective}${when}`;
}

function caseloadReport(deps: ActionDeps, provider: Account): CaseloadReport {
  const intakes = intakesByClient(deps.db, provider.id);
  const clients: CaseloadEntry[] = caseloadOf(deps.db, provider.id, deps.now.toISOString()).map((c) => {
    const origin = clientSource(intakes.get(c.id) ?? []);
    return {
      id: c.id,
      email: c.email,
      name: fullName(c),
      status: c.status,
      source: origin.source,
      may_leave: origin.mayLeave,
      intake_date: day(origin.intakeAt),
      last_appointment: day(c.last_appointment_at),
      next_appointment: day(c.next_appointment_at),
    };
  });
  // Those who may leave first: the list the provider will ask about.
  clients.sort((a, b) => Number(b.may_leave) - Number(a.may_leave));
  return {
    email: provider.email,
    name: fullName(provider),
    clients,
    may_leave_count: clients.filter((c) => c.may_leave).length,
    stay_count: clients.filter((c) => !c.may_leave).length,
    progress_notes: progressNoteCount(deps.db, provider.id),
  };
}

/** The date of a time the store normalised to UTC ('2026-11-20T15:00:00.000Z'). */
function day(time: string | null): string | null {
  return time === null ? null : time.slice(0, 10);
}
