// The audit log's anchor (docs/platform-api.md): the last row the platform holds, by id and hash.
// Rows up to it can no longer be cut off or rewritten unnoticed (`cx audit --verify` checks the chain still
// reaches it unchanged); rows after it are "not yet anchored" until the next `cx sync push`.
// Saving the anchor writes no audit row of its own: that row would never be anchored itself.
import type { AuditRow } from '../rules/audit-chain.js';
import { sql, writeTransaction, type Db } from './db.js';

export interface Anchor {
  anchored_id: number;
  anchored_hash: string;
  anchored_at: string;
}

export function readAnchor(db: Db): Anchor | undefined {
  return sql<Anchor>(db, 'SELECT anchored_id, anchored_hash, anchored_at FROM audit_anchor WHERE id = 1').get();
}

/** Keep the platform's anchor; it only ever moves forward. */
export function saveAnchor(db: Db, anchoredId: number, anchoredHash: string, now: Date): void {
  writeTransaction(db, () => {
    sql(
      db,
      `INSERT INTO audit_anchor (id, anchored_id, anchored_hash, anchored_at) VALUES (1, @id, @hash, @at)
       ON CONFLICT (id) DO UPDATE SET anchored_id = excluded.anchored_id, anchored_hash = excluded.anchored_hash, anchored_at = excluded.anchored_at
       WHERE excluded.anchored_id >= audit_anchor.anchored_id`,
    ).run({ id: anchoredId, hash: anchoredHash, at: now.toISOString() });
  });
}

/** Audit rows after `afterId`, as `cx audit --json` prints them (every column, in order). */
export function auditRowsAfter(db: Db, afterId: number, limit: number): AuditRow[] {
  return sql<AuditRow>(db, 'SELECT * FROM audit_log WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit);
}

export function auditRow(db: Db, id: number): AuditRow | undefined {
  return sql<AuditRow>(db, 'SELECT * FROM audit_log WHERE id = ?').get(id);
}

/** The last row at or below `id` (the log's end, when rows from there on were cut off), or null. */
export function lastAuditIdUpTo(db: Db, id: number): number | null {
  return sql<{ id: number | null }>(db, 'SELECT max(id) AS id FROM audit_log WHERE id <= ?').get(id)!.id;
}

export function countAuditAfter(db: Db, afterId: number): number {
  return sql<{ n: number }>(db, 'SELECT count(*) AS n FROM audit_log WHERE id > ?').get(afterId)!.n;
}

export function mirrorId(db: Db): string {
  const row = sql<{ value: string }>(db, `SELECT value FROM mirror_meta WHERE key = 'mirror_id'`).get();
  if (!row) throw new Error('the mirror has no mirror_id (migration 2 makes one)');
  return row.value;
}
