// Opening the mirror: keying, pragmas, schema migrations, prepared-statement cache and write transactions.
import { closeSync, existsSync, linkSync, mkdirSync, openSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_LOCK_WAIT_MS } from '../config/values.js';
import { BusyError, CancelledError, UsageError } from '../errors.js';
import { syncPath } from '../files/durable.js';
import { describeErrno } from '../files/errors.js';
import { removeOrphans } from '../files/stale-temps.js';
import { examineMirrorFile, useKey, untouchedUri, type FoundKey, type MirrorKeys } from './cipher.js';
import { describeHolder } from './lock-holder.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export type Db = Database.Database;

// File names that are URIs (`file:…?immutable=1`, and the keyed ones of src/store/cipher.ts) are honoured
// only when this is set before the addon's first connection, which reads it once for the whole process. With
// it on, a path beginning "file:" would be read as a URI: cx hands SQLite absolute paths only.
process.env.SQLITE_USE_URI = '1';

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
  /** Where an encrypted mirror's key comes from, and a new mirror's key (src/config/mirror-key.ts). */
  keys: MirrorKeys;
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

/** How a connection's mirror is kept: plaintext, or encrypted under the mirror id with a key from somewhere. */
export type MirrorCipher = { encrypted: false } | { encrypted: true; id: string; key: FoundKey };

const ciphers = new WeakMap<Db, MirrorCipher>();

/** Whether the connection's mirror is encrypted, its id and where its key came from. */
export function mirrorCipher(db: Db): MirrorCipher {
  return ciphers.get(db) ?? { encrypted: false };
}

/** The key this connection opened its mirror with (null: plaintext): for another connection of this run. */
export function connectionKey(db: Db): Buffer | null {
  const cipher = mirrorCipher(db);
  return cipher.encrypted ? cipher.key.key : null;
}

export function openMirror(path: string, options: OpenOptions): Db {
  const file = resolve(path);
  const folder = dirname(file);
  if (!existsSync(folder)) {
    if (options.create && options.createFolder) mkdirSync(folder, { recursive: true });
    else throw new UsageError(`the folder for the mirror does not exist: ${dirname(path)}`, 'check --db or $CX_DB');
  }
  if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError(`the mirror path is a folder, not a file: ${path}`);
  let found: ReturnType<typeof examineMirrorFile>;
  try {
    found = examineMirrorFile(file);
  } catch (err) {
    throw new UsageError(`cannot open the mirror ${path}: ${describeErrno(err)}`, 'check the file and its permissions');
  }
  switch (found.kind) {
    case 'absent':
      if (!options.create) {
        throw new UsageError(`no mirror at ${path}`, { text: 'Create an empty one, or load the demo world:', commands: ['cx db init', 'cx db seed --demo'] });
      }
      return createMirror(path, file, options);
    case 'empty':
      if (!options.create) throw new UsageError(`${path} is an empty file, not a cx mirror`, { text: 'Make it one with:', commands: ['cx db init'] });
      return createMirror(path, file, options);
    case 'foreign':
      throw new UsageError(`${path} is not a SQLite database, so not a cx mirror; cx leaves it untouched`);
    case 'plaintext':
      return openFile(path, file, null, options);
    case 'encrypted':
      return openFile(path, file, { id: found.id, key: options.keys.keyOf(found.id, path) }, options);
  }
}

/** A throwaway mirror at the current schema, for dry runs that must not create a file. */
export function openScratchMirror(options: Pick<OpenOptions, 'lockWaitMs'> = {}): Db {
  const db = new Database(':memory:', { nativeBinding: NATIVE_BINDING });
  configure(db, ':memory:', { ...options, create: true });
  migrate(db);
  return db;
}

/**
 * A new mirror. Plaintext (asked for): the file, 0600, then its schema. Encrypted: made whole in a temporary
 * file beside it (its id, the salt, exists only once the first page is written), its key kept under that id,
 * and only then given the mirror's name: a crash leaves no mirror whose key is kept nowhere. An empty file
 * at the path (made for the mirror) is replaced; a mirror another cx made meanwhile is kept.
 */
function createMirror(path: string, file: string, options: OpenOptions): Db {
  const newKey = options.keys.newKey();
  if (!newKey) {
    // The mirror holds client names, dates of birth and progress notes: readable by its owner alone.
    // SQLite gives its -wal and -shm files the database file's mode.
    if (!existsSync(file)) closeSync(openSync(file, 'wx', 0o600));
    return openFile(path, file, null, options);
  }
  const prefix = `.cx-tmp-${basename(file)}`;
  removeOrphans(dirname(file), prefix, 'new'); // what a cx killed while making this mirror left
  const temp = join(dirname(file), `${prefix}.${process.pid}.new`);
  let kept: string;
  let id: string;
  closeSync(openSync(temp, 'wx', 0o600));
  try {
    const db = connect(temp, false, newKey.key);
    try {
      configure(db, temp, { ...options, create: true });
      migrate(db);
    } finally {
      db.close();
    }
    syncPath(temp);
    const made = examineMirrorFile(temp);
    if (made.kind !== 'encrypted') throw new Error(`the new mirror ${temp} was not written encrypted`);
    id = made.id;
    kept = newKey.keep(id);
    installNew(temp, file);
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // linked under the mirror's name and then removed, or never made
    }
  }
  const now = examineMirrorFile(file);
  if (now.kind !== 'encrypted' || now.id !== id) {
    // Another cx made the mirror at the same moment: theirs stands, with their key.
    options.keys.forget(id);
    return openMirror(path, options);
  }
  return openFile(path, file, { id, key: { key: newKey.key, from: kept, keptByCx: false } }, options);
}

