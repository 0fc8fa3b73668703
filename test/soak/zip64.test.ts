// ZIP64: more than 65,535 entries, which the zip format's first directory cannot count (soak tier: it writes
// and reads back 65,602 entries).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyNotesZip } from '../../src/archive/verify.js';
import { HAVE_UNZIP, HEADER, PY_OPEN, run, UNZIP, zipTo } from '../helpers/notes-zip.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cx-zip64-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('ZIP64', () => {
  it(`writes 65,600 notes (65,602 entries) as ZIP64 that ${UNZIP}, Python and verify accept`, async () => {
    const target = join(dir, 'many.zip');
    const notes = (function* () {
      for (let i = 0; i < 65_600; i++) {
        yield { id: `n${i}`, clientId: `c${i % 50}`, clientName: `Client ${i % 50}`, sessionDate: '2024-01-01', title: 'Note', body: `b${i}`, signedAt: null };
      }
    })();
    const result = await zipTo(target, false, { header: HEADER, notes, expectedCount: 65_600 });
    expect(result.notes).toBe(65_600);
    const tail = readFileSync(target).subarray(-200);
    expect(tail.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(true); // ZIP64 end of central directory
    if (HAVE_UNZIP) expect(run('unzip', ['-tq', target]).status).toBe(0);
    expect(run('python3', ['-c', PY_OPEN, target])).toEqual({ status: 0, out: '65602\n' });
    expect(await verifyNotesZip(target)).toEqual({ ok: true, entries: 65_602, notes: 65_600, problems: [] });
  }, 180_000);
});
