import type { Command } from 'commander';
import { importMirror, type ImportReport } from '../../actions/import-mirror.js';
import { printData, table } from '../../render.js';
import { handle, type Runtime } from '../define.js';
import { openOrCreate } from '../mirror.js';

export function configure(cmd: Command, runtime: Runtime): void {
  handle(cmd, runtime, async (ctx, dir: string) => {
    const db = openOrCreate(ctx);
    try {
      const report = importMirror({ db, agent: ctx.agent, now: ctx.now(), dryRun: ctx.dryRun, ticket: ctx.ticket }, dir);
      printData(ctx, report, () => describeImport(report));
    } finally {
      db.close();
    }
  });
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
  const title = report.dry_run ? `Dry run: nothing written. Import of ${report.dir} would load:` : `Imported ${report.dir}:`;
  return `${title}\n${rows}${skipped}`;
}
