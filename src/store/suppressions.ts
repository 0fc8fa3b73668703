// Changes to the suppression list (reads are in accounts.ts: suppressionFor). A row suppresses every
// email to its address; cx only ever takes one off, after a ticket and with an audit row.
import type { Suppression } from './accounts.js';
import { sql, type Db } from './db.js';

/** Take the address off the list; returns the row removed (undefined when there was none). */
export function removeSuppression(db: Db, emailKey: string): Suppression | undefined {
  return sql<Suppression>(db, 'DELETE FROM suppressions WHERE email_key = ? RETURNING *').get(emailKey);
}
