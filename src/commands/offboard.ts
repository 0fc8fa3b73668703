// cx offboard <provider-email> [--effective DATE] [--out caseload.csv]: terminate a provider's contract and
// report the caseload split: who may leave with the provider, who stays on the platform.
import type { Command } from 'commander';
import { writeCaseloadCsv, type CaseloadWrite } from '../actions/caseload-csv.js';
import { offboardProvider } from '../actions/offboard.js';
import type { CaseloadEntry, OffboardResult } from '../actions/result.js';
import { CxError, EXIT, UsageError } from '../errors.js';
import { has } from '../has.js';
import { checkOutput, openOutput, type OutputFile } from '../files/output-file.js';
import { mirrorFiles } from '../files/protected.js';
import { MAX_DAYS_BACK } from '../rules/contract.js';
import { isCalendarDate } from '../rules/dates.js';
import { offboardAdvice } from '../rules/guidance.js';
import { adviceLines, guidanceContext, note, plural, printError, table, thousands, type Block } from '../render/index.js';
import type { Context } from '../context.js';
import type { Db } from '../store/db.js';
import { finish, finishPaged, runChange, type Finished } from '../cmdutil/change.js';
import { handle, type Runtime } from '../cmdutil/define.js';
import { withForceFix } from '../cmdutil/out-exists.js';
import { contextForOut } from '../cmdutil/out-stdout.js';
import { helpAfter } from '../cmdutil/help.js';

export interface OffboardOptions {
  effective?: string;
  allowPast?: boolean;
  out?: string;
  force?: boolean;
  /** The guided desk: the report (a caseload may be long) goes through the pager, which leaves the session running. */
  page?: boolean;
}

export function configure(cmd: Command, runtime: Runtime): void {
  cmd
    .option('--effective <date>', 'the day the termination takes effect (YYYY-MM-DD; default today); a future day schedules it')
    .option('--allow-past', `accept an --effective date more than ${MAX_DAYS_BACK} days ago`)
    .option('--out <file>', 'also write the caseload as CSV (mode 0600: it holds client names)')
    .option('--force', 'replace an existing --out file');
  helpAfter(cmd, [
    'A future --effective schedules the termination: the provider stays active (sign-in, resets, notes ' +
      'exports) until that day and is treated as terminated from it. A date in the past terminates now and records ' +
      `that date; more than ${MAX_DAYS_BACK} days back needs --allow-past. A scheduled provider again: the same date is ` +
      'already done, another date is refused (change it on the platform).',
    'An already terminated provider gets the report (and --out file) again; nothing changes. ' +
      'The --out path is checked before the contract changes; an existing file is kept unless --force (exit 2). ' +
      'Writing the CSV is recorded in the audit log (provider, ticket, number of clients, path).',
  ]);
  handle(cmd, runtime, async (ctx, email: string, opts: OffboardOptions) => (await runOffboard(ctx, email, opts)).code);
}

/** The offboarding as `cx offboard` runs and prints it; the guided desk passes its open mirror. */
export async function runOffboard(given: Context, email: string, opts: OffboardOptions, db?: Db): Promise<Finished<OffboardResult>> {
  const ctx = contextForOut(given, opts.out);
  if (opts.effective !== undefined && !isCalendarDate(opts.effective)) {
    throw new UsageError(`--effective is not a date (YYYY-MM-DD): ${opts.effective}`);
  }
  // The CSV's path is checked (and its temporary file made) before anything changes, so a typo there
  // cannot leave a half-done offboarding.
  const target = { label: '--out', force: Boolean(opts.force), protect: mirrorFiles(ctx.dbPath) };
  let csv: OutputFile | undefined;
  if (opts.out !== undefined) {
    const out = opts.out;
    if (ctx.dryRun) withForceFix(ctx, () => checkOutput(out, target));
    else csv = withForceFix(ctx, () => openOutput(out, target));
  }
  let written: CaseloadWrite | undefined;
  let r: OffboardResult;
  try {
    r = await runChange(ctx, async (deps) => {
      const r = offboardProvider(deps, { email, effective: opts.effective, allowPast: opts.allowPast });
      // Done now, or terminated before (the plan comes back already_done): the report goes out either way.
      if (csv && (r.outcome === 'done' || r.outcome === 'already_done')) {
        written = await writeCaseloadCsv(deps, csv, r.account_id, r.clients);
      }
      return r;
    }, {
      action: 'offboard',
      alsoShows: (r) => (has(r, 'clients') ? r.clients.map((c) => c.id) : []),
      question: (plan) =>
        plan.scheduled
          ? `Schedule the termination of ${plan.account_id} <${plan.email}> for ${plan.contract_ends_at} (active until then)?`
          : `Terminate the contract of ${plan.account_id} <${plan.email}>, effective ${plan.contract_ends_at}?`,
      preview: (plan) => [plan.detail, `${plural(plan.may_leave_count, 'client')} may leave, ${thousands(plan.stay_count)} stay.`],
    }, db);
  } finally {
    csv?.discard();
  }
  const clients = has(r, 'clients') ? r.clients : undefined;
  const advice = adviceLines(offboardAdvice(r, guidanceContext(ctx, email)));
  const blocks = [...(clients && r.outcome !== 'refused' ? report(clients) : []), ...advice];
  const json = offboardJson(r, written);
  const code = opts.page ? await finishPaged(ctx, r, blocks, json, { pager: true, inSession: true }) : finish(ctx, r, blocks, json);
  if (opts.out !== undefined && r.outcome === 'planned') note(ctx, `Dry run: ${opts.out} not written.`);
  const retry = `${r.outcome === 'done' ? 'the contract change is saved; ' : ''}run the same command again to write it`;
  const failed = written && clients ? caseloadWritten(ctx, written, clients.length, Boolean(csv?.direct), retry) : undefined;
  return { result: r, code: failed ?? code };
}

