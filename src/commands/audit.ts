// `cx audit`: the audit log, oldest row first, filtered by ticket, account or date; --verify walks its hash chain and,
// with a platform configured, compares it with the platform's record (actions/audit-witness.ts). Listing rows
// is a read of PHI, audited as `audit.read`; the verdict of --verify is not (actions/audit-list.ts).
import type { Command } from 'commander';
import { clockOf, type Context } from '../context.js';
import { EXIT } from '../errors.js';
import { addressKey } from '../rules/address.js';
import { note, printData, printError, table, timeColumn, type Block } from '../render/index.js';
import { describeChain, type AuditRow } from '../rules/audit-chain.js';
import { startedBase } from '../rules/handover-rows.js';
import { accountsShown, listAuditLog, listingHow, verifyAuditLog } from '../actions/audit-list.js';
import { checkAgainstPlatform, type RemoteCheck } from '../actions/audit-witness.js';
import type { Db } from '../store/db.js';
import { handle, type Runtime } from '../cmdutil/define.js';
import { listingLimit, listingOptions, shownFooter, sinceTime, type ListingFlags } from '../cmdutil/listing.js';
import { openExisting } from '../cmdutil/mirror.js';
import { auditPhiRead } from '../cmdutil/read-audit.js';
import { askWitness } from '../cmdutil/witness.js';
import { helpAfter } from '../cmdutil/help.js';

interface AuditOptions extends ListingFlags {
  email?: string;
  verify?: boolean;
}

export function configure(cmd: Command, runtime: Runtime): void {
  cmd.option('--email <address>', 'rows about the account with this current or former address');
  listingOptions(cmd, 'rows from this date (in your time zone) or ISO time on', 'the latest')
    .option('--verify', 'walk the hash chain, and compare it with the platform\'s record when a platform is configured; exit 6 and say what differs');
  helpAfter(cmd, [
    'The global --ticket <id> filters the rows to one ticket.',
    '--email finds every row about the account: its own changes, and every read or export that showed it or ' +
      'handed over its notes, however many accounts that row was about.',
    'Listing rows is a read of patient data: it is recorded as an audit.read row (the accounts the rows shown ' +
      'are about) before they are shown. --verify shows no patient data and records nothing.',
    '--verify checks the chain in this file up to the anchor the platform returned to `cx sync push`; with a ' +
      'platform configured (CX_PLATFORM_URL) it also asks the platform for its own record (GET cx/v1/audit/anchor), ' +
      'so a log rewritten and re-hashed in the file fails too. A platform that cannot be asked is exit 6 as well: ' +
      'the check was not made. --json: {"ok", "rows", "first_bad_row", "anchored_id", "unanchored_rows", "remote": ' +
      '{"status", "anchored_id", "detail"}}, status not_configured, matches, differs or unavailable.',
  ]);
  handle(cmd, runtime, async (ctx, opts: AuditOptions) => {
    const db = openExisting(ctx);
    try {
      if (opts.verify) return await verify(ctx, db);
      const since = sinceTime(ctx, opts.since);
      const limit = listingLimit(ctx, opts.limit);
      // The JSON rows stay exactly as stored; people read a started hand-over with how it ended.
      const query = { ticket: ctx.ticket, emailKey: opts.email ? addressKey(opts.email) : undefined, since, limit, withEnds: !ctx.json };
      const { rows, total, ends } = listAuditLog(db, query);
      // A read of PHI like any other, recorded before the rows are shown (and not among them).
      auditPhiRead(ctx, db, { action: 'audit.read', how: listingHow(query, rows.length), accountIds: accountsShown(db, rows) });
      const clock = clockOf(ctx);
      // Nothing to list: said on stderr, so a script reading the rows gets none rather than a sentence.
      if (!rows.length && !ctx.json) {
        note(ctx, 'No audit rows match.');
        return EXIT.ok;
      }
      await printData(ctx, rows, (): Block[] => [
        table<AuditRow>(
          [
            { header: 'id', value: (r) => r.id, kind: 'id', priority: 3 },
            timeColumn('at', (r) => r.at, clock),
            { header: 'agent', value: (r) => r.agent, priority: 1 },
            { header: 'action', value: (r) => r.action, kind: 'key' },
            { header: 'ticket', value: (r) => r.ticket, kind: 'id', priority: 1 },
            { header: 'account', value: (r) => r.account_id, kind: 'id', priority: 2 },
            { header: 'outcome', value: (r) => outcomeShown(r, ends.get(r.id)), kind: 'key', style: (r) => outcomeStyle(r.outcome) },
            { header: 'detail', value: (r) => r.detail, kind: 'text' },
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

/**
 * The local chain, then the platform's record of it when a platform is configured: ok only when every check
 * made passed, and a platform that could not be asked is not a pass (exit 6, saying so).
 */
async function verify(ctx: Context, db: Db): Promise<number> {
  const v = verifyAuditLog(db);
  const remote = checkAgainstPlatform(db, await askWitness(ctx, db));
  const ok = v.ok && remote.ok;
  const result = {
    ok,
    rows: v.rows,
    first_bad_row: v.first_bad_row ?? remote.first_bad_row,
    anchored_id: v.anchored_id,
    unanchored_rows: v.unanchored_rows,
    remote: { status: remote.status, anchored_id: remote.anchored_id, detail: remote.detail },
  };
  if (!ok && !ctx.json) {
    const problems = [...(v.ok ? [] : [describeChain(v)]), ...(remote.ok ? [] : [`against the platform: ${remote.detail}`])];
    printError(ctx, `audit log: ${problems.join('; ')}`, remote.status === 'unavailable' ? { text: 'Check the platform settings, then run it again once the platform answers:', commands: ['cx config', 'cx audit --verify'] } : undefined);
    return EXIT.integrity;
  }
  await printData(ctx, result, () => [`Audit log: ${describeChain(v)}.`, remoteLine(remote)]);
  return ok ? EXIT.ok : EXIT.integrity;
}

function remoteLine(remote: RemoteCheck): string {
  if (remote.status === 'not_configured') {
    return 'Only the local chain was checked: no platform is configured (CX_PLATFORM_URL), and a log rewritten and re-hashed in this file holds as a chain.';
  }
  return `The platform's record: ${remote.detail}.`;
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

