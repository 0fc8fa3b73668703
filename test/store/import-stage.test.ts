// The import stages rows in a scratch database of its own: a file beside the mirror, encrypted with a key
// that lives only in the import's process (SQLite's temporary files are not encrypted, so the rows may not go
// there), with the import's own page caches whatever the mirror's defaults become (a larger cache chosen for
// batch must not grow the import). The file goes when the import ends, or with the next import after a kill.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { examineMirrorFile } from '../../src/store/cipher.js';
import { openMirror } from '../../src/store/db.js';
import { attachStage, createStage, detachStage, IMPORT_CACHE_KIB, stageTable } from '../../src/store/import-stage.js';
import { tempDir } from '../helpers/cx.js';
import { TEST_KEYS } from '../helpers/sqlite.js';

const MARKER = 'staged-marker-7f3a@example.com';

describe('the import scratch database', () => {
  it('is an encrypted file beside the mirror, with the import page caches over any larger setting, gone after', () => {
    const dir = tempDir();
    const db = openMirror(join(dir, 'm.db'), { keys: TEST_KEYS, create: true });
    try {
      db.pragma('cache_size = -500000');
      attachStage(db);
      expect(db.pragma('main.cache_size', { simple: true })).toBe(-IMPORT_CACHE_KIB);
      expect(db.pragma('stage.cache_size', { simple: true })).toBe(-IMPORT_CACHE_KIB);
      expect(IMPORT_CACHE_KIB).toBeLessThanOrEqual(32_000);
      expect(db.pragma('temp_store', { simple: true })).toBe(2); // sorts and temp tables in memory
      expect(db.pragma('stage.journal_mode', { simple: true })).toBe('memory'); // no -journal beside it
      createStage(db);
      db.prepare(`INSERT INTO ${stageTable('suppressions')} (email) VALUES (?)`).run(MARKER);
      db.pragma('stage.wal_checkpoint'); // nothing to fold: the stage has no journal; its pages are on disk
      const stage = readdirSync(dir).find((name) => name.endsWith('.stage'));
      expect(stage).toMatch(/^\.cx-tmp-m\.db\.\d+\.stage$/);
      expect(examineMirrorFile(join(dir, stage!)).kind).toBe('encrypted');
      expect(readFileSync(join(dir, stage!)).includes(MARKER)).toBe(false);
      detachStage(db);
      expect(existsSync(join(dir, stage!))).toBe(false);
    } finally {
      db.close();
    }
  });

  it('a scratch file a killed import left is removed by the next import into that mirror (only this one)', () => {
    const dir = tempDir();
    const dead = spawnSync('true').pid!; // a process that has ended
    const left = join(dir, `.cx-tmp-m.db.${dead}.stage`);
    const otherMirror = join(dir, `.cx-tmp-other.db.${dead}.stage`);
    writeFileSync(left, 'x');
    writeFileSync(`${left}-journal`, 'x');
    writeFileSync(otherMirror, 'x');
    const db = openMirror(join(dir, 'm.db'), { keys: TEST_KEYS, create: true });
    try {
      attachStage(db);
      expect(existsSync(left)).toBe(false);
      expect(existsSync(`${left}-journal`)).toBe(false);
      expect(existsSync(otherMirror)).toBe(true);
      detachStage(db);
    } finally {
      db.close();
    }
  });
});
