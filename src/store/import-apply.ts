// Applying staged rows to the live tables, inside the import's one short write transaction: only the
// rows on the todo lists (new or different), each table in the order the foreign keys need.
import { MIRROR_TABLES } from '../rules/mirror-columns.js';
import type { MirrorTable } from '../rules/mirror-rows.js';
import type { Db } from './db.js';
import { differs } from './import-diff.js';
import { stageTable, todoTable } from './import-stage.js';

/**
 * Below this many rows to write, the table's indexes are kept up to date row by row. Above it, and when
 * the rows are a large part of the table (a first import, a platform-wide change), the indexes are dropped
 * and built again afterwards from their own CREATE text: building an index sorts once, whereas a million
 * random inserts into six indexes with a small page cache spend most of their time reading pages.
 */
const BULK_MIN_ROWS = 20_000;
const BULK_SHARE = 1 / 8;

interface IndexDefinition {
  name: string;
  sql: string;
}

/** Write the table's todo rows; returns how many rows changed (new or updated). */
export function applyTable(db: Db, table: MirrorTable, rows: number): number {
  const bulk = rows >= BULK_MIN_ROWS && rows >= (tableSizeEstimate(db, table) + rows) * BULK_SHARE;
  const dropped = bulk ? dropIndexes(db, table) : [];
  // With the unique address index in place, an account taking the address another account is leaving
  // (two accounts swapping addresses) would collide with it midway: those accounts leave their address
  // first. Every such address was checked to be free in the import's end state.
  if (table === 'accounts' && !bulk) moveAddressesAside(db);
  const changed = upsertTodo(db, table);
  for (const index of dropped) db.exec(index.sql);
  return changed;
}

/** The rows a rowid table holds, near enough (imports never delete, so the largest rowid is close). */
function tableSizeEstimate(db: Db, table: MirrorTable): number {
  return db.prepare<unknown[], { n: number }>(`SELECT coalesce(max(rowid), 0) AS n FROM main.${table}`).get()!.n;
}

function dropIndexes(db: Db, table: MirrorTable): IndexDefinition[] {
  const indexes = db
    .prepare<unknown[], IndexDefinition>(`SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY rowid`)
    .all(table);
  for (const { name } of indexes) db.exec(`DROP INDEX main."${name.replace(/"/g, '""')}"`);
  return indexes;
}

function moveAddressesAside(db: Db): void {
  // char(1) starts no address: the placeholder cannot collide with a real one, and ids are unique.
  db.exec(
    `UPDATE main.accounts SET email_key = char(1) || id WHERE id IN (
       SELECT s.id FROM ${todoTable('accounts')} t JOIN ${stageTable('accounts')} s ON s.rowid = t.rid
       JOIN main.accounts a ON a.id = s.id WHERE a.email_key <> s.email_key)`,
  );
}

function upsertTodo(db: Db, table: MirrorTable): number {
  const { key, columns } = MIRROR_TABLES[table];
  const updated = columns.filter((c) => !key.includes(c));
  // Rows go in file order, as the row-by-row import wrote them. "WHERE true" keeps SQLite from reading
  // ON CONFLICT as the join's ON.
  return db
    .prepare(
      `INSERT INTO main.${table} (${columns.join(', ')})
       SELECT ${columns.map((c) => `s.${c}`).join(', ')} FROM ${todoTable(table)} t JOIN ${stageTable(table)} s ON s.rowid = t.rid
       WHERE true ORDER BY t.rid
       ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${updated.map((c) => `${c} = excluded.${c}`).join(', ')}
       WHERE ${differs(table, table, 'excluded')}`,
    )
    .run().changes;
}

/** Ids of the notes whose title or body the import rewrites (before it does), in id order. */
export function rewrittenNoteIds(db: Db): string[] {
  // pluck(): each row is its one column, the id.
  return db
    .prepare<unknown[], string>(
      `SELECT s.id FROM ${todoTable('progress_notes')} t JOIN ${stageTable('progress_notes')} s ON s.rowid = t.rid
       JOIN main.progress_notes n ON n.id = s.id WHERE n.title IS NOT s.title OR n.body IS NOT s.body ORDER BY s.id`,
    )
    .pluck()
    .all();
}
