// Staging an import: each export file's rows go into a table of the import's own scratch database
// (`stage.import_<table>`; a row's rowid is its record number in the file, 1 for the first after the header),
// committed in chunks. The scratch database is a file beside the mirror, ATTACHed to the import's connection
// and encrypted with a random key that lives only in this process (SQLite's own temporary files are not
// encrypted: src/store/db.ts keeps them in memory, so the staged rows may not go there). Staging never takes
// the mirror's write lock; the file is removed when the import ends, and one a killed import left behind
// (unreadable: its key died with it) by the next import into the same mirror.
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import { MIRROR_TABLES, type MirrorValue } from '../rules/mirror-columns.js';
import type { MirrorTable } from '../rules/mirror-rows.js';
import { removeOrphans } from '../files/stale-temps.js';
import { KEY_BYTES, keyedUri, keyHidden } from './cipher.js';
import type { Db } from './db.js';

export const IMPORTED_TABLES = Object.keys(MIRROR_TABLES) as MirrorTable[];

/** The scratch database's schema name on the import's connection. */
export const STAGE = 'stage';

/**
 * Page cache (KiB) of the mirror and of the scratch database on the import's connection, set here whatever
 * the default becomes (a larger cache chosen for batch must not grow the import). 16 MB, as before
 * encryption: a larger cache buys an encrypted import little, because its cost is whole-table scans (each
 * index rebuilt after a bulk load reads, so decrypts, the whole table again: ~1 s per index per million
 * accounts here), which no cache smaller than the table avoids; and the index builds' sorts are in memory
 * now (SQLite's temporary files would be in clear), ~100 MB for a million keys, so the caches are what the
 * import's 250 MB aim has left.
 */
export const IMPORT_CACHE_KIB = 16_000;

/** The scratch file of an import into the mirror at `file` (`:memory:` for a dry run's throwaway mirror). */
function stagePath(db: Db): string {
  const mirror = db.memory ? join(tmpdir(), 'cx-dry-run') : db.name;
  return join(db.memory ? tmpdir() : dirname(mirror), `.cx-tmp-${basename(mirror)}.${process.pid}.stage`);
}

const stages = new WeakMap<Db, string>();

/**
 * Attach the import's scratch database (a new file, 0600, encrypted with a throwaway key) and set the import's
 * page caches. Outside any transaction (SQLite attaches only there).
 */
export function attachStage(db: Db): void {
  const path = stagePath(db);
  removeOrphans(dirname(path), basename(path).replace(/\.\d+\.stage$/, ''), 'stage');
  closeSync(openSync(path, 'wx', 0o600));
  stages.set(db, path);
  const key = randomBytes(KEY_BYTES);
  keyHidden(key, () => db.prepare(`ATTACH ? AS ${STAGE}`).run(keyedUri(path, key)));
  // The staged rows are dropped, never recovered: their rollback journal stays in memory (SQLite3 Multiple
  // Ciphers refuses OFF on an encrypted database), and nothing is synced.
  db.pragma(`${STAGE}.journal_mode = MEMORY`);
  db.pragma(`${STAGE}.synchronous = OFF`);
  db.pragma(`main.cache_size = -${IMPORT_CACHE_KIB}`);
  db.pragma(`${STAGE}.cache_size = -${IMPORT_CACHE_KIB}`);
}

/** Detach the scratch database and remove its file. */
export function detachStage(db: Db): void {
  const path = stages.get(db);
  if (!path) return;
  stages.delete(db);
  if (db.open) db.exec(`DETACH ${STAGE}`);
  try {
    unlinkSync(path);
  } catch {
    // never made
  }
}

export const stageTable = (table: MirrorTable): string => `${STAGE}.import_${table}`;
/** The staged rows (by rowid) that are new or differ from the mirror: what the apply writes. */
export const todoTable = (table: MirrorTable): string => `${STAGE}.import_${table}_todo`;

/** Fresh, empty staging tables for every imported table (a file that is absent stages no rows). */
export function createStage(db: Db): void {
  for (const table of IMPORTED_TABLES) {
    const { columns } = MIRROR_TABLES[table];
    db.exec(`DROP TABLE IF EXISTS ${stageTable(table)}; DROP TABLE IF EXISTS ${todoTable(table)};
      CREATE TABLE ${stageTable(table)} (${columns.join(', ')});
      CREATE TABLE ${todoTable(table)} (rid INTEGER PRIMARY KEY)`);
  }
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
  db.exec(`CREATE INDEX ${STAGE}.import_${table}_by_key ON import_${table} (${key}${extra})`);
  if (table === 'accounts') db.exec(`CREATE INDEX ${STAGE}.import_accounts_by_email ON import_accounts (email_key, id)`);
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
  const stage = stageTable(table);
  return db
    .prepare<unknown[], Duplicate>(
      `SELECT s.rowid AS record, d.first FROM (SELECT ${key.join(', ')}, min(rowid) AS first FROM ${stage} GROUP BY ${key.join(', ')} HAVING count(*) > 1) d
       JOIN ${stage} s ON ${key.map((k) => `s.${k} = d.${k}`).join(' AND ')} AND s.rowid > d.first ORDER BY s.rowid`,
    )
    .iterate();
}

/** Every staged account whose address an earlier record of another account has (same ids are duplicates). */
export function duplicateAddresses(db: Db): IterableIterator<Duplicate> {
  return db
    .prepare<unknown[], Duplicate>(
      `SELECT s.rowid AS record, d.first, f.id AS firstId
       FROM (SELECT email_key, min(rowid) AS first FROM ${stageTable('accounts')} GROUP BY email_key HAVING count(*) > 1) d
       JOIN ${stageTable('accounts')} f ON f.rowid = d.first
       JOIN ${stageTable('accounts')} s ON s.email_key = d.email_key AND s.rowid > d.first AND s.id <> f.id
       ORDER BY s.rowid`,
    )
    .iterate();
}
export function stagedRows(db: Db, table: MirrorTable): number {
  return db.prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM ${stageTable(table)}`).get()!.n;
}
