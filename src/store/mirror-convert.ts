// `cx db encrypt` and `cx db rekey`: the mirror copied whole into a new file encrypted with a new key, which
// then takes the mirror's name. All or nothing: until the rename the mirror is the old file, complete; after
// it, the new one, complete; never both (the old file is gone with the rename). Step by step:
//   1. the mirror to itself: its WAL folded in and switched off (which needs every other connection closed:
//      else exit 7), then an exclusive lock held to the end, so no other cx reads or writes meanwhile;
//   2. `VACUUM INTO` a new file beside it (0600) with the new key: a consistent copy, compacted, encrypted as
//      it is written (no plaintext scratch copy anywhere);
//   3. a note of the old and new ids beside the mirror, then the new key kept under the new file's id;
//   4. the copy opened with the new key: WAL mode, the audit row of the conversion, quick_check, and every
//      table's row count compared with the mirror's; made durable;
//   5. the rename, made durable; the old file's blocks released;
//   6. the mirror opened by its new key, then (rekey) the old key removed from where cx kept it, the note last.
// A run killed anywhere leaves a copy (encrypted, unreadable without its key) and the note: the next
// `cx db encrypt` or `cx db rekey` of that mirror removes the copy and the key it no longer needs.
// Never `PRAGMA rekey`: SQLite refuses it in WAL mode, and elsewhere it rewrites the file through a
// plaintext scratch copy of the whole mirror.
import { closeSync, constants, ftruncateSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CxError, EXIT } from '../errors.js';
import { syncPath } from '../files/durable.js';
import { appendAudit } from './audit.js';
import { examineMirrorFile, fixedKey, keyedUri, keyHidden, type MirrorKeys, type NewKey } from './cipher.js';
import { mirrorCipher, openMirror, type Db } from './db.js';

export interface Converted {
  /** The new file's id, under which its key is kept. */
  mirror_id: string;
  /** The old file's id (rekey), null for a plaintext mirror. */
  old_mirror_id: string | null;
  /** Where the new key is, in words. */
  key_kept: string;
  /** The old key was cx's (the credential store or cx's own key file) and has been removed from there. */
  old_key_removed: boolean;
  /** Rows copied, table by table (each checked against the mirror). */
  rows: Record<string, number>;
}

export interface ConversionAudit {
  action: 'db.encrypt' | 'db.rekey';
  agent: string;
  ticket: string | null;
  now: Date;
}

/** The copy being made beside the mirror. */
const copyPath = (file: string): string => join(dirname(file), `.cx-tmp-${basename(file)}.convert`);
/** The ids of a conversion under way: which key to remove if it is interrupted. */
const notePath = (file: string): string => `${file}-cx-keys-pending`;

interface PendingNote {
  old: string | null;
  oldKeptByCx: boolean;
  new: string;
}

/**
 * Finish what an interrupted conversion of the mirror at `path` left: its copy goes, and the key no file
 * needs any more (the new one when the rename never happened, else the old one cx kept) is removed.
 */
export function finishInterrupted(path: string, keys: MirrorKeys): void {
  const file = resolve(path);
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(copyPath(file) + suffix, { force: true });
  let note: PendingNote;
  try {
    note = JSON.parse(readFileSync(notePath(file), 'utf8')) as PendingNote;
  } catch {
    rmSync(notePath(file), { force: true });
    return;
  }
  const live = examineMirrorFile(file);
  const committed = live.kind === 'encrypted' && live.id === note.new;
  if (!committed) keys.forget(note.new);
  else if (note.old && note.oldKeptByCx) keys.forget(note.old);
  rmSync(notePath(file), { force: true });
  syncPath(dirname(file));
}

/**
 * Replace the mirror `source` (open at `path`, migrated) by an encrypted copy under `newKey`. `keys` finds
 * the new key again afterwards and removes an old one cx kept. Closes `source`.
 */
