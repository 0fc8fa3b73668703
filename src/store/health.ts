// Read-only checks of the mirror file itself, for `cx db doctor`.
import { schemaVersion, type Db } from './db.js';

export const COUNTED_TABLES = [
  'accounts', 'former_emails', 'suppressions', 'appointments', 'progress_notes',
  'changes', 'processed_tickets', 'audit_log',
] as const;

export interface Health {
  integrity: string[];
  foreign_key_violations: Array<{ table: string; rowid: number; parent: string }>;
  schema_version: number;
  journal_mode: string;
  row_counts: Record<string, number>;
}

export function readHealth(db: Db): Health {
  const integrity = (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check);
  const fk = db.pragma('foreign_key_check') as Array<{ table: string; rowid: number; parent: string }>;
  const row_counts: Record<string, number> = {};
  for (const t of COUNTED_TABLES) {
    row_counts[t] = (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
  }
  return {
    integrity,
    foreign_key_violations: fk.map((r) => ({ table: r.table, rowid: r.rowid, parent: r.parent })),
    schema_version: schemaVersion(db),
    journal_mode: String(db.pragma('journal_mode', { simple: true })),
    row_counts,
  };
}
