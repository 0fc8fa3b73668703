import type { Command } from 'commander';
import { importMirror, type ImportDeps, type ImportReport } from '../../actions/import-mirror.js';
import type { Context } from '../../context.js';
import { printData, table } from '../../render.js';
import { visible } from '../../rules/visible-text.js';
import { handle, type Runtime } from '../define.js';
import { openOrCreate } from '../mirror.js';
import { importBar } from './import-progress.js';

export function configure(cmd: Command, runtime: Runtime): void {
  handle(cmd, runtime, async (ctx, dir: string) => {
    const report = await runImport(ctx, dir, 'db.import');
    printData(ctx, report, () => describeImport(report));
  });
}

/** Open the mirror, import `dir` with a progress bar on a terminal, close. Shared with `db seed`. */
export async function runImport(ctx: Context, dir: string, action: string): Promise<ImportReport> {
  const db = openOrCreate(ctx);
  let total = 0;
  const bar = await importBar(ctx.io, () => total);
  const deps: ImportDeps = {
    db,
    agent: ctx.agent,
    now: ctx.now(),
    dryRun: ctx.dryRun,
    ticket: ctx.ticket,
    onProgress: (p) => {
      total = p.bytesTotal;
      bar.update(p);
    },
  };
  try {
    return await importMirror(deps, dir, action);
  } finally {
    bar.stop();
    db.close();
  }
}

export function describeImport(report: ImportReport): string {
  const rows = table(
    [
      { header: 'file', value: (f: ImportReport['files'][number]) => f.file },
      { header: 'rows', value: (f) => f.rows },
      { header: report.dry_run ? 'would change' : 'changed', value: (f) => f.changed },
      { header: 'unchanged', value: (f) => f.unchanged },
    ],
    report.files,
  );
  const skipped = report.skipped.length ? `\nNot in the folder (skipped): ${report.skipped.join(', ')}` : '';
  const notes = report.notes_rewritten ? `\n${report.notes_rewritten} progress note(s) had their text rewritten (their ids are in the audit log).` : '';
  const title = report.dry_run ? `Dry run: nothing written. Import of ${report.dir} would load:` : `Imported ${report.dir}:`;
  return `${title}\n${rows}${skipped}${notes}\n${describeCxChanges(report)}`;
}

/** How many values cx set were kept, how many conflicts, and each conflict (they need a look). */
function describeCxChanges(report: ImportReport): string {
  const n = report.conflicts.length;
  const k = report.kept.length;
  const summary =
    `Changes made with cx: ${k} kept${k ? ' (not delivered to the platform yet; `cx sync push` delivers them)' : ''}, ` +
    `${n} ${n === 1 ? 'conflict' : 'conflicts'}${n ? " (delivered, and the platform's export says otherwise)" : ''}.`;
  if (n === 0) return summary;
  const lines = report.conflicts.map((c) => {
    const who = c.account_id === null ? '(no account)' : visible(c.account_id);
    const what = c.field === 'suppression' ? `suppression of ${visible(c.email ?? '')}: cx lifted it, the platform has ${c.platform}` : `status: cx set ${c.cx}, the platform has ${c.platform}`;
    return `  ${who}  ${what}`;
  });
  const took = report.dry_run ? "would take the platform's value" : "took the platform's value (each conflict is in the audit log)";
  return `${summary}\nThe mirror ${took}; check whether the platform reversed the change on purpose:\n${lines.join('\n')}`;
}