/**
 * The caseload of an offboarding already shown, written to `out` as --out writes it (the guided desk's "Save
 * the caseload as CSV?"): a new file, 0600, handed over with its audit rows. Returns the exit code.
 */
export async function saveCaseloadCsv(ctx: Context, providerId: string, clients: readonly CaseloadEntry[], out: string, db: Db): Promise<number> {
  const csv = openOutput(out, { label: 'the caseload file', force: false, protect: mirrorFiles(ctx.dbPath) });
  try {
    const deps = { db, now: ctx.now(), agent: ctx.agent, ticket: ctx.ticket ?? '', desk: ctx.desk, dryRun: false, via: 'command' as const };
    const written = await writeCaseloadCsv(deps, csv, providerId, clients);
    return caseloadWritten(ctx, written, clients.length, Boolean(csv.direct), 'nothing was written; try again') ?? EXIT.ok;
  } finally {
    csv.discard();
  }
}

/** Says where the caseload went, or why it could not be written (then its exit code; undefined when written). */
function caseloadWritten(ctx: Context, written: CaseloadWrite, count: number, direct: boolean, retry: string): number | undefined {
  if (written.outcome === 'done') {
    const mode = direct ? '' : '; mode 0600: it holds client names';
    note(ctx, `Caseload written to ${written.path} (${plural(count, 'client')}${mode}; recorded in the audit log).`);
    return undefined;
  }
  const failure = written.error;
  const why = failure instanceof CxError ? failure.message : failure.detail;
  printError(ctx, `the caseload could not be written to ${written.path}: ${why}`, retry);
  if (failure instanceof CxError) return failure.exitCode; // a full disk, a file that appeared meanwhile: 2
  return failure.outcome === 'refused' ? EXIT.refused : EXIT.internal; // the audit log could not be written
}

/**
 * `cx offboard --json` (docs/reference.md#json-of-cx-offboard): the result, with `clients` on every outcome (empty when
 * there is no caseload report) and `caseload_csv`, the --out file written (null when none was).
 */
function offboardJson(r: OffboardResult, written: CaseloadWrite | undefined): OffboardResult & { clients: CaseloadEntry[]; caseload_csv: string | null } {
  const caseload_csv = written?.outcome === 'done' ? written.path : null;
  return has(r, 'clients') ? { ...r, caseload_csv } : { ...r, clients: [], caseload_csv };
}

function report(clients: CaseloadEntry[]): Block[] {
  const leave = clients.filter((c) => c.may_leave).length;
  const noIntake = clients.filter((c) => !c.may_leave && c.intake_date === null).length;
  const blocks: Block[] = [
    `Caseload: ${plural(clients.length, 'client')}: ${thousands(leave)} may leave with the provider (the provider booked their first intake), ${thousands(clients.length - leave)} stay on the platform (they found the provider through search).`,
  ];
  if (clients.length) {
    blocks.push(
      table<CaseloadEntry>(
        [
          { header: 'id', value: (c) => c.id, kind: 'id', priority: 3 },
          { header: 'name', value: (c) => c.name, kind: 'key' },
          { header: 'email', value: (c) => c.email, kind: 'key' },
          { header: 'goes', value: (c) => (c.may_leave ? 'may leave' : 'stays'), kind: 'key', style: (c) => (c.may_leave ? 'warn' : undefined) },
          // An upcoming visit needs handling before the provider leaves; the intake says why one may leave.
          { header: 'intake', value: (c) => c.intake_date ?? 'none', priority: 1 },
          { header: 'last visit', value: (c) => c.last_appointment },
          { header: 'next visit', value: (c) => c.next_appointment, priority: 2 },
        ],
        clients,
      ),
    );
  }
  if (noIntake) blocks.push(`${plural(noIntake, 'client has', 'clients have')} no intake on record: they stay until someone checks on the platform.`);
  return blocks;
}
