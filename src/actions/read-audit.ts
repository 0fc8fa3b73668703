// Every read of PHI is audited (HIPAA audit controls cover access, not only changes; issue 10 §3): the
// agent, the ticket when given, and the account ids shown; never a date of birth, a name typed, or note
// content. A read that showed several accounts keeps every one of their ids with its row, however many
// (audit_accounts, src/rules/audit-accounts.ts: the detail lists the first 10,000), so `cx audit --email`
// finds it for each. The row is committed before anything is shown, waiting for the write lock like any
// change (exit 7 if another writer holds it too long). A mirror that cannot be written (a read-only copy) is
// still read: the answer says the read was not audited, and the command warns (src/cmdutil/read-audit.ts).
import { idList } from '../rules/audit-accounts.js';
import { plural } from '../rules/plural.js';
import { appendAudit } from '../store/audit.js';
import { writeTransaction, type Db } from '../store/db.js';

export interface PhiRead {
  /** The command, as its audit rows name it: lookup, family, retention, outbox, audit.read, offboard.report. */
  action: string;
  /** How the accounts were asked for, without PHI: "by address", "by name", "--due as of 2033-01-01". */
  how: string;
  /** The accounts whose data was shown, in the order shown. */
  accountIds: readonly string[];
}

/** Who reads, under which ticket, when: the read's audit row names them. */
export interface ReadAuditDeps {
  db: Db;
  agent: string;
  ticket: string | undefined;
  now: Date;
}

/** Whether the read is in the audit log: 'not_audited' when the mirror is read-only here. */
export type ReadAudited = 'audited' | 'not_audited';

export function auditRead(deps: ReadAuditDeps, read: PhiRead): ReadAudited {
  const ids = [...new Set(read.accountIds)];
  const shown = ids.length === 0 ? 'showed no account' : `showed ${plural(ids.length, 'account')}: ${idList(ids)}`;
  const { db } = deps;
  try {
    writeTransaction(db, () =>
      appendAudit(
        db,
        {
          agent: deps.agent,
          action: read.action,
          ticket: deps.ticket ?? null,
          account_id: ids.length === 1 ? ids[0]! : null,
          outcome: 'read',
          detail: `${read.how}: ${shown}`,
          accounts: ids.length > 1 ? ids : undefined,
        },
        deps.now,
      ),
    );
  } catch (err) {
    if (!isReadOnly(err)) throw err;
    return 'not_audited';
  }
  return 'audited';
}

function isReadOnly(err: unknown): boolean {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  return code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY_');
}
