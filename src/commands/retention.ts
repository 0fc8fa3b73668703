// cx retention [--due] [--as-of DATE] [--since DATE] [--limit N]: deactivated records, their retention dates
// and rules. Read-only.
import type { Command } from 'commander';
import { retentionReport, type RetentionRow } from '../actions/retention.js';
import { EXIT, UsageError } from '../errors.js';
import { isCalendarDate, today } from '../rules/dates.js';
import { loadPolicy } from '../rules/policy-file.js';
import { note, plural, printData, table, thousands, warn, type Block } from '../render/index.js';
import { handle, type Runtime } from '../cmdutil/define.js';
import { listingLimit, listingOptions, shownFooter, type ListingFlags } from '../cmdutil/listing.js';
import { openExisting } from '../cmdutil/mirror.js';
import { auditPhiRead } from '../cmdutil/read-audit.js';
import { helpAfter } from '../cmdutil/help.js';

interface RetentionOptions extends ListingFlags {
  due?: boolean;
  asOf?: string;
}

export function configure(cmd: Command, runtime: Runtime): void {
  cmd
    .option('--due', 'only the records whose retention date has passed')
    .option('--as-of <date>', 'decide "due" as of this day (YYYY-MM-DD; default today)');
  listingOptions(cmd, 'only records deactivated on or after this day (YYYY-MM-DD)', 'the soonest retention dates first');
  helpAfter(cmd, ['cx deletes no record, before or after its date: this list is for the records team.']);
  handle(cmd, runtime, async (ctx, opts: RetentionOptions) => {
    if (opts.asOf !== undefined && !isCalendarDate(opts.asOf)) throw new UsageError(`--as-of is not a date (YYYY-MM-DD): ${opts.asOf}`);
    if (opts.since !== undefined && !isCalendarDate(opts.since.trim())) throw new UsageError(`--since is not a date (YYYY-MM-DD): ${opts.since}`);
    const since = opts.since?.trim();
    const limit = listingLimit(ctx, opts.limit);
    const policy = loadPolicy(ctx.policyPath);
    const db = openExisting(ctx);
    const asOf = opts.asOf ?? today(ctx.now()); // once the mirror is open: its kind decides the clock (src/clock.ts)
    const { report, matching, rows } = (() => {
      try {
        const report = retentionReport(db, policy, { now: ctx.now(), asOf, dueOnly: Boolean(opts.due) });
        // Deactivated before cx recorded a date: no date to compare, so --since leaves them out.
        const matching = since ? report.rows.filter((r) => r.deactivated_at !== null && r.deactivated_at >= since) : report.rows;
        const rows = limit === undefined ? matching : matching.slice(0, limit);
        // The rows shown are the read: audited before they are.
        const how = `${opts.due ? `due as of ${asOf}` : 'all deactivated records'}${since ? `, deactivated since ${since}` : ''}`;
        auditPhiRead(ctx, db, { action: 'retention', how, accountIds: rows.map((row) => row.account_id) });
        return { report, matching, rows };
      } finally {
        db.close();
      }
    })();
    for (const problem of report.problems) warn(ctx, `retention date not computed for ${problem}`);
    if (!rows.length && !ctx.json) {
      note(ctx, opts.due ? `No deactivated record is past its retention date as of ${asOf}.` : 'No deactivated records match.');
      return EXIT.ok;
    }
    await printData(ctx, rows, () => human(rows, matching, asOf, Boolean(opts.due)), { pager: opts.pager });
    return EXIT.ok;
  });
}

function human(rows: RetentionRow[], matching: RetentionRow[], asOf: string, dueOnly: boolean): Block[] {
  const due = matching.filter((r) => r.due).length;
  const summary = dueOnly
    ? `${plural(due, 'deactivated record is', 'deactivated records are')} past ${due === 1 ? 'its' : 'their'} retention date as of ${asOf}.`
    : `${plural(matching.length, 'deactivated record')}; ${thousands(due)} past ${due === 1 ? 'its' : 'their'} retention date as of ${asOf}.`;
  return [
    table<RetentionRow>(
      [
        { header: 'account', value: (r) => r.account_id, kind: 'id', priority: 2 },
        { header: 'email', value: (r) => r.email, kind: 'key' },
        { header: 'deactivated', value: (r) => r.deactivated_at ?? 'before cx', priority: 1 },
        { header: 'retain until', value: (r) => r.retain_until ?? 'unknown', kind: 'key' },
        { header: 'due', value: (r) => r.due, kind: 'key', style: (r) => (r.due ? 'alert' : undefined) },
        { header: 'rule', value: (r) => r.retention_rule, kind: 'text' },
      ],
      rows,
    ),
    ...shownFooter(rows.length, matching.length, ['record', 'records'], 'the soonest retention dates'),
    summary,
  ];
}
