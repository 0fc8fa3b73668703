// The import's connection keeps its own memory settings whatever the mirror's defaults become (a larger
// page cache chosen for batch must not grow the import), and stages rows in temp tables on disk.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openMirror } from '../../src/store/db.js';
import { IMPORT_CACHE_KIB, useImportMemory } from '../../src/store/import-stage.js';
import { tempDir } from '../helpers/cx.js';

describe('useImportMemory', () => {
  it('sets the page caches and puts temp tables on disk, over any larger setting', () => {
    const db = openMirror(join(tempDir(), 'm.db'), { create: true });
    try {
      db.pragma('cache_size = -500000');
      db.pragma('temp.cache_size = -500000');
      db.pragma('temp_store = MEMORY');
      useImportMemory(db);
      expect(db.pragma('main.cache_size', { simple: true })).toBe(-IMPORT_CACHE_KIB);
      expect(db.pragma('temp.cache_size', { simple: true })).toBe(-IMPORT_CACHE_KIB);
      expect(db.pragma('temp_store', { simple: true })).toBe(1);
      expect(IMPORT_CACHE_KIB).toBeLessThanOrEqual(32_000);
    } finally {
      db.close();
    }
  });
});
