import type { Command } from 'commander';
import { importMirror, type ImportDeps, type ImportReport } from '../../actions/import-mirror.js';
import type { Context } from '../../context.js';
import { plural, printData, table, type Block } from '../../render.js';
import { handle, type Runtime } from '../define.js';
import { openOrCreate } from '../mirror.js';
import { importBar } from './import-progress.js';

export function configure(cmd: Command, runtime: Runtime): void {
  handle(cmd, runtime, async (ctx, dir: string) => {
    const report = await runImport(ctx, dir, 'db.import');
    await printData(ctx, report, () => describeImport(report));
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

export function describeImport(report: ImportReport): Block[] {
  const title = report.dry_run ? `Dry run: nothing written. Import of ${report.dir} would load:` : `Imported ${report.dir}:`;
  const blocks: Block[] = [
    title,
    table(
      [
        { header: 'file', value: (f: ImportReport['files'][number]) => f.file },
        { header: 'rows', value: (f) => f.rows, keep: true },
        { header: report.dry_run ? 'would change' : 'changed', value: (f) => f.changed, keep: true },
        { header: 'unchanged', value: (f) => f.unchanged, keep: true },
      ],
      report.files,
    ),
  ];
  if (report.skipped.length) blocks.push(`Not in the folder (skipped): ${report.skipped.join(', ')}`);
  if (report.notes_rewritten) {
    blocks.push(`${plural(report.notes_rewritten, 'progress note', 'progress notes')} had their text rewritten (their ids are in the audit log).`);
  }
  return blocks;
}
