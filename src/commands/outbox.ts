// `cx outbox`: the emails actions have queued, oldest first; filter by status, address or ticket.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { addressKey, checkAddress } from '../rules/email.js';
import { printData, table } from '../render.js';
import { accountIdsForAddress } from '../store/accounts.js';
import { listOutbox, OUTBOX_STATUSES, type OutboxRow, type OutboxStatus } from '../store/outbox.js';
import { handle, type Runtime } from './define.js';
import { openForRead } from './mirror.js';
import { auditRead } from './read-audit.js';

interface OutboxOptions {
  status?: string;
  email?: string;
}

export function configure(cmd: Command, runtime: Runtime): void {
  cmd
    .option('--status <status>', `only rows with this status (${OUTBOX_STATUSES.join(', ')})`)
    .option('--email <address>', 'only rows sent to this address or about the account with this current or former address')
    .addHelpText('after', '\nThe global --ticket <id> filters the rows to one ticket.');
  handle(cmd, runtime, async (ctx, opts: OutboxOptions) => {
    const status = statusFrom(opts.status);
    const emailKey = opts.email === undefined ? undefined : checkedKey(opts.email);
    const db = openForRead(ctx);
    let rows: OutboxRow[];
    try {
      const accountIds = emailKey === undefined ? undefined : accountIdsForAddress(db, emailKey);
      rows = listOutbox(db, { status, emailKey, accountIds, ticket: ctx.ticket });
      // The rows name clients and their addresses: every listing is a read of PHI.
      const ids = rows.flatMap((r) => (r.account_id === null ? [] : [r.account_id]));
      auditRead(ctx, db, { action: 'outbox', how: emailKey === undefined ? 'the outbox' : 'the emails of an address', accountIds: ids });
    } finally {
      db.close();
    }
    printData(ctx, rows, () =>
      rows.length
        ? table(
            [
              { header: 'id', value: (r: OutboxRow) => r.id },
              { header: 'created_at', value: (r) => r.created_at },
              { header: 'status', value: (r) => r.status },
              { header: 'template', value: (r) => r.template },
              { header: 'to', value: (r) => r.to },
              { header: 'account', value: (r) => r.account_id },
              { header: 'ticket', value: (r) => r.ticket },
              { header: 'subject', value: (r) => r.subject },
            ],
            rows,
          )
        : 'No emails in the outbox match.',
    );
    return 0;
  });
}

const OLD_STATUS_NAMES: Record<string, OutboxStatus> = { queued: 'pending', sent: 'delivered' };

function statusFrom(raw: string | undefined): OutboxStatus | undefined {
  if (raw === undefined) return undefined;
  // The outbox's old names still work in scripts (CONTRACTS.md: today's queued reads as pending).
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
