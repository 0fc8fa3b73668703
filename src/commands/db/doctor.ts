import type { Command } from 'commander';
import { examineMirror } from '../../actions/doctor.js';
import { EXIT } from '../../errors.js';
import { fields, printData, printError } from '../../render.js';
import { handle, type Runtime } from '../define.js';
import { openForRead } from '../mirror.js';

export function configure(cmd: Command, runtime: Runtime): void {
  handle(cmd, runtime, async (ctx) => {
    const db = openForRead(ctx);
    const report = (() => {
      try {
        return examineMirror(db, ctx.dbPath);
      } finally {
        db.close();
      }
    })();
    if (!ctx.json && !report.ok) printError(ctx, 'the mirror has problems:', undefined, report.problems);
    await printData(ctx, report, () => [
      ...(report.ok ? ['The mirror is healthy.'] : []),
      ...report.warnings.map((w) => `warning: ${w}`),
      ...fields([
        ['file', ctx.dbPath],
        ['schema version', report.schema_version],
        ['journal mode', report.journal_mode],
        ['audit rows', `${report.audit.rows} (chain ${report.audit.ok ? 'intact' : 'BROKEN'})`],
        ...Object.entries(report.row_counts).map(([t, n]): [string, number] => [t, n]),
      ], 0),
    ]);
    return report.ok ? EXIT.ok : EXIT.integrity;
  });
}
