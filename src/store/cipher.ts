// Encryption at rest (docs/reference.md#encryption-and-keys): what a mirror file is, read from its first bytes
// without a key; how a connection is keyed; the file: URIs that carry a key to another file (VACUUM INTO,
// ATTACH) and the error messages that must not repeat it.
//
// An encrypted mirror is SQLite3 Multiple Ciphers' ChaCha20-Poly1305: every page encrypted and
// authenticated, the WAL and the rollback journal too. Its first 16 bytes are the random salt the page keys
// are derived with (they replace "SQLite format 3\0"); bytes 16–23 stay in clear (page size, journal mode,
// the 32 reserved bytes of each page's nonce and tag). The salt is new for every file cx makes (a new
// mirror, `db encrypt`, `db rekey`) and never changes after, also when the file is copied: it is the
// mirror's id, under which its key is kept (src/config/mirror-key.ts).
import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import type Database from 'better-sqlite3';

export const CIPHER = 'chacha20';
/** How people are told the cipher (`db doctor`, docs). */
export const CIPHER_NAME = 'ChaCha20-Poly1305';
export const KEY_BYTES = 32;

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const HEADER_BYTES = 24;

export type MirrorFile =
  | { kind: 'absent' }
  /** 0 bytes: a file made for a mirror that has none yet (`cx db init` makes it one). */
  | { kind: 'empty' }
  | { kind: 'plaintext' }
  /** `id`: the salt, 32 hex characters. */
  | { kind: 'encrypted'; id: string }
  /** Neither: not a database, or not one cx could have made. */
  | { kind: 'foreign' };

/** What the file at `path` is, from its first 24 bytes (no key needed, nothing written). */
export function examineMirrorFile(path: string): MirrorFile {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return { kind: 'absent' };
    throw err;
  }
  const head = Buffer.alloc(HEADER_BYTES);
  let n: number;
  try {
    n = readSync(fd, head, 0, HEADER_BYTES, 0);
  } finally {
    closeSync(fd);
  }
  if (n === 0) return { kind: 'empty' };
  if (n < HEADER_BYTES) return { kind: 'foreign' };
  if (head.subarray(0, 16).equals(SQLITE_MAGIC)) return { kind: 'plaintext' };
  return looksEncrypted(head) ? { kind: 'encrypted', id: head.subarray(0, 16).toString('hex') } : { kind: 'foreign' };
}

/**
 * The clear part of an encrypted header as SQLite3 Multiple Ciphers writes it for ChaCha20: a page size that
 * is a power of two (1 meaning 65536), file format 1 (rollback) or 2 (WAL) for writing and reading, 32
 * reserved bytes per page, and SQLite's fixed payload fractions 64/32/32.
 */
function looksEncrypted(head: Buffer): boolean {
  const pageSize = head.readUInt16BE(16);
  const powerOfTwo = pageSize === 1 || (pageSize >= 512 && (pageSize & (pageSize - 1)) === 0);
  const format = (b: number) => b === 1 || b === 2;
  return powerOfTwo && format(head[18]!) && format(head[19]!) && head[20] === 32 && head[21] === 64 && head[22] === 32 && head[23] === 32;
}

/**
 * Key a connection, before any other statement: the cipher, one key-derivation round (the key is 32 random
 * bytes, not a password: stretching it would only cost every open ~35 ms), then the key itself. Given as
 * bytes, so that it is in no SQL text. A wrong key shows only at the first read (SQLITE_NOTADB).
 */
export function useKey(db: Database.Database, key: Buffer): void {
  db.pragma(`cipher = '${CIPHER}'`);
  db.pragma('kdf_iter = 1');
  db.key(key);
}

/** A file: URI of `path` (absolute) that opens or creates it encrypted with `key`: for VACUUM INTO and ATTACH. */
export function keyedUri(path: string, key: Buffer): string {
  return `${fileUri(path)}?cipher=${CIPHER}&kdf_iter=1&hexkey=${key.toString('hex')}`;
}

