// The notes export action on a real temporary SQLite file (issue 20 §3): its started row names every client
// whose notes the zip is to hold, and is committed before the first byte; notes about a client it does not
// name (written by an import between that row and the read of the notes) never reach the disk.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionDeps } from '../../src/actions/common.js';
import { exportNotes } from '../../src/actions/notes-export.js';
import { openMirror, sql, writeTransaction, type Db } from '../../src/store/db.js';
import { demoMirror, NOW, tempDir } from '../helpers/cx.js';
import { openDb, TEST_KEYS } from '../helpers/sqlite.js';

const P202 = 'rafael.castellanos@proton.me';

describe('exportNotes (action): the clients its started row names', () => {
  let path: string;
  let db: Db;
  const deps: () => ActionDeps = () => ({ db, now: new Date(NOW), agent: 'tester', ticket: 'A-1', desk: 'cx', dryRun: false, via: 'command' });
  const exportRows = () => sql<{ action: string; detail: string }>(db, "SELECT action, detail FROM audit_log WHERE action LIKE 'notes.export%' ORDER BY id").all();

  beforeEach(() => {
    path = demoMirror();
    db = openMirror(path, { keys: TEST_KEYS });
  });
  afterEach(() => db.close());

  it('a note about another client, added once the started row is in: the export stops before its bytes, abandoned, no file', async () => {
    const dir = tempDir();
    let added = false;
    const r = await exportNotes(deps(), { email: P202, out: join(dir, 'n.zip') }, {
      transact: async (work) => {
        const out = writeTransaction(db, work);
        if (!added) {
          // Another process (an import) writes between the started row and the read of the notes.
          added = true;
          const other = openDb(path);
          other.prepare("INSERT INTO progress_notes VALUES ('late-note', 'p202', '1001', '2026-11-01', 'Late', 'written meanwhile', NULL)").run();
          other.close();
        }
        return out;
      },
    });
    expect(added).toBe(true);
    expect(r.outcome).toBe('error');
    expect(r.detail).toContain('a note about client 1001 appeared after the export was recorded: the notes changed during the export');
    expect(readdirSync(dir)).toEqual([]);
    const rows = exportRows();
    expect(rows.map((x) => x.action)).toEqual(['notes.export.started', 'notes.export.abandoned']);
    expect(rows[0]!.detail).not.toContain('1001');
    expect(rows[1]!.detail).toMatch(/^not handed over: writing .* failed: a note about client 1001 appeared after the export was recorded/);
  });

  it('without a change in between, the same export is handed over naming the six clients', async () => {
    const r = await exportNotes(deps(), { email: P202, out: join(tempDir(), 'n.zip') });
    expect(r).toMatchObject({ outcome: 'done', notes: 47, client_ids: ['00917', '1020', '1021', '1022', '3f6c1d2e-8a4b-4c7d-b5e9-0d1f2a3b4c5d', '9d8e7f6a-5b4c-4a3b-8c2d-1e0f9a8b7c6d'] });
    expect(exportRows().map((x) => x.action)).toEqual(['notes.export.started', 'notes.export']);
  });
});
