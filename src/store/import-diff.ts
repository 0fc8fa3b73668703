// Comparing the staged rows with the mirror, outside the write lock: which rows are new or differ (the
// only ones the apply writes), and whether those rows point at accounts that exist with the right role,
// and take no address another account keeps. All set-based SQL over the staging tables (import-stage.ts).
import { MIRROR_TABLES } from '../rules/mirror-columns.js';
import type { MirrorTable } from '../rules/mirror-rows.js';
import { pragmaNumber, type Db } from './db.js';
import { IMPORTED_TABLES, stageTable, todoTable } from './import-stage.js';

/** SQL: the mirror's row `a` differs from the staged row `s` in an imported column. */
export function differs(table: MirrorTable, a: string, s: string): string {
  const { key, columns } = MIRROR_TABLES[table];
  return columns
    .filter((c) => !key.includes(c))
    .map((c) => `${a}.${c} IS NOT ${s}.${c}`)
    .join(' OR ');
}

/** Fill the table's todo list with the staged rows that are new or differ from the mirror; returns how many. */
export function markChangedRows(db: Db, table: MirrorTable): number {
  const { key } = MIRROR_TABLES[table];
  db.exec(`DELETE FROM ${todoTable(table)}`);
  return db
    .prepare(
      `INSERT INTO ${todoTable(table)} (rid) SELECT s.rowid FROM ${stageTable(table)} s
       LEFT JOIN main.${table} a ON ${key.map((k) => `a.${k} = s.${k}`).join(' AND ')}
       WHERE a.${key[0]} IS NULL OR ${differs(table, 'a', 's')}`,
    )
    .run().changes;
}

/** Mark every staged row of the table to be written (the apply's upsert still skips equal rows). */
export function markAllRows(db: Db, table: MirrorTable): void {
  db.exec(`INSERT OR IGNORE INTO ${todoTable(table)} (rid) SELECT rowid FROM ${stageTable(table)}`);
}

