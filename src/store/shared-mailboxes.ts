// The mailboxes more than one account shares (a family's +alias addresses), for `cx family --audit`. The
// audit is mirror-wide by nature: one pass over the base-mailbox index, which holds the key alone (no table
// row is read to count), then the few shared mailboxes' accounts through the same index.
import type { Account } from './accounts.js';
import { sql, type Db } from './db.js';

export const SHARED_MAILBOX_SQL = {
  accountsInSharedMailboxes: `SELECT a.* FROM (SELECT base_key FROM accounts GROUP BY base_key HAVING count(*) > 1) shared
     JOIN accounts a ON a.base_key = shared.base_key ORDER BY a.base_key, a.email_key`,
} as const;

/** Each shared mailbox (its base key) with its accounts, one mailbox at a time, in mailbox order. */
export function* sharedMailboxes(db: Db): Generator<{ mailbox: string; accounts: Account[] }> {
  let current: { mailbox: string; accounts: Account[] } | undefined;
  for (const row of sql<Account>(db, SHARED_MAILBOX_SQL.accountsInSharedMailboxes).iterate()) {
    if (current && current.mailbox !== row.base_key) {
      yield current;
      current = undefined;
    }
    current ??= { mailbox: row.base_key, accounts: [] };
    current.accounts.push(row);
  }
  if (current) yield current;
}
