// The mirror's own facts (table mirror_meta, one value per key): its id, made with the mirror, and the
// time of the last import, which `cx db doctor --strict --max-age` checks.
import { sql, type Db } from './db.js';

const LAST_IMPORT_AT = 'last_import_at';

/** Record when an import (or the demo seed) was applied; call inside its write transaction. */
export function recordImportTime(db: Db, now: Date): void {
  sql(db, 'INSERT INTO mirror_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
    LAST_IMPORT_AT,
    now.toISOString(),
  );
}

/** The ISO UTC time of the last import applied to this mirror, or null when there has been none. */
export function lastImportAt(db: Db): string | null {
  const row = sql<{ value: string }>(db, 'SELECT value FROM mirror_meta WHERE key = ?').get(LAST_IMPORT_AT);
  return row?.value ?? null;
}
