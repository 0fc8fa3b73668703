// `cx audit`: the audit log, oldest row first, filtered by ticket, account or date; --verify walks its hash chain.
import type { Command } from 'commander';
import { clockOf } from '../context.js';
import { EXIT } from '../errors.js';
import { addressKey } from '../rules/address.js';
import { note, printData, printError, table, timeForPeople, type Block } from '../render/index.js';
import { describeChain, type AuditRow } from '../rules/audit-chain.js';
import { startedBase } from '../rules/handover-rows.js';
import { listAuditLog, verifyAuditLog } from '../actions/audit-list.js';
import { handle, type Runtime } from '../cmdutil/define.js';
import { listingLimit, listingOptions, shownFooter, sinceTime, type ListingFlags } from '../cmdutil/listing.js';
import { openExisting } from '../cmdutil/mirror.js';

interface AuditOptions extends ListingFlags {
  email?: string;
  verify?: boolean;
}

export function configure(cmd: Command, runtime: Runtime): void {
  cmd.option('--email <address>', 'rows about the account with this current or former address');
  listingOptions(cmd, 'rows from this date (in your time zone) or ISO time on', 'the latest')
    .option('--verify', 'walk the hash chain; exit 6 and name the first bad row if it is broken')
    .addHelpText('after', '\nThe global --ticket <id> filters the rows to one ticket.');
  handle(cmd, runtime, async (ctx, opts: AuditOptions) => {
    const db = openExisting(ctx);
    try {
      if (opts.verify) {
        const v = verifyAuditLog(db);
        const result = { ok: v.ok, rows: v.rows, first_bad_row: v.first_bad_row, anchored_id: v.anchored_id, unanchored_rows: v.unanchored_rows };
        if (!v.ok && !ctx.json) {
          printError(ctx, `audit log: ${describeChain(v)}`);
          return EXIT.integrity;
        }
        await printData(ctx, result, () => [`Audit log: ${describeChain(v)}.`]);
        return v.ok ? EXIT.ok : EXIT.integrity;
      }
      const since = sinceTime(ctx, opts.since);
      const limit = listingLimit(ctx, opts.limit);
      // The JSON rows stay exactly as stored; people read a started hand-over with how it ended.
      const { rows, total, ends } = listAuditLog(db, { ticket: ctx.ticket, emailKey: opts.email ? addressKey(opts.email) : undefined, since, limit, withEnds: !ctx.json });
      const clock = clockOf(ctx);
      // Nothing to list: said on stderr, so a script reading the rows gets none rather than a sentence.
      if (!rows.length && !ctx.json) {
        note(ctx, 'No audit rows match.');
        return EXIT.ok;
      }
      await printData(ctx, rows, (): Block[] => [
        table<AuditRow>(
          [
            { header: 'id', value: (r) => r.id, keep: true },
            { header: 'at', value: (r) => timeForPeople(r.at, clock), piped: (r) => r.at, keep: true },
            { header: 'agent', value: (r) => r.agent },
            { header: 'action', value: (r) => r.action },
            { header: 'ticket', value: (r) => r.ticket },
            { header: 'account', value: (r) => r.account_id },
            { header: 'outcome', value: (r) => outcomeShown(r, ends.get(r.id)), style: (r) => outcomeStyle(r.outcome) },
            { header: 'detail', value: (r) => r.detail, grow: true },
          ],
          rows,
        ),
        ...shownFooter(rows.length, total, ['row', 'rows'], 'the latest'),
      ], { pager: opts.pager });
      return EXIT.ok;
    } finally {
      db.close();
    }
  });
}

function outcomeStyle(outcome: string): 'bad' | 'warn' | undefined {
  if (outcome === 'refused' || outcome === 'error' || outcome === 'invalid') return 'bad';
  return outcome === 'not_found' ? 'warn' : undefined;
}

/** A started hand-over (a notes zip, a caseload CSV) shows whether it completed: a crash can leave it open. */
function outcomeShown(row: AuditRow, end: { id: number; action: string } | undefined): string {
  if (startedBase(row.action) === null) return row.outcome;
  if (!end) return 'started, not completed';
  return end.action.endsWith('.abandoned') ? `started, abandoned (row ${end.id})` : `started, completed (row ${end.id})`;
}

