import type { Command } from 'commander';
import { importMirror, type ImportDeps, type ImportReport } from '../../actions/import-mirror.js';
import type { Context } from '../../context.js';
import { plural, printData, table, thousands, type Block, type Line } from '../../render/index.js';
import { handle, type Runtime } from '../../cmdutil/define.js';
import { openOrCreate } from '../../cmdutil/mirror.js';
import { cancellable } from '../../files/cancellation.js';
import { importBar, type ImportBar } from '../../cmdutil/progress.js';

export function configure(cmd: Command, runtime: Runtime): void {
  handle(cmd, runtime, async (ctx, dir: string) => {
    const report = await runImport(ctx, dir, 'db.import');
    await printData(ctx, report, () => describeImport(report));
  });
}

/**
 * Open the mirror, import `dir` with a progress bar on a terminal, close. Shared with `db seed`. Ctrl-C or
 * SIGTERM stops it before it writes (exit 130, saying where); once the apply runs, it finishes.
 */
export async function runImport(ctx: Context, dir: string, action: string, how: { plaintext?: boolean } = {}): Promise<ImportReport> {
  const db = openOrCreate(ctx, how);
  const work = cancellable();
  let total = 0;
  let bar: ImportBar | undefined;
  try {
    bar = await importBar(ctx.io, () => total);
    const deps: ImportDeps = {
      db,
      agent: ctx.agent,
      now: ctx.now(),
      dryRun: ctx.dryRun,
      ticket: ctx.ticket,
      cancel: work.signal,
      onProgress: (p) => {
        total = p.bytesTotal;
        bar!.update(p);
      },
    };
    return await importMirror(deps, dir, action);
  } finally {
    bar?.stop();
    work.end();
    db.close();
  }
}

export function describeImport(report: ImportReport): Block[] {
  const title = report.dry_run ? `Dry run: nothing written. Import of ${report.dir} would load:` : `Imported ${report.dir}:`;
  const blocks: Block[] = [
    title,
    table(
      [
        { header: 'file', value: (f: ImportReport['files'][number]) => f.file, kind: 'key' },
        { header: 'rows', value: (f) => thousands(f.rows), piped: (f) => f.rows, kind: 'key' },
        { header: report.dry_run ? 'would change' : 'changed', value: (f) => thousands(f.changed), piped: (f) => f.changed, kind: 'key' },
        { header: 'unchanged', value: (f) => thousands(f.unchanged), piped: (f) => f.unchanged, kind: 'key' },
      ],
      report.files,
    ),
  ];
  if (report.skipped.length) blocks.push(`Not in the folder (skipped): ${report.skipped.join(', ')}`);
  if (report.notes_rewritten) {
    blocks.push(`${plural(report.notes_rewritten, 'progress note', 'progress notes')} had their text rewritten (their ids are in the audit log).`);
  }
  return [...blocks, ...describeCxChanges(report)];
}

/** How many values cx set were kept, how many conflicts, and each conflict (they need a look). */
function describeCxChanges(report: ImportReport): Line[] {
  const n = report.conflicts.length;
  const k = report.kept.length;
  const summary =
    `Changes made with cx: ${thousands(k)} kept${k ? ' (not delivered to the platform yet; `cx sync push` delivers them)' : ''}, ` +
    `${plural(n, 'conflict')}${n ? " (delivered, and the platform's export says otherwise)" : ''}.`;
  if (n === 0) return [summary];
  // Values from the export: the renderer shows them visibly escaped, line by line.
  const lines = report.conflicts.map((c) => {
    const who = c.account_id === null ? '(no account)' : c.account_id;
    const what = c.field === 'suppression' ? `suppression of ${c.email ?? ''}: cx lifted it, the platform has ${c.platform}` : `status: cx set ${c.cx}, the platform has ${c.platform}`;
    return `  ${who}  ${what}`;
  });
  const took = report.dry_run ? "would take the platform's value" : "took the platform's value (each conflict is in the audit log)";
  return [summary, `The mirror ${took}; check whether the platform reversed the change on purpose:`, ...lines];
}
