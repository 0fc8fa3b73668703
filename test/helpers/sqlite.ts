// Opening a test's SQLite files directly, as a test checks what a command left behind or sets a mirror up.
// Every test mirror is encrypted by default (the tests' base environment gives cx the key in CX_DB_KEY:
// test/helpers/env.ts), so the whole suite runs through the cipher; a file that is not encrypted (plaintext
// on purpose, or not a mirror) opens as it is.
import Database from 'better-sqlite3';
import { examineMirrorFile, fixedKey, useKey, type MirrorKeys } from '../../src/store/cipher.js';
import '../../src/store/db.js'; // sets SQLITE_USE_URI before this process's first connection
import { TEST_KEY } from './env.js';

const KEY = Buffer.from(TEST_KEY, 'hex');

/** The keys the tests' mirrors open with, for openMirror() called in a test's own process. */
export const TEST_KEYS: MirrorKeys = fixedKey(KEY, 'CX_DB_KEY');

/**
 * A connection to `path`, keyed with the tests' key when the file is encrypted. A new (or empty) file is made
 * plaintext, unless `encrypt`: then it is encrypted with the tests' key, as an older cx's mirror would be
 * made by the tests that build one by hand.
 */
export function openDb(path: string, options?: Database.Options & { encrypt?: boolean }): Database.Database {
  const { encrypt, ...rest } = options ?? {};
  const kind = examineMirrorFile(path).kind;
  const db = new Database(path, rest);
  if (kind === 'encrypted' || (encrypt && (kind === 'absent' || kind === 'empty'))) useKey(db, KEY);
  return db;
}
