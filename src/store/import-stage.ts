// Staging an import: each export file's rows go into a TEMP table of the import's own connection
// (`temp.import_<table>`; a row's rowid is its record number in the file, 1 for the first after the
// header), committed in chunks. TEMP tables live in a
// file of their own that SQLite deletes when the connection closes (or the process dies), so staging
// never takes the mirror's write lock, and an import killed at any point leaves nothing behind.
import type Database from 'better-sqlite3';
import { MIRROR_TABLES, type MirrorValue } from '../rules/mirror-columns.js';
import type { MirrorTable } from '../rules/mirror-rows.js';
import type { Db } from './db.js';

export const IMPORTED_TABLES = Object.keys(MIRROR_TABLES) as MirrorTable[];

/**
 * Page cache per database (KiB) of the import's connection, set here whatever the default becomes:
 * memory stays flat and small however large the files (a larger cache chosen for batch must not leak in).
 */
export const IMPORT_CACHE_KIB = 16_000;

/** The import's memory settings: temp tables on disk, a fixed page cache for the mirror and for them. */
export function useImportMemory(db: Db): void {
  db.pragma('temp_store = FILE');
  db.pragma(`main.cache_size = -${IMPORT_CACHE_KIB}`);
  db.pragma(`temp.cache_size = -${IMPORT_CACHE_KIB}`);
  // The staged rows are never rolled back, only dropped: their chunks need no rollback journal.
  db.pragma('temp.journal_mode = OFF');
}

export const stageTable = (table: MirrorTable): string => `temp.import_${table}`;
/** The staged rows (by rowid) that are new or differ from the mirror: what the apply writes. */
export const todoTable = (table: MirrorTable): string => `temp.import_${table}_todo`;

/** Fresh, empty staging tables for every imported table (a file that is absent stages no rows). */
export function createStage(db: Db): void {
  for (const table of IMPORTED_TABLES) {
    const { columns } = MIRROR_TABLES[table];
    db.exec(`DROP TABLE IF EXISTS ${stageTable(table)}; DROP TABLE IF EXISTS ${todoTable(table)};
      CREATE TABLE ${stageTable(table)} (${columns.join(', ')});
      CREATE TABLE ${todoTable(table)} (rid INTEGER PRIMARY KEY)`);
  }
}

export function dropStage(db: Db): void {
  if (!db.open) return;
  for (const table of IMPORTED_TABLES) db.exec(`DROP TABLE IF EXISTS ${stageTable(table)}; DROP TABLE IF EXISTS ${todoTable(table)}`);
}

/** Rows per INSERT statement: fewer calls across the JS/SQLite boundary, well under the variable limit. */
const ROWS_PER_STATEMENT = 64;
/** Rows per committed chunk of the staging table. */
const ROWS_PER_CHUNK = 20_000;

/** Appends rows to one staging table in multi-row INSERTs, committing every ROWS_PER_CHUNK rows. */
export class StageWriter {
  private readonly many: Database.Statement;
  private readonly one: Database.Statement;
  private readonly width: number;
  private buffer: MirrorValue[] = [];
  private inChunk = 0;

  constructor(
    private readonly db: Db,
    table: MirrorTable,
  ) {
    const columns = MIRROR_TABLES[table].columns;
    this.width = columns.length;
    const tuple = `(${columns.map(() => '?').join(',')})`;
    const head = `INSERT INTO ${stageTable(table)} (${columns.join(',')}) VALUES `;
    this.one = db.prepare(head + tuple);
    this.many = db.prepare(head + Array(ROWS_PER_STATEMENT).fill(tuple).join(','));
  }

  /** The next record of the file: its rowid is its record number. */
  add(values: MirrorValue[]): void {
    if (this.inChunk === 0) this.db.exec('BEGIN');
    for (let i = 0; i < values.length; i++) this.buffer.push(values[i]!);
    this.inChunk += 1;
    if (this.buffer.length === this.width * ROWS_PER_STATEMENT) {
      this.many.run(this.buffer);
      this.buffer = [];
    }
    if (this.inChunk >= ROWS_PER_CHUNK) this.commit();
  }

  /** Write what is buffered and commit the chunk. */
  finish(): void {
    if (this.inChunk === 0) return;
    this.commit();
  }

  private commit(): void {
    for (let i = 0; i < this.buffer.length; i += this.width) this.one.run(this.buffer.slice(i, i + this.width));
    this.buffer = [];
    this.db.exec('COMMIT');
    this.inChunk = 0;
  }
}

/**
 * Index the staged rows of a table by its key (an index holds the rowid: duplicates and their first
 * record come from it alone). Accounts are indexed by address too, and carry their role for references.
 */
export function indexStage(db: Db, table: MirrorTable): void {
  const key = MIRROR_TABLES[table].key.join(', ');
  const extra = table === 'accounts' ? ', role' : '';
  db.exec(`CREATE INDEX temp.import_${table}_by_key ON import_${table} (${key}${extra})`);
  if (table === 'accounts') db.exec('CREATE INDEX temp.import_accounts_by_email ON import_accounts (email_key, id)');
}

export interface Duplicate {
  record: number;
  first: number;
  /** For a repeated address: the account of the first record. */
  firstId?: string;
}

/** Every record whose key an earlier record has, in file order. */
export function duplicateKeys(db: Db, table: MirrorTable): IterableIterator<Duplicate> {
  const key = MIRROR_TABLES[table].key;
  const stage = `import_${table}`;
  return db
    .prepare<unknown[], Duplicate>(
      `SELECT s.rowid AS record, d.first FROM (SELECT ${key.join(', ')}, min(rowid) AS first FROM temp.${stage} GROUP BY ${key.join(', ')} HAVING count(*) > 1) d
       JOIN temp.${stage} s ON ${key.map((k) => `s.${k} = d.${k}`).join(' AND ')} AND s.rowid > d.first ORDER BY s.rowid`,
    )
    .iterate();
}

/** Every staged account whose address an earlier record of another account has (same ids are duplicates). */
export function duplicateAddresses(db: Db): IterableIterator<Duplicate> {
  return db
    .prepare<unknown[], Duplicate>(
      `SELECT s.rowid AS record, d.first, f.id AS firstId
       FROM (SELECT email_key, min(rowid) AS first FROM temp.import_accounts GROUP BY email_key HAVING count(*) > 1) d
       JOIN temp.import_accounts f ON f.rowid = d.first
       JOIN temp.import_accounts s ON s.email_key = d.email_key AND s.rowid > d.first AND s.id <> f.id
       ORDER BY s.rowid`,
    )
    .iterate();
}
export function stagedRows(db: Db, table: MirrorTable): number {
  return db.prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM ${stageTable(table)}`).get()!.n;
}
