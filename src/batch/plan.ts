// Read first, then act: every row is checked before anything changes, and the plan (what would be
// applied, by type) is what the agent confirms. Pure: no I/O.
import type { Outcome } from '../errors.js';
import { checkAddress } from '../rules/address.js';
import { plural, thousands } from '../rules/plural.js';
import { TICKET_TYPES, type TicketRow, type TicketType } from './input.js';

/**
 * The row with an unusable address marked as a problem too, so that it is invalid before any action runs
 * (and counts as invalid in the plan). The actions check the address again; that costs microseconds.
 */
export function checkRow(row: TicketRow): TicketRow {
  if (row.problem !== null || row.email === '') return row;
  const checked = checkAddress(row.email);
  return checked.ok ? row : { ...row, problem: `not a usable address: ${checked.reason}` };
}

export function checkRows(rows: readonly TicketRow[]): TicketRow[] {
  return rows.map(checkRow);
}

export interface Plan {
  /** Rows an action will run for, by type. */
  byType: Map<TicketType, number>;
  applicable: number;
  invalid: number;
  /** The first invalid rows (at most INVALID_LISTED), named in the plan: line, ticket and why. */
  invalidRows: Array<Pick<TicketRow, 'line' | 'ticketId'> & { problem: string }>;
  /** Rows whose type was not recognised while another column names one (TicketRow.typeColumn), and the first such column. */
  typeColumn: { header: string; rows: number } | null;
}

/** How many invalid rows the plan names; the results list them all. */
export const INVALID_LISTED = 10;

export function emptyPlan(): Plan {
  return { byType: new Map(), applicable: 0, invalid: 0, invalidRows: [], typeColumn: null };
}

export function addToPlan(plan: Plan, row: TicketRow): void {
  if (row.typeColumn !== undefined) plan.typeColumn = { header: plan.typeColumn?.header ?? row.typeColumn, rows: (plan.typeColumn?.rows ?? 0) + 1 };
  if (row.problem !== null || row.type === null) {
    plan.invalid++;
    if (plan.invalidRows.length < INVALID_LISTED) plan.invalidRows.push({ line: row.line, ticketId: row.ticketId, problem: row.problem ?? 'no type' });
  } else {
    plan.applicable++;
    plan.byType.set(row.type, (plan.byType.get(row.type) ?? 0) + 1);
  }
}

export function planOf(rows: Iterable<TicketRow>): Plan {
  const plan = emptyPlan();
  for (const row of rows) addToPlan(plan, row);
  return plan;
}

/** Lines shown before the confirmation. */
export function planLines(plan: Plan, alreadyProcessed: number): string[] {
  const lines = [`Tickets to process: ${thousands(plan.applicable)}`];
  for (const type of TICKET_TYPES) {
    const n = plan.byType.get(type);
    if (n) lines.push(`  ${type.padEnd(22)} ${thousands(n)}`);
  }
  if (alreadyProcessed) lines.push(`Already processed before (reported as already_done, not applied again): ${thousands(alreadyProcessed)}`);
  if (plan.invalid) {
    lines.push(`Invalid rows (reported, not applied): ${thousands(plan.invalid)}`);
    for (const r of plan.invalidRows) lines.push(`  line ${r.line}, ticket ${r.ticketId || '(none)'}: ${r.problem}`);
    if (plan.invalid > plan.invalidRows.length) lines.push(`  and ${thousands(plan.invalid - plan.invalidRows.length)} more (the results list every row)`);
  }
  return lines;
}

export const OUTCOMES: readonly Outcome[] = ['done', 'already_done', 'planned', 'not_found', 'refused', 'invalid', 'error'];

/** Outcomes that mean the ticket was not done: the batch exits 5 when any row has one. */
export const UNFINISHED: ReadonlySet<Outcome> = new Set(['not_found', 'refused', 'invalid', 'error']);

export function summaryLine(rows: number, byOutcome: Record<Outcome, number>, dryRun: boolean): string {
  const parts = OUTCOMES.filter((o) => byOutcome[o] > 0).map((o) => `${thousands(byOutcome[o])} ${o.replace('_', ' ')}`);
  const head = dryRun ? 'Dry run' : 'Batch finished';
  return `${head}: ${plural(rows, 'row')}${parts.length ? ` (${parts.join(', ')})` : ''}.`;
}