export function todoCount(db: Db, table: MirrorTable): number {
  return db.prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM ${todoTable(table)}`).get()!.n;
}

/** Whether the import changes any account's role: then every staged appointment and note is re-checked. */
export function changesARole(db: Db): boolean {
  return (
    db.prepare(
      `SELECT 1 FROM ${todoTable('accounts')} t JOIN ${stageTable('accounts')} s ON s.rowid = t.rid
       JOIN main.accounts a ON a.id = s.id WHERE a.role <> s.role LIMIT 1`,
    ).get() !== undefined
  );
}

export interface BadReference {
  /** The staged row's record number in its file. */
  record: number;
  column: 'account_id' | 'provider_id' | 'client_id';
  id: string;
  /** The role the account has after the import; null when there is no such account. */
  role: string | null;
}

/** The role an account has once the import is applied: the staged row's, else the mirror's. */
const roleAfter = (id: string): string =>
  `coalesce((SELECT role FROM ${stageTable('accounts')} WHERE id = ${id}), (SELECT role FROM main.accounts WHERE id = ${id}))`;

/**
 * Staged rows that point at no account, or at an account of the wrong role, in file order. Only rows
 * being written are checked (a row equal to the mirror's was checked when it came in), unless `all`.
 */
export function badReferences(db: Db, table: MirrorTable, all: boolean): IterableIterator<BadReference> {
  const rows = all ? `${stageTable(table)} s` : `${todoTable(table)} t JOIN ${stageTable(table)} s ON s.rowid = t.rid`;
  if (table === 'former_emails') {
    return db
      .prepare<unknown[], BadReference>(
        `SELECT s.rowid AS record, 'account_id' AS "column", s.account_id AS id, NULL AS role FROM ${rows}
         WHERE ${roleAfter('s.account_id')} IS NULL ORDER BY s.rowid`,
      )
      .iterate();
  }
  if (table !== 'appointments' && table !== 'progress_notes') throw new Error(`${table} refers to no account`);
  // A row with two bad references reports the provider's, as the row-by-row import did.
  return db
    .prepare<unknown[], BadReference>(
      `SELECT record, CASE WHEN provider_role IS NOT 'provider' THEN 'provider_id' ELSE 'client_id' END AS "column",
         CASE WHEN provider_role IS NOT 'provider' THEN provider_id ELSE client_id END AS id,
         CASE WHEN provider_role IS NOT 'provider' THEN provider_role ELSE client_role END AS role
       FROM (SELECT s.rowid AS record, s.provider_id, s.client_id, ${roleAfter('s.provider_id')} AS provider_role,
               ${roleAfter('s.client_id')} AS client_role FROM ${rows})
       WHERE provider_role IS NOT 'provider' OR client_role IS NOT 'client' ORDER BY record`,
    )
    .iterate();
}

export interface TakenAddress {
  record: number;
  /** The account that keeps the address (it is not in the import, or the import leaves its address alone). */
  holder: string;
}

/**
 * Staged accounts whose new address belongs to an account the import does not move off it. Two accounts
 * swapping addresses pass: each holder is staged with another address. Checked as of the import's end
 * state, so the order of the rows does not matter.
 */
export function takenAddresses(db: Db): IterableIterator<TakenAddress> {
  return db
    .prepare<unknown[], TakenAddress>(
      `SELECT s.rowid AS record, a.id AS holder FROM ${todoTable('accounts')} t JOIN ${stageTable('accounts')} s ON s.rowid = t.rid
       JOIN main.accounts a ON a.email_key = s.email_key AND a.id <> s.id
       WHERE NOT EXISTS (SELECT 1 FROM ${stageTable('accounts')} h WHERE h.id = a.id) ORDER BY s.rowid`,
    )
    .iterate();
}

/** What the apply needs to know about the moment the comparison was made. */
export interface Snapshot {
  /** PRAGMA data_version: changes when another connection commits. */
  dataVersion: number;
  /** The last audit row then: every change after it has a later row. */
  lastAuditId: number;
}

/**
 * Run `work` in one read transaction of the mirror (no lock that stops a writer; its temp-table writes
 * are its own) and return the snapshot it saw. data_version is read first: a commit landing before the
 * snapshot's first read then shows as a change at the apply, never the other way round.
 */
export function underSnapshot(db: Db, work: () => void): Snapshot {
  db.exec('BEGIN');
  try {
    const snapshot: Snapshot = {
      dataVersion: pragmaNumber(db, 'data_version'),
      lastAuditId: db.prepare<unknown[], { id: number }>('SELECT coalesce(max(id), 0) AS id FROM main.audit_log').get()!.id,
    };
    work();
    db.exec('COMMIT');
    return snapshot;
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}

export type Drift = 'none' | 'changes' | 'import';

/**
 * What other connections committed since the snapshot: nothing; changes by cx commands (which write only
 * accounts and suppressions among the imported tables, each with an audit row naming the account); or
 * another import, after which every comparison must be made again.
 */
export function driftSince(db: Db, snapshot: Snapshot): Drift {
  if (pragmaNumber(db, 'data_version') === snapshot.dataVersion) return 'none';
  const imported = db
    .prepare(`SELECT 1 FROM main.audit_log WHERE id > ? AND action IN ('db.import', 'db.seed') LIMIT 1`)
    .get(snapshot.lastAuditId);
  return imported ? 'import' : 'changes';
}

/**
 * After changes by other commands: mark again the staged accounts that audit rows since the snapshot name,
 * and every staged suppression (a small table), so the apply compares them with what the mirror holds now.
 */
export function markChangedSince(db: Db, snapshot: Snapshot): void {
  db.prepare(
    `INSERT OR IGNORE INTO ${todoTable('accounts')} (rid) SELECT s.rowid FROM ${stageTable('accounts')} s
     WHERE s.id IN (SELECT account_id FROM main.audit_log WHERE id > ? AND account_id IS NOT NULL)`,
  ).run(snapshot.lastAuditId);
  markAllRows(db, 'suppressions');
}

export function clearTodo(db: Db): void {
  for (const table of IMPORTED_TABLES) db.exec(`DELETE FROM ${todoTable(table)}`);
}
