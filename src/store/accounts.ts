// Account reads shared by every command.
import { sql, type Db } from './db.js';

export interface Account {
  id: string;
  email: string;
  email_key: string;
  role: 'client' | 'provider';
  first_name: string;
  last_name: string;
  dob: string | null;
  status: 'active' | 'deactivated' | 'terminated';
  email_verified_at: string | null;
  created_at: string;
  last_active_at: string | null;
  state: string | null;
  deactivated_at: string | null;
  retain_until: string | null;
  retention_rule: string | null;
  contract_ends_at: string | null;
}

export function accountById(db: Db, id: string): Account | undefined {
  return sql(db, 'SELECT * FROM accounts WHERE id = ?').get(id) as Account | undefined;
}

/** Accounts whose current or a former address is exactly this key. */
export function accountIdsForAddress(db: Db, emailKey: string): string[] {
  const rows = sql(
    db,
    `SELECT id FROM accounts WHERE email_key = @key
     UNION SELECT account_id FROM former_emails WHERE email_key = @key`,
  ).all({ key: emailKey }) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}
