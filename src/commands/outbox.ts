// `cx outbox`: the emails actions have queued, oldest first; filter by status, address or ticket.
import type { Command } from 'commander';
import { clockOf } from '../context.js';
import { EXIT, UsageError } from '../errors.js';
import { addressKey, checkAddress } from '../rules/address.js';
import { note, printData, table, timeColumn, type Block } from '../render/index.js';
import { listOutboxEmails, OUTBOX_STATUSES, type OutboxListing, type OutboxRow, type OutboxStatus } from '../actions/outbox-list.js';
import { handle, type Runtime } from '../cmdutil/define.js';
import { listingLimit, listingOptions, shownFooter, sinceTime, type ListingFlags } from '../cmdutil/listing.js';
import { openExisting } from '../cmdutil/mirror.js';
import { warnIfNotAudited } from '../cmdutil/read-audit.js';
import { helpAfter } from '../cmdutil/help.js';

interface OutboxOptions extends ListingFlags {
  status?: string;
  email?: string;
}

export function configure(cmd: Command, runtime: Runtime): void {
  cmd
    .option('--status <status>', `only rows with this status (${OUTBOX_STATUSES.join(', ')})`)
    .option('--email <address>', 'only rows sent to this address or about the account with this current or former address');
  listingOptions(cmd, 'emails queued from this date (in your time zone) or ISO time on', 'the latest');
  helpAfter(cmd, ['The global --ticket <id> filters the rows to one ticket.']);
  handle(cmd, runtime, async (ctx, opts: OutboxOptions) => {
    const status = statusFrom(opts.status);
    const emailKey = opts.email === undefined ? undefined : checkedKey(opts.email);
    const since = sinceTime(ctx, opts.since);
    const limit = listingLimit(ctx, opts.limit);
    const db = openExisting(ctx);
    let listing: OutboxListing;
    try {
      listing = listOutboxEmails({ db, agent: ctx.agent, ticket: ctx.ticket, now: ctx.now() }, { status, emailKey, ticket: ctx.ticket, since, limit });
    } finally {
      db.close();
    }
    warnIfNotAudited(ctx, listing.audited);
    const { rows, total } = listing;
    if (!rows.length && !ctx.json) {
      note(ctx, 'No emails in the outbox match.');
      return EXIT.ok;
    }
    const clock = clockOf(ctx);
    await printData(ctx, rows, (): Block[] => [
      table<OutboxRow>(
        [
          { header: 'id', value: (r) => r.id, kind: 'id', priority: 3 },
          timeColumn('queued', (r) => r.created_at, clock),
          { header: 'status', value: (r) => r.status, kind: 'key', style: (r) => (r.status === 'failed' ? 'bad' : r.status === 'pending' ? 'warn' : 'good') },
          { header: 'template', value: (r) => r.template, priority: 2 },
          { header: 'to', value: (r) => r.to, kind: 'key' },
          { header: 'account', value: (r) => r.account_id, kind: 'id', priority: 1 },
          { header: 'ticket', value: (r) => r.ticket, kind: 'id', priority: 1 },
          // The template names the email: its subject is the first to go on a narrow terminal.
          { header: 'subject', value: (r) => r.subject },
        ],
        rows,
      ),
      ...shownFooter(rows.length, total, ['email', 'emails'], 'the latest'),
    ], { pager: opts.pager });
    return EXIT.ok;
  });
}

const OLD_STATUS_NAMES: Record<string, OutboxStatus> = { queued: 'pending', sent: 'delivered' };

function statusFrom(raw: string | undefined): OutboxStatus | undefined {
  if (raw === undefined) return undefined;
  // The outbox's old names still work in scripts (docs/reference.md#cx-outbox: queued reads as pending).
  const s = OLD_STATUS_NAMES[raw.trim().toLowerCase()] ?? raw.trim().toLowerCase();
  if (!(OUTBOX_STATUSES as readonly string[]).includes(s)) {
    throw new UsageError(`--status must be one of ${OUTBOX_STATUSES.join(', ')}: ${JSON.stringify(raw)}`);
  }
  return s as OutboxStatus;
}

function checkedKey(raw: string): string {
  const checked = checkAddress(raw);
  if (!checked.ok) throw new UsageError(`--email is not a usable address: ${checked.reason}`);
  return addressKey(raw);
}
