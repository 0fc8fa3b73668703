// cx notes export <provider-email> --ticket T [--out FILE.zip] [--client EMAIL] [--since DATE] [--until DATE]
// [--force] [--verify]: zip a provider's progress notes. It changes no mirror data but hands PHI over, so it
// runs like every change: a ticket, the plan, a confirmation (--yes without a terminal), then the export.
import type { Command } from 'commander';
import { exportNotes, invalidFilters, type NotesExportInput } from '../../actions/notes-export.js';
import type { ActionDeps } from '../../actions/common.js';
import type { NotesExportResult } from '../../actions/result.js';
import { EXIT, UsageError } from '../../errors.js';
import { has } from '../../has.js';
import { cancellable } from '../../files/cancellation.js';
import { notesExportAdvice } from '../../rules/guidance.js';
import { adviceLines, guidanceContext, note, plural, printOutcome, type Block } from '../../render/index.js';
import type { Context } from '../../context.js';
import type { Db } from '../../store/db.js';
import { finish, runChange, type Finished } from '../../cmdutil/change.js';
import { handle, type Runtime } from '../../cmdutil/define.js';
import { contextForOut } from '../../cmdutil/out-stdout.js';
import { laterCountBar, type CountBar } from '../../cmdutil/progress.js';
import { helpAfter } from '../../cmdutil/help.js';

export interface ExportOptions {
  out?: string;
  client?: string;
  since?: string;
  until?: string;
  force?: boolean;
  verify?: boolean;
  /** Without --out, the folder for the zip cx names (the desk's exports folder); else the current folder. */
  outDir?: string;
}

export function configure(cmd: Command, runtime: Runtime): void {
  cmd
    .option('--out <file>', 'the zip to write (default: ./notes-<provider id>-<ticket>-<YYYYMMDD>.zip)')
    .option('--client <email>', "only the notes about this client (current or former address)")
    .option('--since <date>', 'only sessions on or after this day (YYYY-MM-DD)')
    .option('--until <date>', 'only sessions on or before this day (YYYY-MM-DD)')
    .option('--force', 'replace an existing file at --out')
    .option('--verify', 'read the written zip back and check every entry against its manifest (exit 6 on a mismatch)');
  helpAfter(cmd, [
    'The zip holds README.txt, manifest.csv (path, bytes and SHA-256 of every note) and one file per note, ' +
      'in a folder per client. It is written with mode 0600; its SHA-256 is recorded in the audit log. ' +
      'No notes in the filter: exit 3 and no file. An existing file is kept unless --force (exit 2).',
    'The export is recorded before the first note is written: a notes.export.started row (count, every client ' +
      'by id, path, the temporary file), then the completing notes.export row (bytes, SHA-256) as the zip takes ' +
      'its name; `cx audit --email <client>` finds both. --out may be a device or a pipe (written to ' +
      'directly, never replaced), never the mirror or a folder (exit 2). On a terminal a progress bar counts the ' +
      'notes on stderr. Ctrl-C stops it with no file left (exit 130), recorded as abandoned.',
  ]);
  handle(cmd, runtime, async (ctx, email: string, opts: ExportOptions) => (await runNotesExport(ctx, email, opts)).code);
}

/** The export as `cx notes export` runs and prints it; the guided desk passes its open mirror. */
export async function runNotesExport(given: Context, email: string, opts: ExportOptions, db?: Db): Promise<Finished<NotesExportResult>> {
  const ctx = contextForOut(given, opts.out);
  const bad = invalidFilters(opts);
  if (bad) throw new UsageError(bad);
  const input: NotesExportInput = {
    email, out: opts.out, client: opts.client, since: opts.since, until: opts.until, force: Boolean(opts.force), verify: Boolean(opts.verify),
    ...(opts.outDir !== undefined ? { outDir: opts.outDir, createsOutDir: true } : {}),
  };
  const r = await runChange(ctx, (deps) => (deps.dryRun ? exportNotes(deps, input) : cancellableExport(ctx, deps, input)), {
    action: 'notes.export',
    // A plan, a dry run or a zip not handed over read the notes of these clients: the read row names them
    // (a zip handed over names them in its own rows).
    alsoShows: (plan) => (plan.outcome !== 'done' && has(plan, 'client_ids') ? plan.client_ids : []),
    question: (plan) => `Export ${plural(plan.notes, 'progress note')} of ${plan.account_id} <${plan.email}> to ${plan.path}?`,
    preview: (plan) => [plan.detail, 'The zip holds protected health information: send it only through an approved channel.'],
  }, db);
  if (r.outcome === 'error' && has(r, 'verified')) {
    printOutcome(ctx, r, problemLines(r.problems), notesExportJson(r));
    return { result: r, code: EXIT.integrity };
  }
  const advice = adviceLines(notesExportAdvice(r, guidanceContext(ctx, email)));
  const code = finish(ctx, r, [...(r.outcome === 'done' ? doneLines(r, ctx.ticket) : []), ...advice], notesExportJson(r));
  if (r.outcome === 'planned') note(ctx, 'Dry run: no file written; only this read of the notes is in the audit log.');
  return { result: r, code };
}

/**
 * Ctrl-C or SIGTERM while the zip is written: it stops, the temporary file goes, exit 130. Once its started
 * row is committed, the hand-over finishes first (src/actions/handover.ts). Only around the export itself:
 * at a prompt, a signal ends cx at once (nothing was done yet). On a terminal a bar counts the notes zipped.
 */
async function cancellableExport(ctx: Context, deps: ActionDeps, input: NotesExportInput): Promise<NotesExportResult> {
  const startBar = await laterCountBar(ctx.io, { label: 'notes', noun: 'notes', etaBuffer: 200, redrawEvery: 25 });
  let bar: CountBar | undefined;
  const work = cancellable();
  try {
    return await exportNotes(deps, input, { work, progress: (_done, total) => (bar ??= startBar(total)).tick() });
  } finally {
    bar?.stop();
    work.end();
  }
}

/**
 * `cx notes export --json` (docs/reference.md#json-of-cx-notes-export): the result, with `path`, `notes` and `sha256` on
 * every outcome. A result about a zip has all three; any other gets them as null.
 */
function notesExportJson(r: NotesExportResult): NotesExportResult & { path: string | null; notes: number | null; sha256: string | null } {
  return has(r, 'path') ? r : { ...r, path: null, notes: null, sha256: null };
}

function doneLines(r: Extract<NotesExportResult, { outcome: 'done' }>, ticket: string | undefined): Block[] {
  const kept = r.written_to === 'file' ? 'mode 0600 (owner only)' : `sent to the ${r.written_to} ${r.path}`;
  return [`SHA-256: ${r.sha256} (recorded in the audit log under ticket ${ticket ?? ''})`, `${plural(r.bytes ?? 0, 'byte')}, ${kept}.`];
}

function problemLines(problems: readonly string[]): Block[] {
  return ['Problems found:', ...problems.map((p) => `  - ${p}`)];
}
