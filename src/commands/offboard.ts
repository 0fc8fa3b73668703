// cx offboard <provider-email> [--effective DATE] [--out caseload.csv]: terminate a provider's contract and
// report the caseload split: who may leave with the provider, who stays on the platform.
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, fchmodSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { CASELOAD_COLUMNS, offboardProvider, type CaseloadEntry } from '../actions/offboard.js';
import type { ActionResult } from '../actions/common.js';
import { EXIT, UsageError } from '../errors.js';
import { toCsv } from '../rules/csv-safe.js';
import { isCalendarDate } from '../rules/dates.js';
import { shellWord } from '../rules/emails.js';
import { note, printError, table } from '../render.js';
import { finish, runChange } from './change.js';
import { handle, type Runtime } from './define.js';

interface OffboardOptions {
  effective?: string;
  out?: string;
}

export function configure(cmd: Command, runtime: Runtime): void {
  cmd
    .option('--effective <date>', 'the day the contract ends (YYYY-MM-DD; default today)')
    .option('--out <file>', 'also write the caseload as CSV (mode 0600: it holds client names)')
    .addHelpText('after', '\nAn already terminated provider gets the report (and --out file) again; nothing changes.');
  handle(cmd, runtime, async (ctx, email: string, opts: OffboardOptions) => {
    if (opts.effective !== undefined && !isCalendarDate(opts.effective)) {
      throw new UsageError(`--effective is not a date (YYYY-MM-DD): ${opts.effective}`);
    }
    // Check the CSV's folder before anything changes, so a typo there cannot leave a half-done offboarding.
    if (opts.out !== undefined) checkOutPath(opts.out);
    const r = await runChange(ctx, (deps) => offboardProvider(deps, { email, effective: opts.effective }), {
      question: (plan) => `Terminate the contract of ${plan.account_id} <${String(plan.email)}>, effective ${String(plan.contract_ends_at)}?`,
      preview: (plan) => [String(plan.detail), `${String(plan.may_leave_count)} client(s) may leave, ${String(plan.stay_count)} stay.`],
    });
    const clients = r.clients as CaseloadEntry[] | undefined;
    let written: string | undefined;
    let writeFailure: string | undefined;
    if (opts.out !== undefined && clients && (r.outcome === 'done' || r.outcome === 'already_done')) {
      try {
        writeFileAtomic(opts.out, toCsv(CASELOAD_COLUMNS, clients));
        written = opts.out;
      } catch (err) {
        writeFailure = err instanceof Error ? err.message : String(err);
      }
    }
    const code = finish(ctx, r, clients ? report(r, clients, ctx.ticket) : [], { clients: [] });
    if (written) note(ctx, `Caseload written to ${written} (${clients!.length} clients; mode 0600: it holds client names).`);
    if (opts.out !== undefined && r.outcome === 'planned') note(ctx, `Dry run: ${opts.out} not written.`);
    if (writeFailure) {
      printError(ctx, `the caseload could not be written to ${opts.out}: ${writeFailure}`, 'run the same command again to write it (the contract change is saved)');
      return EXIT.internal;
    }
    return code;
  });
}

function report(r: ActionResult, clients: CaseloadEntry[], ticket: string | undefined): string[] {
  const leave = clients.filter((c) => c.may_leave);
  const stay = clients.filter((c) => !c.may_leave);
  const noIntake = stay.filter((c) => c.intake_date === null).length;
  // printOutcome drops empty lines, so a blank line before a block is part of the block.
  const group = (title: string, rows: CaseloadEntry[]): string =>
    `\n${title}\n` +
    (rows.length === 0
      ? '  (none)'
      : table<CaseloadEntry>(
          [
            { header: 'id', value: (c) => c.id },
            { header: 'name', value: (c) => c.name },
            { header: 'email', value: (c) => c.email },
            { header: 'intake', value: (c) => c.intake_date ?? 'none on record' },
            { header: 'last appointment', value: (c) => c.last_appointment },
            { header: 'next appointment', value: (c) => c.next_appointment },
          ],
          rows,
        ));
  const zip = `${String(r.account_id).replace(/[^A-Za-z0-9._-]/g, '_')}-progress-notes.zip`;
  return [
    `Caseload: ${clients.length} client(s): ${leave.length} may leave with the provider, ${stay.length} stay on the platform.`,
    group('MAY LEAVE with the provider (the provider booked their first intake):', leave),
    group('STAY on the platform (they found the provider through search):', stay),
    noIntake ? `${noIntake} client(s) have no intake on record: they stay until someone checks on the platform.` : '',
    `\nNext: export the provider's progress notes (${String(r.progress_notes)}) and keep the file safe:`,
    `  cx notes export ${shellWord(String(r.email))} --ticket ${ticket ? shellWord(ticket) : '<ticket>'} --out ${zip}`,
  ];
}

function checkOutPath(path: string): void {
  const dir = dirname(resolve(path));
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a folder');
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`--out: cannot write in the folder ${dir}`, 'check that the folder exists and is writable');
  }
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // Does not exist yet: fine.
  }
  if (isDir) throw new UsageError(`--out is a folder, not a file: ${path}`);
}

/** Write to a temporary file beside the target, then rename: a reader never sees half a file. Mode 0600. */
function writeFileAtomic(path: string, text: string): void {
  const target = resolve(path);
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      fchmodSync(fd, 0o600); // whatever the umask
      writeFileSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
