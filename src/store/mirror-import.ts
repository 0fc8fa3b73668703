// SQL for loading the platform's exports into the mirror. Each upsert touches only the imported columns
// (never what cx wrote: deactivation and retention dates), and changes a row only when a value differs,
// so re-importing the same files changes nothing.
import { sql, type Db } from './db.js';

export interface AccountRow {
  id: string;
  email: string;
  email_key: string;
  mailbox_key: string;
  base_key: string;
  email_rev: string;
  role: string;
  first_name: string;
  last_name: string;
  first_key: string;
  last_key: string;
  dob: string | null;
  status: string;
  email_verified_at: string | null;
  created_at: string;
  last_active_at: string | null;
  state: string | null;
}

export type Table = 'accounts' | 'former_emails' | 'suppressions' | 'appointments' | 'progress_notes';

const COLUMNS: Record<Table, { key: string[]; columns: string[] }> = {
  accounts: {
    key: ['id'],
    columns: [
      'id', 'email', 'email_key', 'mailbox_key', 'base_key', 'email_rev', 'role', 'first_name', 'last_name',
      'first_key', 'last_key', 'dob', 'status', 'email_verified_at', 'created_at', 'last_active_at', 'state',
    ],
  },
  former_emails: { key: ['account_id', 'email_key'], columns: ['account_id', 'email', 'email_key', 'changed_at'] },
  suppressions: { key: ['email_key'], columns: ['email_key', 'email', 'reason', 'created_at'] },
  appointments: {
    key: ['id'],
    columns: ['id', 'provider_id', 'client_id', 'starts_at', 'kind', 'booked_via'],
  },
  progress_notes: {
    key: ['id'],
    columns: ['id', 'provider_id', 'client_id', 'session_date', 'title', 'body', 'signed_at'],
  },
};

function upsertSql(table: Table): string {
  const { key, columns } = COLUMNS[table];
  const updated = columns.filter((c) => !key.includes(c));
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})
    ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${updated.map((c) => `${c} = excluded.${c}`).join(', ')}
    WHERE ${updated.map((c) => `${table}.${c} IS NOT excluded.${c}`).join(' OR ')}`;
}

/** Insert or update one row; returns whether anything changed. */
export function upsertRow(db: Db, table: Table, row: Record<string, unknown>): boolean {
  return sql(db, upsertSql(table)).run(row).changes > 0;
}

/** The role of each of these accounts, for checking that appointments and notes join the right roles. */
export function roleOf(db: Db, id: string): string | undefined {
  return (sql(db, 'SELECT role FROM accounts WHERE id = ?').get(id) as { role: string } | undefined)?.role;
}

export function accountIdByEmailKey(db: Db, emailKey: string): string | undefined {
  return (sql(db, 'SELECT id FROM accounts WHERE email_key = ?').get(emailKey) as { id: string } | undefined)?.id;
}