/**
 * The file read as it is on disk, by a connection that takes no lock and never looks at the -wal or -shm:
 * how a key is tried on a mirror that has a -wal (any other connection would change its -shm, and one
 * without the right key could even fold the -wal in).
 */
export function untouchedUri(path: string): string {
  return `${fileUri(path)}?immutable=1`;
}

function fileUri(path: string): string {
  return `file:${resolve(path).replace(/[%?#]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** Run `work`, which hands `key` to SQLite inside a URI; an error it throws never repeats the key. */
export function keyHidden<T>(key: Buffer, work: () => T): T {
  try {
    return work();
  } catch (err) {
    throw withoutKey(err, key);
  }
}

export function withoutKey(err: unknown, key: Buffer): unknown {
  if (!(err instanceof Error)) return err;
  const hex = key.toString('hex');
  const hide = (s: string) => s.split(hex).join('<key>').split(hex.toUpperCase()).join('<key>');
  err.message = hide(err.message);
  if (err.stack) err.stack = hide(err.stack);
  return err;
}

/** A mirror's key, and where it came from in words ("CX_DB_KEY", "cx's key file ~/.config/cx/keys/….key"). */
export interface FoundKey {
  key: Buffer;
  from: string;
  /** Kept by cx (the credential store, cx's own key file): `db rekey` removes it once the new key works. */
  keptByCx: boolean;
}

/** The key a file about to be made gets, not yet kept anywhere. */
export interface NewKey {
  key: Buffer;
  /** Keep it under the new file's id (before the file takes the mirror's name); returns where, in words. */
  keep(id: string): string;
}

/**
 * Where mirrors' keys come from and go to (src/config/mirror-key.ts implements it from the settings): the
 * store asks for a key by the mirror's id and never reads the environment itself.
 */
export interface MirrorKeys {
  /** The key of the encrypted mirror `id` at `path`; a UsageError (exit 2) saying where it looked, else. */
  keyOf(id: string, path: string): FoundKey;
  /** What to say when the key found does not open the mirror: where it came from and how to give the right one. */
  wrongKey(found: FoundKey, id: string, path: string): Error;
  /** The key of a mirror about to be made (a new one, `db encrypt`); null: make it plaintext. */
  newKey(): NewKey | null;
  /** A new random key for `db rekey`, kept in `file` when given, else where cx keeps keys. */
  freshKey(file?: string): NewKey;
  /** Remove the key cx kept for `id` (its file is gone or has a new key); a key the agent gave is never touched. */
  forget(id: string): void;
}

/** Plaintext mirrors only (the generator's worlds): new mirrors are plaintext, an encrypted one is refused. */
export const PLAINTEXT_ONLY: MirrorKeys = {
  keyOf(id, path) {
    throw new Error(`${path} is encrypted (mirror id ${id}) and no key was given`);
  },
  wrongKey: (_found, id, path) => new Error(`the key does not open ${path} (mirror id ${id})`),
  newKey: () => null,
  freshKey() {
    throw new Error('no place to keep a key');
  },
  forget: () => undefined,
};

/** One key for every mirror (a connection's own key handed to its worker thread; the tests' CX_DB_KEY). */
export function fixedKey(key: Buffer, from: string): MirrorKeys {
  return {
    keyOf: () => ({ key, from, keptByCx: false }),
    wrongKey: (_found, id, path) => new Error(`the key from ${from} does not open ${path} (mirror id ${id})`),
    newKey: () => ({ key, keep: () => from }),
    freshKey() {
      throw new Error(`${from} is one fixed key: it cannot give a new one`);
    },
    forget: () => undefined,
  };
}

/** The cipher library's own name and version ("SQLite3 Multiple Ciphers 2.3.5"), for `cx db doctor`. */
export function cipherLibrary(db: Database.Database): string {
  return String((db.prepare('SELECT sqlite3mc_version() AS v').get() as { v: unknown }).v);
}
