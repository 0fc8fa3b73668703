// Writes generated rows into a fresh mirror file fast: the schema comes from openMirror, the secondary
// indexes are dropped during the load and recreated from their own CREATE text afterwards, rows go in
// through multi-row prepared INSERTs inside large transactions, with no journal (the file is a temp
// file: a crash means starting again, not a half-written mirror at --out).
import type Database from 'better-sqlite3';
import { openMirror, type Db } from '../store/db.js';

export type Value = string | number | null;

const COLUMNS = {
  accounts: ['id', 'email', 'email_key', 'mailbox_key', 'base_key', 'email_rev', 'role', 'first_name', 'last_name',
    'first_key', 'last_key', 'dob', 'status', 'email_verified_at', 'created_at', 'last_active_at', 'state'],
  former_emails: ['account_id', 'email', 'email_key', 'changed_at'],
  suppressions: ['email_key', 'email', 'reason', 'created_at'],
  appointments: ['id', 'provider_id', 'client_id', 'starts_at', 'kind', 'booked_via'],
  progress_notes: ['id', 'provider_id', 'client_id', 'session_date', 'title', 'body', 'signed_at'],
} as const;

export type TableName = keyof typeof COLUMNS;
export const TABLES = Object.keys(COLUMNS) as TableName[];

/** Rows per INSERT statement: fewer calls across the JS/SQLite boundary, well under the variable limit. */
const ROWS_PER_STATEMENT = 64;
/** Rows per transaction. */
const ROWS_PER_COMMIT = 50_000;

class BatchInsert {
  private readonly many: Database.Statement;
  private readonly one: Database.Statement;
  private readonly width: number;
  private buffer: Value[] = [];
  count = 0;

  constructor(db: Db, table: TableName) {
    const columns = COLUMNS[table];
    this.width = columns.length;
    const tuple = `(${columns.map(() => '?').join(',')})`;
    const head = `INSERT INTO ${table} (${columns.join(',')}) VALUES `;
    this.one = db.prepare(head + tuple);
    this.many = db.prepare(head + Array(ROWS_PER_STATEMENT).fill(tuple).join(','));
  }

  add(row: Value[]): void {
    for (let i = 0; i < row.length; i++) this.buffer.push(row[i]!);
    this.count += 1;
    if (this.buffer.length === this.width * ROWS_PER_STATEMENT) {
      this.many.run(this.buffer);
      this.buffer = [];
    }
  }

  flush(): void {
    for (let i = 0; i < this.buffer.length; i += this.width) this.one.run(this.buffer.slice(i, i + this.width));
    this.buffer = [];
  }
}

export class MirrorSink {
  private readonly db: Db;
  private readonly inserts: Record<TableName, BatchInsert>;
  private readonly droppedIndexes: string[];
  private sinceCommit = 0;

  constructor(path: string) {
    this.db = openMirror(path, { create: true });
    const db = this.db;
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('foreign_keys = OFF'); // checked once at the end instead of row by row
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('cache_size = -1000000'); // 1 GB of page cache, so the id indexes stay in memory
    db.pragma('temp_store = MEMORY');
    db.pragma('threads = 2'); // index builds sort with a helper thread
    const indexes = db
      .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${TABLES.map(() => '?').join(',')}) ORDER BY rowid`)
      .all(...TABLES) as Array<{ name: string; sql: string }>;
    for (const { name } of indexes) db.exec(`DROP INDEX "${name}"`);
    this.droppedIndexes = indexes.map((i) => i.sql);
    this.inserts = Object.fromEntries(TABLES.map((t) => [t, new BatchInsert(db, t)])) as Record<TableName, BatchInsert>;
    db.exec('BEGIN');
  }

  add(table: TableName, row: Value[]): void {
    this.inserts[table].add(row);
    if (++this.sinceCommit >= ROWS_PER_COMMIT) {
      this.db.exec('COMMIT; BEGIN');
      this.sinceCommit = 0;
    }
  }

  counts(): Record<TableName, number> {
    return Object.fromEntries(TABLES.map((t) => [t, this.inserts[t].count])) as Record<TableName, number>;
  }

  /** Flush, rebuild the indexes exactly as the schema wrote them, check foreign keys, switch to WAL, close. */
  finish(): { foreignKeyProblems: number } {
    const db = this.db;
    for (const t of TABLES) this.inserts[t].flush();
    db.exec('COMMIT');
    for (const sql of this.droppedIndexes) db.exec(sql);
    const foreignKeyProblems = db.prepare('PRAGMA foreign_key_check').all().length;
    db.pragma('locking_mode = NORMAL');
    db.pragma('journal_mode = WAL');
    db.close();
    return { foreignKeyProblems };
  }

  abandon(): void {
    if (this.db.open) this.db.close();
  }
}
