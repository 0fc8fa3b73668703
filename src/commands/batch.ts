// `cx batch <tickets.csv | ->`: read the whole export, check every row, show the plan and confirm, then
// apply each ticket exactly once (src/batch/run.ts) and write one result row per input row.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { loadDispatch, type BatchSettings } from '../batch/dispatch.js';
import { TICKET_TYPES } from '../batch/input.js';
import { countRecorded } from '../batch/ledger.js';
import { fileOutput, screenOutput, streamOutput, type ResultsOutput } from '../batch/output.js';
import type { ResultRow } from '../batch/results.js';
import { planLines, summaryLine, UNFINISHED } from '../batch/plan.js';
import { runBatch, type Summary, type Tally } from '../batch/run.js';
import { readTicketFile, type TicketFile } from '../batch/ticket-file.js';
import { confirmChange, type Context } from '../context.js';
import { CancelledError, EXIT, UsageError, type Outcome } from '../errors.js';
import { cancellable, type Cancellable } from '../files/cancellation.js';
import { OutputWriteError } from '../files/errors.js';
import { mirrorFiles } from '../files/protected.js';
import { DEFAULT_POLICY, type RetentionPolicy } from '../rules/policy.js';
import { checkDesk } from '../rules/tickets.js';
import { command, guidanceContext, note, plural, printData, printJson, span, table, thousands, type Block, type Line, type Style } from '../render/index.js';
import { commandLine, hasFlag, withFlags, withOption } from '../rules/command-line.js';
import { pendingCount } from '../actions/sync-status.js';
import type { Db } from '../store/db.js';
import { countPendingAfter, lastChangeId } from '../store/changes.js';
import { handle, type Runtime } from '../cmdutil/define.js';
import { withForceFix } from '../cmdutil/out-exists.js';
import { contextForOut } from '../cmdutil/out-stdout.js';
import { countBar } from '../cmdutil/progress.js';
import { announceWriter, lockWaitNotice, openForBatch } from '../cmdutil/mirror.js';
import { auditPhiRead } from '../cmdutil/read-audit.js';
import { helpAfter } from '../cmdutil/help.js';

interface BatchOptions {
  out?: string;
  force?: boolean;
  desk?: string;
  typeColumn?: string;
  notesDir: string;
}

/** Where notes_export rows write their zips unless --notes-dir says. */
const NOTES_DIR = 'exports';

export function configure(cmd: Command, runtime: Runtime): void {
  cmd
    .option('--out <file>', 'write the results CSV to this file (complete or not at all) instead of stdout')
    .option('--force', 'replace an existing --out file')
    .option('--type-column <header>', 'read the ticket type from this column, e.g. "CX action [list]" (else type, else Tags)')
    .option('--notes-dir <dir>', 'where notes_export rows write their zips', NOTES_DIR)
    .option('--desk <name>', 'the help desk the tickets belong to (default: zendesk or freshdesk as the export shows, else $CX_DESK, else cx)');
  helpAfter(cmd, [
    `The ticket types (a type column, or the one type tag in Tags): ${TICKET_TYPES.join(', ')}.`,
    "Each ticket id is applied once: a ticket recorded by an earlier run (or another agent's) reports " +
      'already_done. Rows that end not_found, refused, invalid or error are not recorded: fix the cause and ' +
      'run the same file again. Exit 0 when every row is done or already done, 5 when any row is not.',
    '--json prints the summary {"rows","by_outcome","out"} and needs --out for the results. ' +
      'An existing --out file is kept unless --force (exit 2); --out may not name the mirror, its -wal/-shm, ' +
      'the input or a folder (exit 2, nothing applied). A device or a pipe (/dev/stdout) is written to directly.',
    'Ctrl-C or SIGTERM stops the batch after the ticket in progress: what was recorded stays, the results file ' +
      'is not written, exit 130; run the same command again to go on.',
  ]);
  handle(cmd, runtime, (ctx, source: string, opts: BatchOptions) => batch(ctx, source, opts));
}