/** Give the finished file the mirror's name: never over a mirror, only over an empty file made for it. */
function installNew(temp: string, file: string): void {
  try {
    linkSync(temp, file);
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'EEXIST') throw err;
    if (statSync(file).size !== 0) return; // another cx made it meanwhile (checked by the caller)
    renameSync(temp, file);
  }
  syncPath(dirname(file));
}

function openFile(path: string, file: string, encrypted: { id: string; key: FoundKey } | null, options: OpenOptions): Db {
  // A mirror with a -wal (a writer is open, or one was killed): the key is tried first on a connection that
  // reads the file as it is, so a wrong key changes nothing, not even the -shm; any other connection would.
  if (encrypted && (existsSync(`${file}-wal`) || existsSync(`${file}-shm`)) && !keyOpensFile(file, encrypted.key.key)) {
    throw options.keys.wrongKey(encrypted.key, encrypted.id, path);
  }
  const db = connect(file, Boolean(options.readonly), encrypted?.key.key ?? null);
  try {
    configure(db, path, options, () => (encrypted ? options.keys.wrongKey(encrypted.key, encrypted.id, path) : null));
    if (options.migrate !== false) migrate(db, Boolean(options.readonly));
  } catch (err) {
    db.close();
    throw err;
  }
  ciphers.set(db, encrypted ? { encrypted: true, ...encrypted } : { encrypted: false });
  return db;
}

/** A connection to an existing file (absolute path), keyed when a key is given. */
function connect(file: string, readonly: boolean, key: Buffer | null): Db {
  const db = new Database(file, { readonly, fileMustExist: true, nativeBinding: NATIVE_BINDING });
  if (key) useKey(db, key);
  return db;
}

/**
 * Tries of the key on the file as it is on disk. That read takes no lock, so a checkpoint another cx runs
 * meanwhile can show it a half-written file: read as damaged (SQLITE_CORRUPT, a third of the tries against a
 * writer that checkpoints often) or, rarely, as not a database. A wrong key is never read as damaged: it
 * is "not a database" every time.
 */
const KEY_PROBE_TRIES = 8;

/** Whether `key` opens the file, read as it is on disk: no lock taken, no -wal or -shm looked at. */
function keyOpensFile(file: string, key: Buffer): boolean {
  for (let attempt = 1; ; attempt++) {
    const verdict = probeKey(file, key);
    if (verdict === 'opens') return true;
    // Damaged on every try: the connection that follows (which reads the -wal) says whether it really is.
    if (attempt === KEY_PROBE_TRIES) return verdict === 'unsure';
    pause(attempt * 2);
  }
}

function probeKey(file: string, key: Buffer): 'opens' | 'wrong' | 'unsure' {
  const probe = new Database(untouchedUri(file), { readonly: true, fileMustExist: true, nativeBinding: NATIVE_BINDING });
  try {
    useKey(probe, key);
    probe.pragma('user_version');
    return 'opens';
  } catch (err) {
    const code = String((err as { code?: unknown }).code);
    if (code === 'SQLITE_NOTADB') return 'wrong';
    if (code.startsWith('SQLITE_CORRUPT')) return 'unsure';
    throw err;
  } finally {
    probe.close();
  }
}

/** A short wait on this thread (a checkpoint takes milliseconds). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
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

function configure(db: Db, path: string, options: Omit<OpenOptions, 'keys'>, wrongKey: () => Error | null = () => null): void {
  const readonly = Boolean(options.readonly);
  // Nothing SQLite keeps on the side is encrypted (SQLite3 Multiple Ciphers 2.3.5 leaves temporary files in
  // clear): sorts, temporary tables and statement journals stay in memory, on every connection.
  db.pragma('temp_store = MEMORY');
  // Reading the schema version first makes "not a database" fail here, with a clear code, and the
  // foreign-file check comes before anything (even the journal mode) is written.
  db.pragma(`busy_timeout = ${options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS}`);
  try {
    db.pragma('user_version');
  } catch (err) {
    // Named here, where the path is known (the generic mapping in errors.ts cannot say which file). With a
    // key, "not a database" is a key that does not open the file (or a damaged first page).
    if ((err as { code?: unknown }).code === 'SQLITE_NOTADB') {
      throw wrongKey() ?? new UsageError(`${path} is not a SQLite database, so not a cx mirror; cx leaves it untouched`);
    }
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

/**
 * `work` in a savepoint of the open transaction: what better-sqlite3's transaction function does when a
 * transaction is open, without building one per call (four closures and their properties: ~10 µs, paid
 * once a ticket by a batch, whose every action runs inside the ticket's own savepoint).
 */
function inSavepoint<T>(db: Db, work: () => T): T {
  sql(db, 'SAVEPOINT cx_work').run();
  try {
    const result = work();
    if (typeof (result as { then?: unknown } | null)?.then === 'function') throw new TypeError('Transaction function cannot return a promise');
    sql(db, 'RELEASE cx_work').run();
    return result;
  } catch (err) {
    // A failure that ended the whole transaction (a full disk) leaves no savepoint to go back to.
    if (db.inTransaction) {
      sql(db, 'ROLLBACK TO cx_work').run();
      sql(db, 'RELEASE cx_work').run();
    }
    throw err;
  }
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
  if (db.inTransaction) return inSavepoint(db, work);
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
