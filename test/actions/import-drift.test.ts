// The import compares staged rows with the mirror before it takes the write lock; other agents keep
// working meanwhile. Whatever they commit between that comparison and the apply must not be missed: the
// result is what the row-by-row import, run after them, would have left. The gap is reached through the
// progress callback, which the import calls just before it takes the write lock.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { importMirror, type ImportProgress, type ImportReport } from '../../src/actions/import-mirror.js';
import { appendAudit } from '../../src/store/audit.js';
import { openMirror } from '../../src/store/db.js';
import { cx, DEMO, demoMirror, NOW, query, tempDir } from '../helpers/cx.js';
import { editExport } from '../helpers/world.js';
import { TEST_KEYS, openDb } from '../helpers/sqlite.js';

async function importWithGap(db: string, dir: string, inTheGap: () => void): Promise<ImportReport> {
  const conn = openMirror(db, { keys: TEST_KEYS });
  try {
    return await importMirror(
      {
        db: conn,
        agent: 'test-agent',
        now: new Date(NOW),
        dryRun: false,
        onProgress: (p: ImportProgress) => {
          if (p.phase === 'applying') inTheGap();
        },
      },
      dir,
    );
  } finally {
    conn.close();
  }
}

/** Another agent's change, as cx commands make them: the change and its audit row in one transaction. */
function otherAgent(db: string, change: (conn: Database.Database) => void, accountId: string): void {
  const conn = openDb(db);
  conn.transaction(() => {
    change(conn);
    appendAudit(conn, { agent: 'other-agent', action: 'test.change', ticket: 'T-1', account_id: accountId, outcome: 'done', detail: 'made in the gap' }, new Date(NOW));
  })();
  conn.close();
}

const changedIn = (report: ImportReport, file: string): number => report.files.find((f) => f.file === file)!.changed;

function exportCopy(): string {
  const dir = join(tempDir(), 'export');
  cpSync(DEMO, dir, { recursive: true });
  return dir;
}

describe('changes committed between the comparison and the apply', () => {
  it('by another command: the rows it touched are compared again under the lock', async () => {
    const db = demoMirror();
    const suppressed = query<{ email_key: string }>(db, 'SELECT email_key FROM suppressions ORDER BY email_key LIMIT 1')[0]!.email_key;
    const report = await importWithGap(db, DEMO, () => {
      otherAgent(db, (c) => c.prepare("UPDATE accounts SET status = 'deactivated' WHERE id = '1001'").run(), '1001');
      otherAgent(db, (c) => c.prepare('DELETE FROM suppressions WHERE email_key = ?').run(suppressed), '1001');
      // A read that only writes its audit row, as lookups do.
      otherAgent(db, () => {}, '1002');
    });
    expect(query(db, "SELECT status FROM accounts WHERE id = '1001'")).toEqual([{ status: 'active' }]);
    expect(query(db, 'SELECT count(*) AS n FROM suppressions WHERE email_key = ?', suppressed)).toEqual([{ n: 1 }]);
    expect(changedIn(report, 'accounts.csv')).toBe(1);
    expect(changedIn(report, 'suppressions.csv')).toBe(1);
    expect(changedIn(report, 'appointments.csv')).toBe(0);
  });

  it('by another import: everything is compared again under the lock', async () => {
    const db = demoMirror();
    const other = exportCopy();
    editExport(other, 'accounts.csv', (row) => (row.id === '1002' ? { ...row, last_name: 'Renamed' } : row));
    editExport(other, 'appointments.csv', (row, i) => (i === 0 ? { ...row, kind: row.kind === 'intake' ? 'session' : 'intake' } : row));
    const before = query(db, 'SELECT * FROM appointments ORDER BY id');
    const report = await importWithGap(db, DEMO, () => {
      const r = cx(['db', 'import', other], { db });
      expect(r.code, r.stderr).toBe(0);
    });
    expect(query<{ last_name: string }>(db, "SELECT last_name FROM accounts WHERE id = '1002'")[0]!.last_name).not.toBe('Renamed');
    expect(query(db, 'SELECT * FROM appointments ORDER BY id')).toEqual(before);
    expect(changedIn(report, 'accounts.csv')).toBe(1);
    expect(changedIn(report, 'appointments.csv')).toBe(1);
  });

  it('by another import that takes an address this one gives a new account: refused, nothing written', async () => {
    const db = demoMirror();
    const ours = exportCopy();
    const theirs = exportCopy();
    const newAccount = (id: string) => (row: Record<string, string>, i: number) => (i === 0 ? [row, { ...row, id, email: 'shared.address@example.org' }] : row);
    editExport(ours, 'accounts.csv', newAccount('ours-1'));
    editExport(theirs, 'accounts.csv', newAccount('theirs-1'));
    let between: unknown[] = [];
    await expect(
      importWithGap(db, ours, () => {
        expect(cx(['db', 'import', theirs], { db }).code).toBe(0);
        between = query(db, 'SELECT * FROM accounts ORDER BY id');
      }),
    ).rejects.toMatchObject({ details: [expect.stringMatching(/^accounts\.csv:3: email already belongs to account theirs-1/)] });
    expect(query(db, 'SELECT * FROM accounts ORDER BY id')).toEqual(between);
  });
  it('a deactivation made in the gap: its change, recorded after the comparison, is kept', async () => {
    const db = demoMirror();
    const report = await importWithGap(db, DEMO, () => {
      expect(cx(['deactivate', 'hannah.schafer@gmail.com', '--ticket', 'T-1', '--yes'], { db }).code).toBe(0);
    });
    expect(report.kept).toEqual([{ account_id: '1030', field: 'status' }]);
    expect(query(db, "SELECT status FROM accounts WHERE id = '1030'")).toEqual([{ status: 'deactivated' }]);
  });

  it('a change delivered in the gap (by cx sync push, here in SQL): the platform decides, a conflict', async () => {
    const db = demoMirror();
    expect(cx(['deactivate', 'hannah.schafer@gmail.com', '--ticket', 'T-1', '--yes'], { db }).code).toBe(0);
    const report = await importWithGap(db, DEMO, () => {
      otherAgent(db, (c) => c.prepare("UPDATE changes SET state = 'delivered', delivered_at = ? WHERE kind = 'deactivate_client'").run(NOW), '1030');
    });
    expect(report.conflicts).toEqual([{ account_id: '1030', field: 'status', cx: 'deactivated', platform: 'active' }]);
    expect(query(db, "SELECT status, retain_until FROM accounts WHERE id = '1030'")).toEqual([{ status: 'active', retain_until: null }]);
    expect(query(db, "SELECT reconciled_at FROM changes WHERE kind = 'deactivate_client'")).toEqual([{ reconciled_at: NOW }]);
  });
});