/** `cx batch` without commander (src/cli-words.ts plainRun): the options as commander would give them. */
export function runPlainBatch(ctx: Context, source: string, options: Omit<BatchOptions, 'notesDir'> & { notesDir?: string }): Promise<number> {
  return batch(ctx, source, { ...options, notesDir: options.notesDir ?? NOTES_DIR });
}

async function batch(given: Context, source: string, opts: BatchOptions): Promise<number> {
  const ctx = contextForOut(given, opts.out);
  if (ctx.ticket) throw new UsageError('--ticket does not apply to cx batch: every row names its own ticket');
  if (ctx.json && !opts.out) {
    const withOut = ctx.argv ? { text: 'Write the results to a file:', commands: [commandLine(withOption(ctx.argv, '--out', 'results.csv'))] } : 'add --out results.csv';
    throw new UsageError('--json prints the summary on stdout, so the results need a file', withOut);
  }
  // Read first: the whole file is parsed and checked before the mirror is even opened. In a terminal the
  // plan also counts the unusable addresses; elsewhere they show as invalid rows as the batch goes.
  const prompting = ctx.io.interactive && !ctx.yes && !ctx.dryRun;
  const file = readTicketFile(await readInput(ctx, source), { typeColumn: opts.typeColumn, checkAddresses: prompting });
  // The mirror, its WAL and the input are never written over: not by --out, not by a notes zip.
  const protect = [...mirrorFiles(ctx.dbPath), ...(source === '-' ? [] : [{ path: source, what: 'the input file' }])];
  const { at, ago } = guidanceContext(ctx, '');
  const settings: BatchSettings = { notesDir: resolve(opts.notesDir), policy: await policyFor(ctx, file), protect, email: ctx.email, clock: { at, ago } };
  const table = await loadDispatch(file.types);
  const desk = opts.desk !== undefined ? checkedDeskOption(opts.desk) : (file.desk ?? ctx.desk);
  // Opened before the mirror: a bad --out fails before anything is applied (its temporary file proves it).
  // A terminal gets the results as a table once the progress bar is gone (values made visible, never raw
  // CSV from clients); a pipe gets the exact, formula-safe CSV as it is produced.
  const output: ResultsOutput = opts.out
    ? withForceFix(ctx, () => fileOutput(opts.out!, { force: Boolean(opts.force), protect }))
    : ctx.io.stdoutIsTTY
      ? screenOutput((rows) => printData(ctx, rows, () => resultsTable(rows)))
      : streamOutput(ctx.io.stdout);
  let db: Db | undefined;
  const tally: Tally = { rows: 0, recorded: 0 };
  let work: Cancellable | undefined;
  let releaseHolder = (): void => undefined;
  try {
    db = openForBatch(ctx);
    await confirm(ctx, db, file, desk);
    if (!ctx.dryRun) releaseHolder = announceWriter(ctx, 'cx batch');
    const progress = await countBar(ctx.io, { label: 'batch', noun: 'tickets', total: file.count, etaBuffer: 2000, redrawEvery: 100 });
    let summary: Summary;
    const changesBefore = lastChangeId(db);
    work = cancellable();
    try {
      summary = await runBatch(db, file.rows(), {
        agent: ctx.agent, desk, now: ctx.now, dryRun: ctx.dryRun, settings, table, progress: () => progress.tick(), work, tally,
        onLockWait: lockWaitNotice(ctx),
        emit: (rows) => {
          auditShownRows(ctx, db!, rows);
          return output.write(rows);
        },
      });
    } finally {
      progress.stop();
    }
    work.throwIfCancelled(); // a signal after the last row: the results are not put in place half-announced
    await output.finish();
    const unfinished = [...UNFINISHED].some((o) => summary.by_outcome[o] > 0);
    if (ctx.json) printJson(ctx, { ...summary, out: opts.out ?? null, dry_run: ctx.dryRun });
    else {
      note(ctx, summaryLine(summary.rows, summary.by_outcome, ctx.dryRun));
      if (opts.out) note(ctx, `Results: ${opts.out}`);
      if (ctx.dryRun) note(ctx, 'Nothing was changed (dry run).');
      const again = againWords(ctx, source, opts);
      const typeColumn = file.plan.typeColumn;
      if (typeColumn && opts.typeColumn === undefined) {
        const rows = plural(typeColumn.rows, 'row has', 'rows have');
        note(ctx, nextLine(`${rows} no type cx recognises in Tags; the column ${JSON.stringify(typeColumn.header)} holds the types: read them from it:`), command(commandLine(withOption(again, '--type-column', typeColumn.header))));
      } else if (unfinished && !ctx.dryRun) {
        note(ctx, nextLine('rows not done were not recorded: fix their cause, then run the same file again (done tickets are not applied twice):'), command(commandLine(again)));
      }
      // What the rows' replies say happens once the changes reach the platform: they go with the next push.
      // The batch's own count, and the mirror's when others wait too (the push sends them all).
      const ours = ctx.dryRun || !summary.by_outcome.done ? 0 : countPendingAfter(db, changesBefore, { agent: ctx.agent, desk });
      if (ours) {
        const all = pendingCount(db);
        const changes = plural(ours, 'change of this batch waits', 'changes of this batch wait');
        const inAll = all > ours ? ` (${thousands(all)} in all)` : '';
        note(ctx, nextLine(`${changes} for the next push to the platform${inAll}: send ${all === 1 ? 'it' : 'them'} before you reply on the tickets:`), command(commandLine(['sync', 'push', ...dbWords(ctx)])));
      }
    }
    return unfinished ? EXIT.batchIncomplete : EXIT.ok;
  } catch (err) {
    output.abort();
    // Before the run (a "no" at the question, a bad file) nothing was applied: the error says so itself.
    throw work ? stoppedReport(ctx, err, tally, file.count, opts.out) : err;
  } finally {
    releaseHolder();
    work?.end();
    db?.close();
  }
}

