// The streaming import against the row-by-row import it replaced (test/oracle/row-by-row-import.ts, a copy
// of it): a generated world, then the same world changed here and there (and one table changed wholesale),
// then again unchanged, loaded by both into their own mirrors. Every imported table must be equal row for
// row (in storage order too), and so must the reports. Large enough that the first load and the wholesale
// change take the bulk path (indexes dropped and rebuilt) and the small changes the row-by-row path.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openMirror } from '../../src/store/db.js';
import { emptyMirror, NOW, query, tempDir } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { editExport, exportWorld } from '../helpers/world.js';
import { importMirrorRowByRow, type ImportReport } from '../oracle/row-by-row-import.js';
import { TEST_KEYS, openDb } from '../helpers/sqlite.js';

const TABLES = ['accounts', 'former_emails', 'suppressions', 'appointments', 'progress_notes'];

function tableRows(db: string, table: string): string {
  return JSON.stringify(query(db, `SELECT rowid AS _rowid, * FROM ${table} ORDER BY rowid`));
}

function oracleImport(db: string, dir: string): Omit<ImportReport, 'dir'> {
  const conn = openMirror(db, { keys: TEST_KEYS, create: true });
  try {
    const { dir: _dir, ...report } = importMirrorRowByRow({ db: conn, agent: 'test-agent', now: new Date(NOW), dryRun: false }, dir);
    return report;
  } finally {
    conn.close();
  }
}

async function streamingImport(db: string, dir: string): Promise<Omit<ImportReport, 'dir'>> {
  const r = await cxIn(['db', 'import', dir, '--json'], { db });
  expect(r.code, r.stderr).toBe(0);
  // The oracle knows nothing of cx's own changes; these worlds have none.
  const { dir: _dir, notes_rewritten: _n, kept, conflicts, ...report } = r.json();
  expect([kept, conflicts]).toEqual([[], []]);
  return report;
}

function expectSameMirrors(streamed: string, oracle: string): void {
  for (const table of TABLES) expect(tableRows(streamed, table), table).toBe(tableRows(oracle, table));
}

describe('the streaming import equals the row-by-row import, table for table', () => {
  let dir: string;
  let streamed: string;
  let oracle: string;

  beforeAll(() => {
    dir = exportWorld(join(tempDir('cx-oracle-'), 'world'), 25_000, { notes: 400 });
    streamed = emptyMirror();
    oracle = join(tempDir(), 'oracle.db');
  }, 300_000);

  it('on a first load of a generated world', async () => {
    const ours = await streamingImport(streamed, dir);
    expect(ours).toEqual(oracleImport(oracle, dir));
    expect(ours.files.find((f: { file: string }) => f.file === 'accounts.csv')).toMatchObject({ rows: 25_000, changed: 25_000 });
    expectSameMirrors(streamed, oracle);
  });

  it('on a re-import with scattered changes, new rows and every appointment changed', async () => {
    editExport(dir, 'accounts.csv', (row, i) => {
      if (i % 97 === 0) row.status = row.status === 'active' ? 'deactivated' : 'active';
      if (i % 211 === 0) row.last_name = `${row.last_name}-Smith`;
      if (i % 389 === 0) row.email = `moved.${i}@example.org`;
      if (i % 1000 === 1) return [row, { ...row, id: `new-${i}`, email: `new.${i}@example.net` }];
      return row;
    });
    editExport(dir, 'appointments.csv', (row) => ({ ...row, booked_via: row.booked_via === 'search' ? 'provider' : 'search' }));
    editExport(dir, 'progress_notes.csv', (row, i) => (i % 50 === 0 ? { ...row, body: `${row.body}\r\nAddendum ${i}.` } : row));
    editExport(dir, 'suppressions.csv', (row, i) => (i % 10 === 0 ? { ...row, reason: 'bounce' } : row));
    editExport(dir, 'former_emails.csv', (row, i) => (i % 7 === 0 ? { ...row, changed_at: '2026-01-02T03:04:05Z' } : row));

    const ours = await streamingImport(streamed, dir);
    expect(ours).toEqual(oracleImport(oracle, dir));
    for (const f of ours.files) expect(f.changed, f.file).toBeGreaterThan(0);
    expectSameMirrors(streamed, oracle);
  });

  it('on a re-import of unchanged files: nothing changes', async () => {
    const ours = await streamingImport(streamed, dir);
    expect(ours).toEqual(oracleImport(oracle, dir));
    for (const f of ours.files) expect(f.changed, f.file).toBe(0);
    expectSameMirrors(streamed, oracle);
    const conn = openDb(streamed, { readonly: true });
    expect(conn.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(conn.pragma('foreign_key_check')).toEqual([]);
    conn.close();
  });
});
