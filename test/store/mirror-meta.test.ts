// The time of the last import, as `cx db doctor --strict --max-age` reads it.
import { describe, expect, it } from 'vitest';
import { openMirror } from '../../src/store/db.js';
import { lastImportAt, recordImportTime } from '../../src/store/mirror-meta.js';
import { emptyMirror } from '../helpers/cx.js';
import { TEST_KEYS } from '../helpers/sqlite.js';

describe('lastImportAt', () => {
  it('is null before any import, then the time last recorded (ISO UTC)', () => {
    const db = openMirror(emptyMirror(), { keys: TEST_KEYS });
    try {
      expect(lastImportAt(db)).toBeNull();
      recordImportTime(db, new Date('2026-11-27T12:00:00+01:00'));
      recordImportTime(db, new Date('2026-11-28T06:30:00Z'));
      expect(lastImportAt(db)).toBe('2026-11-28T06:30:00.000Z');
    } finally {
      db.close();
    }
  });
});
