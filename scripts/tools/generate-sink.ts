// Writes generated rows into a fresh mirror file fast: the schema comes from openMirror, the secondary
// indexes are dropped during the load and recreated from their own CREATE text afterwards, rows go in
// through multi-row prepared INSERTs inside large transactions, with no journal (the file is a temp
// file: a crash means starting again, not a half-written mirror at --out). Appointments are loaded by a
// worker thread into a side file in parallel and copied in at the end (see generate-worker.ts).
import { rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { PLAINTEXT_ONLY } from '../../src/store/cipher.js';
import { openMirror, type Db } from '../../src/store/db.js';
import { FAILED, FIELD_SEPARATOR, IN_FLIGHT, MAX_BATCHES_IN_FLIGHT, type WorkerReply, type WorkerRequest } from './generate-protocol.js';

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
export { COLUMNS as MIRROR_COLUMNS };

/** Where the world's rows go: a mirror file (MirrorSink) or the platform's CSV exports (CsvSink). */
export interface RowSink {
  add(table: TableName, row: Value[]): void;
}
export const TABLES = Object.keys(COLUMNS) as TableName[];
type MainTable = Exclude<TableName, 'appointments'>;
const MAIN_TABLES = TABLES.filter((t): t is MainTable => t !== 'appointments');
/** Appointment rows per message to the worker. */
const ROWS_PER_MESSAGE = 4096;

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

  constructor(db: Db, table: MainTable) {
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

export class MirrorSink implements RowSink {
  private readonly db: Db;
  private readonly inserts: Record<MainTable, BatchInsert>;
  private readonly droppedIndexes: string[];
  private readonly worker: Worker;
  private readonly workerDone: Promise<number>;
  private readonly sidePath: string;
  private readonly shared = new Int32Array(new SharedArrayBuffer(8));
  private appointmentFields: string[] = [];
  private appointmentCount = 0;
  private sinceCommit = 0;

  constructor(path: string) {
    this.db = openMirror(path, { keys: PLAINTEXT_ONLY, create: true });
    const db = this.db;
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('foreign_keys = OFF'); // checked once at the end instead of row by row
    db.pragma('cache_size = -128000'); // 128 MB of page cache: the id indexes stay in memory
    db.pragma('temp_store = MEMORY');
    const schema = db
      .prepare(`SELECT type, name, tbl_name AS tbl, sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN (${TABLES.map(() => '?').join(',')}) ORDER BY rowid`)
      .all(...TABLES) as Array<{ type: string; name: string; tbl: string; sql: string }>;
    const indexes = schema.filter((o) => o.type === 'index');
    for (const { name } of indexes) db.exec(`DROP INDEX "${name}"`);
    this.droppedIndexes = indexes.map((i) => i.sql);
    this.inserts = Object.fromEntries(MAIN_TABLES.map((t) => [t, new BatchInsert(db, t)])) as Record<MainTable, BatchInsert>;

    // The side file gets the very same CREATE statements, which the transfer optimisation requires.
    this.sidePath = `${path}.appointments`;
    rmSync(this.sidePath, { force: true });
    this.worker = new Worker(new URL('./generate-worker.js', import.meta.url));
    this.workerDone = new Promise<number>((resolve, reject) => {
      this.worker.on('message', (reply: WorkerReply) => (reply.kind === 'done' ? resolve(reply.rows) : reject(new Error(`appointments worker: ${reply.message}`))));
      this.worker.on('error', reject);
      this.worker.on('exit', (code) => reject(new Error(`appointments worker stopped (exit ${code})`)));
    });
    this.workerDone.catch(() => {}); // observed in finish(): the generator does not yield before then
    this.post({
      kind: 'open',
      path: this.sidePath,
      createTable: schema.find((o) => o.type === 'table' && o.tbl === 'appointments')!.sql,
      createIndexes: indexes.filter((i) => i.tbl === 'appointments').map((i) => i.sql),
      columns: COLUMNS.appointments.length,
      shared: this.shared,
    });
    db.exec('BEGIN');
  }

  add(table: TableName, row: Value[]): void {
    if (table === 'appointments') {
      for (let i = 0; i < row.length; i++) this.appointmentFields.push(row[i] as string);
      if (++this.appointmentCount % ROWS_PER_MESSAGE === 0) this.postAppointments();
      return;
    }
    this.inserts[table].add(row);
    if (++this.sinceCommit >= ROWS_PER_COMMIT) {
      this.db.exec('COMMIT; BEGIN');
      this.sinceCommit = 0;
    }
  }

  counts(): Record<TableName, number> {
    const counts = Object.fromEntries(MAIN_TABLES.map((t) => [t, this.inserts[t].count])) as Record<TableName, number>;
    counts.appointments = this.appointmentCount;
    return counts;
  }

  /**
   * Flush; rebuild the indexes exactly as the schema wrote them (while the worker builds the appointments'
   * ones); copy the appointments in; switch to WAL; close.
   */
  async finish(): Promise<void> {
    const db = this.db;
    this.postAppointments();
    this.post({ kind: 'finish' });
    for (const t of MAIN_TABLES) this.inserts[t].flush();
    db.exec('COMMIT');
    for (const sql of this.droppedIndexes) db.exec(sql);
    const copied = await this.workerDone;
    if (copied !== this.appointmentCount) throw new Error(`the worker loaded ${copied} of ${this.appointmentCount} appointments`);
    await this.worker.terminate();
    db.prepare('ATTACH ? AS side').run(this.sidePath);
    db.exec('INSERT INTO main.appointments SELECT * FROM side.appointments');
    db.exec('DETACH side');
    rmSync(this.sidePath, { force: true });
    db.pragma('journal_mode = WAL');
    db.close();
  }

  async abandon(): Promise<void> {
    if (this.db.open) this.db.close();
    await this.worker.terminate();
    rmSync(this.sidePath, { force: true });
  }

  private postAppointments(): void {
    if (!this.appointmentFields.length) return;
    // Wait (blocking: the generator is synchronous) while the worker is far behind; a failed worker stops
    // the wait, and its error surfaces in finish().
    const shared = this.shared;
    for (let n = Atomics.load(shared, IN_FLIGHT); n >= MAX_BATCHES_IN_FLIGHT && !Atomics.load(shared, FAILED); n = Atomics.load(shared, IN_FLIGHT)) {
      Atomics.wait(shared, IN_FLIGHT, n, 1000);
    }
    Atomics.add(shared, IN_FLIGHT, 1);
    this.post({ kind: 'rows', text: this.appointmentFields.join(FIELD_SEPARATOR) });
    this.appointmentFields = [];
  }

  private post(request: WorkerRequest): void {
    this.worker.postMessage(request);
  }
}

/** What `--check` reports: rows failing a foreign key, and integrity_check's verdict ("ok" when sound). */
export function checkMirror(path: string): { foreignKeyProblems: number; integrity: string } {
  const db = openMirror(path, { keys: PLAINTEXT_ONLY }); // read-write, so closing it folds and removes the -wal and -shm files
  try {
    const foreignKeyProblems = db.prepare('PRAGMA foreign_key_check').all().length;
    const integrity = (db.prepare('PRAGMA integrity_check').all() as Array<{ integrity_check: string }>).map((r) => r.integrity_check).join('; ');
    return { foreignKeyProblems, integrity };
  } finally {
    db.close();
  }
}