function nextLine(text: string): Line {
  return [span('Next:', 'bold'), span(` ${text}`)];
}

/**
 * The batch as the agent ran it, to run again: the words typed (the same mirror, notes folder, desk), with
 * --force for an --out the run has written and --yes. Without them (the desk), the file and its options.
 */
function againWords(ctx: Context, source: string, opts: BatchOptions): string[] {
  const typed = ctx.argv ? [...ctx.argv] : ['batch', source, ...(opts.typeColumn ? ['--type-column', opts.typeColumn] : []), ...(opts.out ? ['--out', opts.out] : [])];
  if (ctx.dryRun) return typed;
  return withFlags(typed, ...(opts.out ? ['--force'] : []), ...(hasFlag(typed, '-y') ? [] : ['--yes']));
}

/** `--db <path>` when the agent named the mirror with the flag. */
function dbWords(ctx: Context): string[] {
  return ctx.settings.db.source === 'flag' ? ['--db', ctx.settings.db.value] : [];
}

function resultsTable(rows: readonly ResultRow[]): Block[] {
  const style = (o: Outcome): Style | undefined => (UNFINISHED.has(o) ? (o === 'not_found' ? 'warn' : 'bad') : o === 'planned' ? 'plan' : 'good');
  return [
    table<ResultRow>(
      [
        { header: 'ticket', value: (r) => r.ticket_id, kind: 'id', priority: 2 },
        { header: 'type', value: (r) => r.type, kind: 'key' },
        { header: 'email', value: (r) => r.email, kind: 'key' },
        { header: 'outcome', value: (r) => r.outcome.replace('_', ' '), kind: 'key', style: (r) => style(r.outcome) },
        { header: 'account', value: (r) => r.account_id, kind: 'id', priority: 1 },
        { header: 'detail', value: (r) => r.detail, kind: 'text' },
      ],
      rows,
    ),
  ];
}

