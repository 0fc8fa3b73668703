// Opening the mirror: pragmas, schema migrations, prepared-statement cache and write transactions.
import { closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_LOCK_WAIT_MS } from '../config/values.js';
import { BusyError, CancelledError, UsageError } from '../errors.js';
import { describeHolder } from './lock-holder.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export type Db = Database.Database;

/**
 * The compiled addon's own path: without it better-sqlite3 asks the `bindings` package, which probes a
 * dozen folders on every start (~3 ms of each cx run). Undefined (the default search) if it is elsewhere.
 */
const NATIVE_BINDING = ((): string | undefined => {
  try {
    return createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');
  } catch {
    return undefined;
  }
})();

export interface OpenOptions {
  /** Create the file (and, for the default path, its folder) when it does not exist. */
  create?: boolean;
  /** Create a missing parent folder (only for the default data/ folder). */
  createFolder?: boolean;
  /** Open without the right to write (lookups, listings). */
  readonly?: boolean;
  /** false: open the mirror as it is, at whatever schema (the doctor reports an old one, never upgrades it). */
  migrate?: boolean;
  /** How long a write waits for another writer's lock before giving up (exit 7): the CX_LOCK_WAIT_MS setting. */
  lockWaitMs?: number;
}

export function openMirror(path: string, options: OpenOptions = {}): Db {
  const folder = dirname(path);
  if (!existsSync(folder)) {
    if (options.create && options.createFolder) mkdirSync(folder, { recursive: true });
    else throw new UsageError(`the folder for the mirror does not exist: ${folder}`, 'check --db or $CX_DB');
  }
  if (!existsSync(path)) {
    if (!options.create) {
      throw new UsageError(`no mirror at ${path}`, { text: 'Create an empty one, or load the demo world:', commands: ['cx db init', 'cx db seed --demo'] });
    }
    // The mirror holds client names, dates of birth and progress notes: readable by its owner alone.
    // SQLite gives its -wal and -shm files the database file's mode.
    closeSync(openSync(path, 'wx', 0o600));
  } else if (statSync(path).isDirectory()) {
    throw new UsageError(`the mirror path is a folder, not a file: ${path}`);
  }
  return openFile(path, options);
}

/** A throwaway mirror at the current schema, for dry runs that must not create a file. */
export function openScratchMirror(options: Pick<OpenOptions, 'lockWaitMs'> = {}): Db {
  return openFile(':memory:', { ...options, create: true });
}

