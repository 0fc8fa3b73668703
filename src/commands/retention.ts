// cx retention [--due] [--as-of DATE]: deactivated records, their retention dates and rules. Read-only.
import type { Command } from 'commander';
import { retentionReport, type RetentionRow } from '../actions/retention.js';
import { EXIT, UsageError } from '../errors.js';
import { isCalendarDate, today } from '../rules/dates.js';
import { loadPolicy } from '../rules/policy.js';
import { printData, table, warn } from '../render.js';
import { handle, type Runtime } from './define.js';
import { openForRead } from './mirror.js';
import { auditRead } from './read-audit.js';

interface RetentionOptions {
  due?: boolean;
  asOf?: string;
}

export function configure(cmd: Command, runtime: Runtime): void {
  cmd
    .option('--due', 'only the records whose retention date has passed')
    .option('--as-of <date>', 'decide "due" as of this day (YYYY-MM-DD; default today)')
    .addHelpText('after', '\ncx deletes no record, before or after its date: this list is for the records team.');
  handle(cmd, runtime, async (ctx, opts: RetentionOptions) => {
    const asOf = opts.asOf ?? today(ctx.now());
    if (!isCalendarDate(asOf)) throw new UsageError(`--as-of is not a date (YYYY-MM-DD): ${asOf}`);
    const policy = loadPolicy(ctx.policyPath);
    const db = openForRead(ctx);
    const report = (() => {
      try {
        const r = retentionReport(db, policy, { now: ctx.now(), asOf, dueOnly: Boolean(opts.due) });
        auditRead(ctx, db, { action: 'retention', how: opts.due ? `due as of ${asOf}` : 'all deactivated records', accountIds: r.rows.map((row) => row.account_id) });
        return r;
      } finally {
        db.close();
      }
    })();
    for (const problem of report.problems) warn(ctx, `retention date not computed for ${problem}`);
    printData(ctx, report.rows, () => human(report.rows, asOf, Boolean(opts.due)));
    return EXIT.ok;
  });
}

function human(rows: RetentionRow[], asOf: string, dueOnly: boolean): string {
  if (rows.length === 0) return dueOnly ? `No deactivated record is past its retention date as of ${asOf}.` : 'No deactivated records.';
  const due = rows.filter((r) => r.due).length;
  const summary = dueOnly
    ? `${due} deactivated record(s) past their retention date as of ${asOf}.`
    : `${rows.length} deactivated record(s); ${due} past their retention date as of ${asOf}.`;
  return [
    table<RetentionRow>(
      [
        { header: 'account', value: (r) => r.account_id },
        { header: 'email', value: (r) => r.email },
        { header: 'deactivated', value: (r) => r.deactivated_at ?? 'before cx' },
        { header: 'retain until', value: (r) => r.retain_until ?? 'unknown' },
        { header: 'due', value: (r) => r.due },
        { header: 'rule', value: (r) => r.retention_rule },
      ],
      rows,
    ),
    summary,
  ].join('\n');
}
