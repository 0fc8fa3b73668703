// The store's side of encryption: what a file is, read from its first bytes without a key; a new mirror made
// whole before it takes its name (and no mirror at all when its key cannot be kept); a key handed to SQLite
// in a URI never repeated by an error.
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { examineMirrorFile, fixedKey, keyedUri, keyHidden, PLAINTEXT_ONLY, type MirrorKeys } from '../../src/store/cipher.js';
import { mirrorCipher, openMirror } from '../../src/store/db.js';
import { tempDir } from '../helpers/cx.js';
import { TEST_KEYS } from '../helpers/sqlite.js';

describe('examineMirrorFile', () => {
  it('tells absent, empty, plaintext, encrypted (its id is the salt) and anything else apart', () => {
    const dir = tempDir();
    expect(examineMirrorFile(join(dir, 'none.db'))).toEqual({ kind: 'absent' });
    writeFileSync(join(dir, 'empty.db'), '');
    expect(examineMirrorFile(join(dir, 'empty.db'))).toEqual({ kind: 'empty' });
    openMirror(join(dir, 'plain.db'), { keys: PLAINTEXT_ONLY, create: true }).close();
    expect(examineMirrorFile(join(dir, 'plain.db'))).toEqual({ kind: 'plaintext' });
    const db = openMirror(join(dir, 'enc.db'), { keys: TEST_KEYS, create: true });
    const salt = String(db.pragma('cipher_salt', { simple: true })).toLowerCase();
    db.close();
    expect(examineMirrorFile(join(dir, 'enc.db'))).toEqual({ kind: 'encrypted', id: salt });
    writeFileSync(join(dir, 'random.db'), randomBytes(4096));
    expect(examineMirrorFile(join(dir, 'random.db'))).toEqual({ kind: 'foreign' });
    writeFileSync(join(dir, 'short.db'), 'SQLite');
    expect(examineMirrorFile(join(dir, 'short.db'))).toEqual({ kind: 'foreign' });
  });

  it('two mirrors under the same key have different ids', () => {
    const dir = tempDir();
    for (const name of ['a.db', 'b.db']) openMirror(join(dir, name), { keys: TEST_KEYS, create: true }).close();
    expect(examineMirrorFile(join(dir, 'a.db'))).not.toEqual(examineMirrorFile(join(dir, 'b.db')));
  });
});

describe('a new encrypted mirror', () => {
  it('is made whole beside its path, 0600, and linked under its name: no temporary file left', () => {
    const dir = tempDir();
    const db = openMirror(join(dir, 'm.db'), { keys: TEST_KEYS, create: true });
    expect(mirrorCipher(db)).toMatchObject({ encrypted: true, key: { from: 'CX_DB_KEY' } });
    db.close();
    expect(readdirSync(dir)).toEqual(['m.db']);
    expect(statSync(join(dir, 'm.db')).mode & 0o777).toBe(0o600);
  });

  it('whose key cannot be kept is not made at all', () => {
    const dir = tempDir();
    const failing: MirrorKeys = {
      ...fixedKey(randomBytes(32), 'nowhere'),
      newKey: () => ({
        key: randomBytes(32),
        keep() {
          throw new Error('the key store is full');
        },
      }),
    };
    expect(() => openMirror(join(dir, 'm.db'), { keys: failing, create: true })).toThrow('the key store is full');
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('a key inside a URI', () => {
  it('never shows in the error SQLite makes of it', () => {
    const key = randomBytes(32);
    const db = new Database(':memory:');
    const uri = keyedUri(join(tempDir(), 'no-such-folder', 'x.db'), key);
    let raw = '';
    try {
      db.prepare('ATTACH ? AS x').run(uri);
    } catch (err) {
      raw = (err as Error).message;
    }
    expect(raw).toContain(key.toString('hex')); // what SQLite says on its own
    let hidden: Error | undefined;
    try {
      keyHidden(key, () => db.prepare('ATTACH ? AS x').run(uri));
    } catch (err) {
      hidden = err as Error;
    }
    expect(hidden?.message).toMatch(/unable to open database: file:.*hexkey=<key>/);
    expect(`${hidden?.message}${hidden?.stack}`).not.toContain(key.toString('hex'));
    db.close();
  });
});