function openFile(path: string, options: OpenOptions): Db {
  const db = new Database(path, { readonly: Boolean(options.readonly), fileMustExist: !options.create, nativeBinding: NATIVE_BINDING });
  try {
    configure(db, path, options);
    if (options.migrate !== false) migrate(db, Boolean(options.readonly));
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/**
 * Only a cx mirror is opened: schema version 0 is an empty file (made into a mirror only by the commands
 * that create one) or another program's database (never touched).
 */
function refuseForeignFile(db: Db, path: string, create: boolean): void {
  if (schemaVersion(db) !== 0) return;
  const tables = db.prepare<unknown[], { n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").get()!.n;
  if (tables > 0) throw new UsageError(`${path} is a SQLite database but not a cx mirror; cx leaves it untouched`);
  if (!create) throw new UsageError(`${path} is an empty file, not a cx mirror`, { text: 'Make it one with:', commands: ['cx db init'] });
}

function configure(db: Db, path: string, options: OpenOptions): void {
  const readonly = Boolean(options.readonly);
  // Reading the schema version first makes "not a database" fail here, with a clear code, and the
  // foreign-file check comes before anything (even the journal mode) is written.
  db.pragma(`busy_timeout = ${options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS}`);
  try {
    db.pragma('user_version');
  } catch (err) {
    // Named here, where the path is known (the generic mapping in errors.ts cannot say which file).
    if ((err as { code?: unknown }).code === 'SQLITE_NOTADB') throw new UsageError(`${path} is not a SQLite database, so not a cx mirror; cx leaves it untouched`);
    throw err;
  }
  refuseForeignFile(db, path, Boolean(options.create));
  if (!readonly && db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  // WAL + NORMAL is durable against application crashes; only a power loss can drop the last commits.
  db.pragma('synchronous = NORMAL');
}

/**
 * A batch's connection (cx batch and the bench's floor), measured on a 1,000,000-account mirror:
 * - temp_store MEMORY: every ticket runs in a savepoint, whose journal of the pages it changes (changes,
 *   audit and ledger rows: ~20 pages) outgrows SQLite's 64 KiB in-memory limit and went to a temporary
 *   file, ticket after ticket; in memory it is freed at the ticket's end (half the time of its inserts).
 * - a 64 MB page cache: the ledger, changes and audit indexes the batch keeps writing stay in memory
 *   (the accounts it reads are spread over the whole file and come from the OS cache either way).
 * - checkpoints every ~40 MB of WAL instead of every 4 MB: ten times fewer fsyncs of the mirror.
 * Per connection, so an import (its own settings, src/store/import-stage.ts) and other cx never get them.
 */
export const BATCH_PRAGMAS: readonly string[] = ['temp_store = MEMORY', 'cache_size = -65536', 'wal_autocheckpoint = 10000'];

export function tuneForBatch(db: Db): void {
  for (const p of BATCH_PRAGMAS) db.pragma(p);
}

/** A pragma whose value is one number (user_version, busy_timeout, data_version). */
export function pragmaNumber(db: Db, name: string): number {
  return db.pragma(name, { simple: true }) as number;
}

export function schemaVersion(db: Db): number {
  return pragmaNumber(db, 'user_version');
}

/** Apply the migrations this mirror has not seen, in order, in one write transaction. */
export function migrate(db: Db, readonly = false): void {
  const current = schemaVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new UsageError(
      `the mirror's schema is version ${current}, newer than this cx knows (${SCHEMA_VERSION})`,
      'update cx before using this mirror',
    );
  }
  if (current === SCHEMA_VERSION) return;
  if (readonly) throw new UsageError(`the mirror's schema is version ${current}; run \`cx db init\` to upgrade it`);
  writeTransaction(db, () => {
    for (const m of MIGRATIONS.filter((m) => m.version > current)) {
      db.exec(m.sql);
      m.after?.(db);
      db.pragma(`user_version = ${m.version}`);
    }
  });
}

/** How long this connection waits for another writer's lock (its busy timeout, set when it was opened). */
export function lockWaitOf(db: Db): number {
  return pragmaNumber(db, 'busy_timeout');
}

const lockWaitNotices = new WeakMap<Db, () => void>();

/**
 * Called once when a write transaction has to wait for another writer (a terminal says so: SQLite's own
 * wait is silent). Set by the command layer; actions and the store do not print.
 */
export function onLockWait(db: Db, notice: () => void): void {
  lockWaitNotices.set(db, notice);
}

/**
 * What may end a write's wait for the lock early, asked between short slices of the wait (the guided desk:
 * the agent's Ctrl-C, read from the terminal, src/desk/lock-wait.ts). A signal cannot do it: SQLite's busy
 * handler blocks the event loop, so no signal handler runs before the wait is over.
 */
export interface LockWaitStop {
  /** The wait begins (e.g. the terminal starts passing keys on). */
  begin(): void;
  /** True ends the wait with CancelledError: nothing of the work was applied. */
  requested(): boolean;
  /** The wait is over, however it ended. */
  end(): void;
}

const lockWaitStops = new WeakMap<Db, LockWaitStop>();

/** Set by the command layer, as onLockWait. Without it a wait runs to its end (exit 7 when it runs out). */
export function stopLockWaitWith(db: Db, stop: LockWaitStop): void {
  lockWaitStops.set(db, stop);
}

/** Another connection holds the lock (SQLITE_BUSY and its variants). */
export function isBusy(err: unknown): boolean {
  return String((err as { code?: unknown } | null)?.code ?? '').startsWith('SQLITE_BUSY');
}

/**
 * Run `work` in a BEGIN IMMEDIATE transaction: the write lock is taken up front, so two writers queue
 * on the busy timeout instead of failing with SQLITE_BUSY when a read turns into a write. Inside an
 * open transaction it becomes a savepoint, so a nested unit of work is still all-or-nothing. A lock not
 * released within the wait is BusyError (exit 7): nothing of `work` was applied. Where a LockWaitStop is
 * set (the guided desk), the wait may end sooner with CancelledError, nothing applied either.
 */
export function writeTransaction<T>(db: Db, work: () => T): T {
  if (db.inTransaction) return db.transaction(work).immediate();
  let started = false;
  const tx = db.transaction(() => {
    started = true;
    return work();
  });
  const notice = lockWaitNotices.get(db);
  const stop = lockWaitStops.get(db);
  if (notice || stop) {
    // One try without waiting, so that the agent hears about a wait before it starts.
    const timeout = lockWaitOf(db);
    db.pragma('busy_timeout = 0');
    try {
      return tx.immediate();
    } catch (err) {
      if (started || !isBusy(err)) throw err;
    } finally {
      db.pragma(`busy_timeout = ${Number(timeout)}`);
    }
    notice?.();
    if (stop) return waitInSlices(db, work, stop);
  }
  try {
    return tx.immediate();
  } catch (err) {
    if (!started && isBusy(err)) throw new BusyError(describeHolder(db.name));
    throw err;
  }
}

/** A slice of a wait that `stop` may end: it is asked this often. */
const LOCK_WAIT_SLICE_MS = 100;

/**
 * The wait for the lock as slices of SQLite's busy handler, `stop` asked between them; in all as long as
 * the connection's wait, then BusyError as without slices.
 */
function waitInSlices<T>(db: Db, work: () => T, stop: LockWaitStop): T {
  const timeout = lockWaitOf(db);
  const deadline = performance.now() + timeout;
  let started = false;
  const tx = db.transaction(() => {
    started = true;
    db.pragma(`busy_timeout = ${timeout}`); // the lock is held: the work waits as any other would
    return work();
  });
  stop.begin();
  try {
    for (;;) {
      if (stop.requested()) throw new CancelledError('cancelled while waiting for another cx to finish writing; nothing changed');
      const left = deadline - performance.now();
      if (left <= 0) throw new BusyError(describeHolder(db.name));
      db.pragma(`busy_timeout = ${Math.ceil(Math.min(LOCK_WAIT_SLICE_MS, left))}`);
      try {
        return tx.immediate();
      } catch (err) {
        if (started || !isBusy(err)) throw err;
      }
    }
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
    stop.end();
  }
}

/** How often a write that can be stopped asks for the lock again while another writer holds it. */
const LOCK_POLL_MS = 5;

/**
 * writeTransaction for async work that a signal may stop while it waits (an import's apply): SQLite's busy
 * handler blocks the event loop, so no signal handler could run; here the lock is asked for without
 * waiting, again every few milliseconds, and `stop` is checked between the tries (its reason is thrown).
 * The wait and its end are writeTransaction's: the notice on a terminal, BusyError (exit 7) after it.
 */
export async function stoppableWriteTransaction<T>(db: Db, work: () => T, stop: AbortSignal): Promise<T> {
  if (db.inTransaction) return writeTransaction(db, work);
  const timeout = lockWaitOf(db);
  const deadline = performance.now() + timeout;
  let started = false;
  const tx = db.transaction(() => {
    started = true;
    db.pragma(`busy_timeout = ${timeout}`); // the lock is held: the work waits as any other would
    return work();
  });
  let told = false;
  try {
    for (;;) {
      stop.throwIfAborted();
      db.pragma('busy_timeout = 0');
      try {
        return tx.immediate();
      } catch (err) {
        if (started || !isBusy(err)) throw err;
      }
      if (!told) lockWaitNotices.get(db)?.();
      told = true;
      if (performance.now() >= deadline) throw new BusyError(describeHolder(db.name));
      await new Promise((done) => setTimeout(done, LOCK_POLL_MS));
    }
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
  }
}

/** Rows this connection has inserted, updated or deleted since it opened: tells whether it wrote anything. */
export function totalChanges(db: Db): number {
  return sql<{ n: number }>(db, 'SELECT total_changes() AS n').get()!.n;
}

const statementCache = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * Prepare once per connection, reuse after. `Row` names, once and beside the SQL, what a row of the query
 * holds: get() is then `Row | undefined`, all() `Row[]`, iterate() an iterator of Row (SQLite does not
 * check it: the query's columns and the type are read together). A statement that returns no rows
 * (INSERT, UPDATE) leaves it out.
 */
export function sql<Row = unknown>(db: Db, text: string): Database.Statement<unknown[], Row> {
  let cache = statementCache.get(db);
  if (!cache) statementCache.set(db, (cache = new Map()));
  let stmt = cache.get(text);
  if (!stmt) cache.set(text, (stmt = db.prepare(text)));
  return stmt as Database.Statement<unknown[], Row>;
}
