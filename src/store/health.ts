// Read-only checks of the mirror file itself, for `cx db doctor`.
import type { Account } from './accounts.js';
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
  // A mirror at an older schema (the strict doctor does not upgrade it) may lack a table: not counted.
  const present = new Set(db.prepare<unknown[], { name: string }>("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')").all().map((r) => r.name));
  for (const t of COUNTED_TABLES.filter((t) => present.has(t))) {
    row_counts[t] = db.prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM ${t}`).get()!.n;
  }
  return {
    integrity,
    foreign_key_violations: fk.map((r) => ({ table: r.table, rowid: r.rowid, parent: r.parent })),
    schema_version: schemaVersion(db),
    journal_mode: String(db.pragma('journal_mode', { simple: true })),
    row_counts,
  };
}

/** The tables of the audit log: the rows, and the accounts each row keeps (migration 4). */
export const AUDIT_TABLES = ['audit_log', 'audit_accounts'] as const;

/** The audit log's tables present in this mirror (an older schema has no audit_accounts), each with its triggers. */
export function auditTriggers(db: Db): Array<{ table: string; triggers: Array<{ name: string; sql: string }> }> {
  const present = new Set(db.prepare<unknown[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => r.name));
  const triggers = db.prepare<[string], { name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? ORDER BY name");
  return AUDIT_TABLES.filter((t) => present.has(t)).map((table) => ({ table, triggers: triggers.all(table) }));
}

/**
 * When the last import (or demo seed) was applied, from its audit row: mirrors imported before the import
 * time was kept in mirror_meta have it there. Read from the end of the log, where the daily import is.
 */
export function lastImportInAudit(db: Db): string | null {
  const row = db
    .prepare<unknown[], { at: string }>("SELECT at FROM audit_log WHERE action IN ('db.import', 'db.seed') AND outcome IN ('done', 'already_done') ORDER BY id DESC LIMIT 1")
    .get();
  return row?.at ?? null;
}

/** An account row with its folded names, the keys of the name index. */
export type SampleAccount = Account & { first_key: string; last_key: string };

/** A sample for the lookup paths: the first account by id, and a former address no account uses now. */
export function lookupSample(db: Db): { account: SampleAccount | undefined; former: { account_id: string; email: string } | undefined } {
  return {
    account: db.prepare<unknown[], SampleAccount>('SELECT * FROM accounts ORDER BY id LIMIT 1').get(),
    former: db
      .prepare<unknown[], { account_id: string; email: string }>('SELECT account_id, email FROM former_emails f WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.email_key = f.email_key) LIMIT 1')
      .get(),
  };
}
