// The mirror's own facts (table mirror_meta, one value per key).
import { sql, type Db } from './db.js';

const LAST_IMPORT_AT = 'last_import_at';

/** The ISO UTC time of the last import applied to this mirror, or null when there has been none. */
export function lastImportAt(db: Db): string | null {
  const row = sql(db, 'SELECT value FROM mirror_meta WHERE key = ?').get(LAST_IMPORT_AT) as { value: string } | undefined;
  return row?.value ?? null;
}
