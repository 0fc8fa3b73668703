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

/** The steps of a lookup, in order of trust; each is one indexed query. */
export function accountsByEmailKey(db: Db, emailKey: string): Account[] {
  return sql(db, 'SELECT * FROM accounts WHERE email_key = ?').all(emailKey) as Account[];
}

export function accountsByFormerEmailKey(db: Db, emailKey: string): Account[] {
  return sql(
    db,
    `SELECT a.* FROM former_emails f JOIN accounts a ON a.id = f.account_id
     WHERE f.email_key = ? ORDER BY f.changed_at DESC`,
  ).all(emailKey) as Account[];
}

export function accountsByMailboxKey(db: Db, mailboxKey: string): Account[] {
  return sql(db, 'SELECT * FROM accounts WHERE mailbox_key = ? ORDER BY email_key').all(mailboxKey) as Account[];
}

/** Every account whose address delivers to this base mailbox (the parent and its +alias family). */
export function accountsByBaseKey(db: Db, baseKey: string): Account[] {
  return sql(db, 'SELECT * FROM accounts WHERE base_key = ? ORDER BY email_key').all(baseKey) as Account[];
}

export interface Suppression {
  email_key: string;
  email: string;
  reason: 'unsubscribe' | 'bounce' | 'complaint';
  created_at: string;
}

export function suppressionFor(db: Db, emailKey: string): Suppression | undefined {
  return sql(db, 'SELECT * FROM suppressions WHERE email_key = ?').get(emailKey) as Suppression | undefined;
}