export function convertMirror(source: Db, path: string, newKey: NewKey, keys: MirrorKeys, audit: ConversionAudit): Converted {
  const file = resolve(path);
  const copy = copyPath(file);
  const old = mirrorCipher(source);
  let oldFd: number | undefined;
  let renamed = false;
  let keptId: string | undefined;
  try {
    const rows = takeWholeMirror(source, path);
    rmSync(copy, { force: true });
    closeSync(openSync(copy, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600));
    keyHidden(newKey.key, () => source.prepare('VACUUM INTO ?').run(keyedUri(copy, newKey.key)));
    const made = examineMirrorFile(copy);
    if (made.kind !== 'encrypted') throw new Error(`the copy ${copy} was not written encrypted`);
    const note: PendingNote = { old: old.encrypted ? old.id : null, oldKeptByCx: old.encrypted && old.key.keptByCx, new: made.id };
    writeFileSync(notePath(file), JSON.stringify(note), { mode: 0o600 });
    syncPath(notePath(file));
    const kept = newKey.keep(made.id);
    keptId = made.id;
    finishCopy(copy, newKey.key, rows, audit, kept, made.id);
    syncPath(copy);
    // Held open across the rename: its blocks are released while this process still holds the lock, so a
    // cx that opened the old file just before, waiting for the lock, finds it empty instead of writing to it.
    oldFd = openSync(file, 'r+');
    renameSync(copy, file);
    renamed = true;
    syncPath(dirname(file));
    ftruncateSync(oldFd, 0);
    source.close();
    openMirror(path, { keys: fixedKey(newKey.key, kept), migrate: false }).close(); // read-write: its close removes the -wal and -shm
    const removeOld = note.old !== null && note.oldKeptByCx;
    if (removeOld) keys.forget(note.old!);
    rmSync(notePath(file), { force: true });
    syncPath(dirname(file));
    return { mirror_id: made.id, old_mirror_id: note.old, key_kept: kept, old_key_removed: removeOld, rows };
  } catch (err) {
    if (source.open) source.close();
    // Before the rename nothing happened to the mirror: the copy, its key and the note go. After it, the
    // new file is the mirror: the note stays for the next run to finish with.
    if (!renamed) {
      for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(copy + suffix, { force: true });
      if (keptId) keys.forget(keptId);
      rmSync(notePath(file), { force: true });
    }
    throw err;
  } finally {
    if (oldFd !== undefined) closeSync(oldFd);
  }
}

/**
 * Steps 1: the WAL folded into the file and switched off (refused while another connection has the mirror
 * open), then the exclusive lock, kept until the connection closes. Returns every table's row count.
 */
function takeWholeMirror(db: Db, path: string): Record<string, number> {
  db.pragma('wal_checkpoint(TRUNCATE)');
  let mode: string;
  try {
    mode = String(db.pragma('journal_mode = DELETE', { simple: true }));
  } catch (err) {
    if (String((err as { code?: unknown }).code ?? '').startsWith('SQLITE_BUSY')) throw othersOpen(path);
    throw err;
  }
  if (mode !== 'delete') throw othersOpen(path);
  db.pragma('locking_mode = EXCLUSIVE');
  try {
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (err) {
    if (String((err as { code?: unknown }).code ?? '').startsWith('SQLITE_BUSY')) throw othersOpen(path);
    throw err;
  }
  // Another cx that opened the mirror between the switch and the lock turns WAL back on.
  if (db.pragma('journal_mode', { simple: true }) !== 'delete') throw othersOpen(path);
  return rowCounts(db);
}

/** Exit 7, as for a lock held too long: nothing changed, run it again when the mirror is free. */
function othersOpen(path: string): CxError {
  return new CxError(
    `another cx has the mirror ${path} open, and this needs it to itself; nothing changed`,
    EXIT.busy,
    'error',
    'run it again when no other cx (a batch, a desk session, a sync push) is using the mirror',
  );
}

/** Step 4, on the copy: WAL mode, the audit row, the checks; closed (its WAL folded in) when it returns. */
function finishCopy(copy: string, key: Buffer, rows: Record<string, number>, audit: ConversionAudit, kept: string, id: string): void {
  const db = openMirror(copy, { keys: fixedKey(key, kept) });
  try {
    const what = audit.action === 'db.encrypt' ? 'encrypted (ChaCha20-Poly1305)' : 'given a new key';
    appendAudit(db, { agent: audit.agent, action: audit.action, ticket: audit.ticket, account_id: null, outcome: 'done', detail: `the mirror was ${what}: mirror id ${id}, key in ${kept}` }, audit.now);
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`the encrypted copy fails quick_check (${String(check)}); the mirror was left as it was`);
    const copied = rowCounts(db);
    const expected: Record<string, number> = { ...rows, audit_log: (rows.audit_log ?? 0) + 1 };
    const differ = Object.keys({ ...expected, ...copied }).filter((t) => copied[t] !== expected[t]);
    if (differ.length) throw new Error(`the encrypted copy's row counts differ from the mirror's (${differ.join(', ')}); the mirror was left as it was`);
  } finally {
    db.close();
  }
}

function rowCounts(db: Db): Record<string, number> {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>).map((t) => t.name);
  return Object.fromEntries(tables.map((t) => [t, (db.prepare(`SELECT count(*) AS n FROM "${t.replace(/"/g, '""')}"`).get() as { n: number }).n]));
}
