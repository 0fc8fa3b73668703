import type { Command } from 'commander';
import { EXIT, UsageError } from '../errors.js';
import { isCalendarDate, isIsoTime } from '../rules/dates.js';
import { addressKey } from '../rules/email.js';
import { printData, table } from '../render.js';
import { accountIdsForAddress } from '../store/accounts.js';
import type { AuditRow } from '../rules/audit-chain.js';
import { startedBase } from '../rules/handover-rows.js';
import { handoverEnds, listAudit, verifyAudit, type AuditVerification } from '../store/audit.js';
import { handle, type Runtime } from './define.js';
import { openForRead } from './mirror.js';

interface AuditOptions {
  email?: string;
  since?: string;
  limit?: string;
  verify?: boolean;
}

export function configure(cmd: Command, runtime: Runtime): void {
  cmd
    .option('--email <address>', 'rows about the account with this current or former address')
    .option('--since <date>', 'rows from this date or time on (YYYY-MM-DD or ISO time)')
    .option('--limit <n>', 'at most this many of the latest rows', '200')
    .option('--verify', 'walk the hash chain; exit 6 and name the first bad row if it is broken')
    .addHelpText('after', '\nThe global --ticket <id> filters the rows to one ticket.');
  handle(cmd, runtime, async (ctx, opts: AuditOptions) => {
    const db = openForRead(ctx);
    try {
      if (opts.verify) {
        const v = verifyAudit(db);
        const result = { ok: v.ok, rows: v.rows, first_bad_row: v.first_bad_row, anchored_id: v.anchored_id, unanchored_rows: v.unanchored_rows };
        printData(ctx, result, () => verifyText(v));
        return v.ok ? EXIT.ok : EXIT.integrity;
      }
      if (opts.since && !isCalendarDate(opts.since) && !isIsoTime(opts.since)) {
        throw new UsageError(`--since is not a date: ${opts.since}`);
      }
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a whole number above 0: ${opts.limit}`);
      const accountIds = opts.email ? accountIdsForAddress(db, addressKey(opts.email)) : undefined;
      const rows = listAudit(db, { ticket: ctx.ticket, accountIds, since: opts.since, limit });
      // The JSON rows stay exactly as stored; people read a started hand-over with how it ended.
      const ends = ctx.json ? new Map() : handoverEnds(db, rows);
      printData(ctx, rows, () =>
        rows.length
          ? table(
              [
                { header: 'id', value: (r: (typeof rows)[number]) => r.id },
                { header: 'at', value: (r) => r.at },
                { header: 'agent', value: (r) => r.agent },
                { header: 'action', value: (r) => r.action },
                { header: 'ticket', value: (r) => r.ticket },
                { header: 'account', value: (r) => r.account_id },
                { header: 'outcome', value: (r) => outcomeShown(r, ends.get(r.id)) },
                { header: 'detail', value: (r) => r.detail },
              ],
              rows,
            )
          : 'No audit rows match.',
      );
      return EXIT.ok;
    } finally {
      db.close();
    }
  });
}

/** A started hand-over (a notes zip, a caseload CSV) shows whether it completed: a crash can leave it open. */
function outcomeShown(row: AuditRow, end: { id: number; action: string } | undefined): string {
  if (startedBase(row.action) === null) return row.outcome;
  if (!end) return 'started, not completed';
  return end.action.endsWith('.abandoned') ? `started, abandoned (row ${end.id})` : `started, completed (row ${end.id})`;
}

function verifyText(v: AuditVerification): string {
  const anchored =
    v.anchored_id === null
      ? `not anchored yet: \`cx sync push\` sends the log to the platform (${v.unanchored_rows} rows)`
      : `anchored at row ${v.anchored_id} by the platform; ${v.unanchored_rows} row${v.unanchored_rows === 1 ? '' : 's'} after it not yet anchored`;
  switch (v.problem) {
    case null:
      return `Audit chain intact: ${v.rows} rows; ${anchored}.`;
    case 'chain':
      return `Audit chain BROKEN at row ${v.first_bad_row} (of ${v.rows}): that row or one before it was altered.`;
    case 'anchor_missing':
      return `Audit chain BROKEN: row ${v.anchored_id}, which the platform anchored, is gone (rows from ${v.first_bad_row} on were cut off).`;
    case 'anchor_changed':
      return `Audit chain BROKEN: row ${v.anchored_id}, which the platform anchored, is no longer the same (rows up to it were rewritten).`;
  }
}
