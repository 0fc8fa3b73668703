// Every read of PHI is audited (HIPAA audit controls cover access, not only changes; issue 10 §3): the
// agent, the ticket when given, and the account ids shown; never a date of birth, a name typed, or note
// content. The row is committed before anything is shown, waiting for the write lock like any change
// (exit 7 if another writer holds it too long). A mirror that cannot be written (a read-only copy) is still
// read, with a warning that the read was not audited.
import type { Context } from '../context.js';
import { warn } from '../render/index.js';
import { appendAudit } from '../store/audit.js';
import { writeTransaction, type Db } from '../store/db.js';

/** Ids listed in one audit row at most; a longer listing says how many more and how it was asked for. */
const MAX_IDS = 10_000;

export interface PhiRead {
  /** The command, as its audit rows name it: lookup, family, retention, outbox, offboard.report. */
  action: string;
  /** How the accounts were asked for, without PHI: "by address", "by name", "--due as of 2033-01-01". */
  how: string;
  /** The accounts whose data was shown, in the order shown. */
  accountIds: readonly string[];
}

export function auditRead(ctx: Pick<Context, 'agent' | 'ticket' | 'io' | 'json' | 'now'>, db: Db, read: PhiRead): void {
  const ids = [...new Set(read.accountIds)];
  const listed = ids.slice(0, MAX_IDS);
  const more = ids.length > listed.length ? ` and ${ids.length - listed.length} more` : '';
  const shown = ids.length === 0 ? 'showed no account' : `showed ${ids.length} account${ids.length === 1 ? '' : 's'}: ${listed.join(', ')}${more}`;
  try {
    writeTransaction(db, () =>
      appendAudit(
        db,
        {
          agent: ctx.agent,
          action: read.action,
          ticket: ctx.ticket ?? null,
          account_id: ids.length === 1 ? ids[0]! : null,
          outcome: 'read',
          detail: `${read.how}: ${shown}`,
        },
        ctx.now(),
      ),
    );
  } catch (err) {
    if (!isReadOnly(err)) throw err;
    warn(ctx, 'the mirror is read-only here, so this read of patient data was NOT recorded in the audit log');
  }
}

function isReadOnly(err: unknown): boolean {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  return code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY_');
}
