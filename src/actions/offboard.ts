// A provider terminates their contract (issue 5): the contract becomes `terminated` with its effective date,
// and every client in the caseload is reported with where they came from. Clients the provider brought
// (initial intake booked by the provider) may leave with them; clients who found the provider through the
// platform's search stay (src/rules/sourcing.ts). The report is produced for an already terminated
// provider too: offboarding work (notes export, telling clients) often comes after the status changed.
import { isCalendarDate, today } from '../rules/dates.js';
import { shellWord } from '../rules/emails.js';
import { clientSource } from '../rules/sourcing.js';
import { caseloadOf, intakesByClient, progressNoteCount } from '../store/caseload.js';
import { writeTransaction } from '../store/db.js';
import { recordTermination } from '../store/deactivation.js';
import type { Account } from '../store/accounts.js';
import { accountForChange, accountLabel, audit, fullName, recordChangeFor, recordTicket, result, type ActionDeps, type ActionResult } from './common.js';

export interface OffboardInput {
  email: string;
  /** YYYY-MM-DD the contract ends; today when absent. */
  effective?: string;
}

/** One caseload row: the JSON `clients` entries and the caseload CSV have exactly these columns. */
export interface CaseloadEntry {
  id: string;
  email: string;
  name: string;
  status: string;
  source: 'search' | 'provider';
  may_leave: boolean;
  /** YYYY-MM-DD of the initial intake; null when there is none (then the client stays, pending a check). */
  intake_date: string | null;
  /** YYYY-MM-DD of the last appointment at or before now, and of the next one after now. */
  last_appointment: string | null;
  next_appointment: string | null;
}

export const CASELOAD_COLUMNS = [
  'id', 'email', 'name', 'status', 'source', 'may_leave', 'intake_date', 'last_appointment', 'next_appointment',
] as const satisfies ReadonlyArray<keyof CaseloadEntry>;

export function offboardProvider(deps: ActionDeps, input: OffboardInput): ActionResult {
  if (deps.dryRun) return decide(deps, input).result;
  // For real, decide again inside the write lock: what the plan saw may have changed since.
  return writeTransaction(deps.db, () => {
    const { result: plan, who } = decide(deps, input);
    if (plan.outcome !== 'planned') return plan;
    const effective = plan.contract_ends_at as string;
    if (!recordTermination(deps.db, plan.account_id!, effective)) {
      throw new Error(`terminating ${plan.account_id} changed no row inside its own transaction`);
    }
    recordChangeFor(deps, 'provider_termination', 'terminate_provider', plan.account_id, { effective });
    const r: ActionResult = { ...plan, outcome: 'done', detail: `terminated the contract of ${who}, effective ${effective}` };
    // The audit row holds the decision and the split, not the client list (the mirror has that).
    audit(deps, 'offboard', { ...r, detail: `${r.detail}; ${plan.may_leave_count} clients may leave, ${plan.stay_count} stay` });
    recordTicket(deps, 'provider_termination', input.email, r);
    return r;
  });
}

function decide(deps: ActionDeps, input: OffboardInput): { result: ActionResult; who?: string } {
  const effective = input.effective ?? today(deps.now);
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
        next_command: `cx deactivate ${shellWord(provider.email)}`,
      }),
    };
  }
  if (provider.status === 'deactivated') {
    const why = `${who} is a deactivated account, not an active contract; check it on the platform before terminating`;
    return { result: result('refused', why, provider.id) };
  }
  const report = caseloadReport(deps, provider);
  if (provider.status === 'terminated') {
    const ends = provider.contract_ends_at
      ? `effective ${provider.contract_ends_at}${input.effective && input.effective !== provider.contract_ends_at ? ` (kept; --effective ${input.effective} not applied)` : ''}`
      : 'before cx (imported as terminated, no effective date recorded)';
    const r = result('already_done', `the contract of ${who} was already terminated, ${ends}`, provider.id, {
      ...report,
      contract_ends_at: provider.contract_ends_at,
    });
    return { result: r, who };
  }
  const plan = result('planned', `would terminate the contract of ${who}, effective ${effective}`, provider.id, {
    ...report,
    contract_ends_at: effective,
  });
  return { result: plan, who };
}

function caseloadReport(deps: ActionDeps, provider: Account): Record<string, unknown> {
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
