// Account reads shared by every command. Each statement is a named constant so that
// test/store/query-plans.test.ts can check with EXPLAIN QUERY PLAN that none scans a table.
import { sql, type Db } from './db.js';

export interface Account {
  id: string;
  email: string;
  email_key: string;
  mailbox_key: string;
  base_key: string;
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

export interface Suppression {
  email_key: string;
  email: string;
  reason: 'unsubscribe' | 'bounce' | 'complaint';
  created_at: string;
}

/** The most accounts a name search returns; a common name in a big mirror needs --dob. */
export const NAME_MATCH_LIMIT = 20;

export const ACCOUNT_SQL = {
  byId: 'SELECT * FROM accounts WHERE id = ?',
  idsForAddress: `SELECT id FROM accounts WHERE email_key = @key
     UNION SELECT account_id FROM former_emails WHERE email_key = @key`,
  byEmailKey: 'SELECT * FROM accounts WHERE email_key = ?',
  byFormerEmailKey: `SELECT a.* FROM former_emails f JOIN accounts a ON a.id = f.account_id
     WHERE f.email_key = ? ORDER BY f.changed_at DESC`,
  byMailboxKey: 'SELECT * FROM accounts WHERE mailbox_key = ? ORDER BY email_key',
  byBaseKey: 'SELECT * FROM accounts WHERE base_key = ? ORDER BY email_key',
  // No ORDER BY: rows come in index order, so the LIMIT stops the read early even for "James Smith".
  byName: `SELECT * FROM accounts WHERE last_key = @last AND first_key = @first
     AND (@dob IS NULL OR dob = @dob) LIMIT ${NAME_MATCH_LIMIT + 1}`,
  mailboxInUse: `SELECT EXISTS (SELECT 1 FROM accounts WHERE mailbox_key = @mailbox)
     OR EXISTS (SELECT 1 FROM former_emails WHERE email_key = @key) AS used`,
  suppression: 'SELECT * FROM suppressions WHERE email_key = ?',
} as const;

export function accountById(db: Db, id: string): Account | undefined {
  return sql<Account>(db, ACCOUNT_SQL.byId).get(id);
}

/** Accounts whose current or a former address is exactly this key. */
export function accountIdsForAddress(db: Db, emailKey: string): string[] {
  const rows = sql<{ id: string }>(db, ACCOUNT_SQL.idsForAddress).all({ key: emailKey });
  return rows.map((r) => r.id);
}

/** The steps of a lookup, in order of trust; each is one indexed query. */
export function accountsByEmailKey(db: Db, emailKey: string): Account[] {
  return sql<Account>(db, ACCOUNT_SQL.byEmailKey).all(emailKey);
}

export function accountsByFormerEmailKey(db: Db, emailKey: string): Account[] {
  return sql<Account>(db, ACCOUNT_SQL.byFormerEmailKey).all(emailKey);
}

export function accountsByMailboxKey(db: Db, mailboxKey: string): Account[] {
  return sql<Account>(db, ACCOUNT_SQL.byMailboxKey).all(mailboxKey);
}

/** Every account whose address delivers to this base mailbox (the parent and its +alias family). */
export function accountsByBaseKey(db: Db, baseKey: string): Account[] {
  return sql<Account>(db, ACCOUNT_SQL.byBaseKey).all(baseKey);
}

/**
 * Accounts with exactly these folded first and last names (see rules/names.ts nameKey), optionally
 * born on `dob`. At most NAME_MATCH_LIMIT + 1 rows, so the caller can tell that there were more.
 */
export function accountsByName(db: Db, firstKey: string, lastKey: string, dob: string | null): Account[] {
  return sql<Account>(db, ACCOUNT_SQL.byName).all({ first: firstKey, last: lastKey, dob });
}

/** Whether an address (by its mailbox) belongs to an account now, or was someone's former address. */
export function mailboxInUse(db: Db, mailboxKey: string, emailKey: string): boolean {
  const row = sql<{ used: number }>(db, ACCOUNT_SQL.mailboxInUse).get({ mailbox: mailboxKey, key: emailKey })!;
  return row.used === 1;
}

export function suppressionFor(db: Db, emailKey: string): Suppression | undefined {
  return sql<Suppression>(db, ACCOUNT_SQL.suppression).get(emailKey);
}
