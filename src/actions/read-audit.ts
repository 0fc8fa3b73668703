// Every read of PHI is audited (HIPAA audit controls cover access, not only changes; issue 10 §3): the
// agent, the ticket when given, and the account ids shown; never a date of birth, a name typed, or note
// content. The row is committed before anything is shown, waiting for the write lock like any change
// (exit 7 if another writer holds it too long). A mirror that cannot be written (a read-only copy) is still
// read: the answer says the read was not audited, and the command warns (src/cmdutil/read-audit.ts).
import { appendAudit } from '../store/audit.js';
import { writeTransaction, type Db } from '../store/db.js';
import { plural, thousands } from '../rules/plural.js';

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
  const listed = ids.slice(0, MAX_IDS);
  const more = ids.length > listed.length ? ` and ${thousands(ids.length - listed.length)} more` : '';
  const shown = ids.length === 0 ? 'showed no account' : `showed ${plural(ids.length, 'account')}: ${listed.join(', ')}${more}`;
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