/**
 * Results name accounts (a refusal says why, a dry run what it would do; a notes export's plan read the
 * notes of its clients): a read of PHI that no recorded ticket's own audit row covers is audited before the
 * rows are handed on (src/actions/read-audit.ts).
 */
function auditShownRows(ctx: Context, db: Db, rows: readonly ResultRow[]): void {
  const ids = rows.flatMap((r) => (ctx.dryRun || !RECORDED_OUTCOMES.has(r.outcome) ? [...(r.account_id ? [r.account_id] : []), ...(r.also_shows ?? [])] : []));
  if (ids.length) auditPhiRead(ctx, db, { action: 'batch.read', how: ctx.dryRun ? 'dry-run results' : 'results of tickets not recorded', accountIds: ids });
}

const RECORDED_OUTCOMES: ReadonlySet<Outcome> = new Set(['done', 'already_done']);

/** A batch that stopped for a signal or a full disk says how far it got: what is recorded stays. */
function stoppedReport(ctx: Context, err: unknown, tally: Tally, total: number, out: string | undefined): unknown {
  const cancelled = err instanceof CancelledError;
  if (!cancelled && !(err instanceof OutputWriteError)) return err;
  const kept = ctx.dryRun ? 'nothing was changed (dry run)' : `${plural(tally.recorded, 'ticket')} recorded (done or already done) and kept`;
  const results = out ? `; the results file ${out} was not written` : '';
  const far = `after ${thousands(tally.rows)} of ${plural(total, 'row')}: ${kept}${results}`;
  const again = 'run the same command again to go on (recorded tickets are not applied twice)';
  if (cancelled) return new CancelledError(`cancelled ${far}`, again);
  return new OutputWriteError(err.path, err.code, `${err.message}; the batch stopped ${far}`, typeof err.hint === 'string' ? `${err.hint}; ${again}` : again);
}

async function readInput(ctx: Context, source: string): Promise<Buffer> {
  if (source === '-') return readAll(ctx.io.stdin);
  try {
    return readFileSync(source);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT') throw new UsageError(`no such file: ${source}`, 'give the CSV ticket export, or - to read it from stdin');
    if (code === 'EISDIR') throw new UsageError(`${source} is a folder, not a CSV file`);
    throw new UsageError(`cannot read ${source}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(typeof part === 'string' ? Buffer.from(part) : (part as Buffer));
  return Buffer.concat(parts);
}

/** The policy file is read (and must be valid) only when a deactivate_client row will use it. */
async function policyFor(ctx: Context, file: TicketFile): Promise<RetentionPolicy> {
  if (!file.plan.byType.has('deactivate_client') || ctx.policyPath === undefined) return DEFAULT_POLICY;
  const { loadPolicy } = await import('../rules/policy-file.js');
  try {
    return loadPolicy(ctx.policyPath);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), 'fix the policy file; nothing was applied');
  }
}

/** The plan (counts by type) and a question in a terminal; --yes elsewhere; a dry run needs neither. */
async function confirm(ctx: Context, db: Db, file: TicketFile, desk: string): Promise<void> {
  const plan = file.plan;
  if (plan.applicable === 0 || ctx.dryRun || ctx.yes) return;
  if (ctx.io.interactive) {
    for (const line of planLines(plan, countRecorded(db, desk, file.rows()))) note(ctx, line);
  }
  await confirmChange(ctx, `Apply ${plan.applicable} ticket${plan.applicable === 1 ? '' : 's'} to ${ctx.dbPath}?`);
}

function checkedDeskOption(raw: string): string {
  const desk = checkDesk(raw);
  if (!desk.ok) throw new UsageError(`--desk: ${desk.reason}`);
  return desk.value;
}
