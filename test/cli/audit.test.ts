import { describe, expect, it } from 'vitest';
import { demoMirror, query } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { openDb } from '../helpers/sqlite.js';

describe('cx audit', () => {
  it('refuses UPDATE and DELETE inside SQLite', async () => {
    const db = demoMirror();
    const conn = openDb(db);
    expect(() => conn.prepare("UPDATE audit_log SET detail = 'x'").run()).toThrow(/append-only/);
    expect(() => conn.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    conn.close();
  });

  it('lists rows and filters them', async () => {
    const db = demoMirror();
    const all = await cxIn(['audit', '--json'], { db });
    expect(all.code).toBe(0);
    expect(all.json()).toHaveLength(1);
    expect(all.json()[0]).toMatchObject({ action: 'db.seed', agent: 'test-agent' });
    const none = await cxIn(['audit', '--ticket', 'NO-SUCH', '--json'], { db });
    expect(none.json()).toEqual([]);
    const later = await cxIn(['audit', '--since', '2099-01-01'], { db });
    expect(later.stdout).toBe('');
    expect(later.stderr).toMatch(/No audit rows match/);
    const bad = await cxIn(['audit', '--since', '2024-02-30'], { db });
    expect(bad.code).toBe(2);
  });

  it('--verify names the row edited behind its back (exit 6)', async () => {
    // No platform configured: only the local chain is checked (test/cli/audit-witness.test.ts: with one).
    const LOCAL_ONLY = { status: 'not_configured', anchored_id: null, detail: 'not configured' };
    const db = demoMirror();
    // A second row, so the edit is in the middle of the chain.
    expect((await cxIn(['db', 'import', 'fixtures/demo'], { db })).code).toBe(0);
    expect((await cxIn(['audit', '--verify', '--json'], { db })).json()).toEqual({ ok: true, rows: 2, first_bad_row: null, anchored_id: null, unanchored_rows: 2, remote: LOCAL_ONLY });
    const conn = openDb(db);
    conn.exec('DROP TRIGGER audit_log_no_update');
    conn.prepare("UPDATE audit_log SET agent = 'mallory' WHERE id = 1").run();
    conn.close();
    const r = await cxIn(['audit', '--verify', '--json'], { db });
    expect(r.code).toBe(6);
    expect(r.json()).toEqual({ ok: false, rows: 2, first_bad_row: 1, anchored_id: null, unanchored_rows: 2, remote: LOCAL_ONLY });
    const human = await cxIn(['audit', '--verify'], { db });
    expect(human.stdout).toBe('');
    expect(human.stderr).toMatch(/^cx: audit log: the chain is BROKEN at row 1/);
    expect(query(db, 'SELECT count(*) AS n FROM audit_log')[0].n).toBe(2);
  });
});
