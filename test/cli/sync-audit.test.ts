// The audit log leaves the machine: `cx sync push` ships the rows not yet anchored and keeps the anchor;
// `cx audit --verify` then fails (exit 6) when the chain no longer reaches the anchor unchanged: rows cut off
// or rewritten below it behind cx's back (the append-only triggers dropped). Rows after the anchor are
// counted as not yet anchored: only the platform's copy protects rows, and it has not got those yet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainHash, GENESIS_HASH, type AuditRow } from '../../src/rules/audit-chain.js';
import type { StandIn } from '../support/platform-stand-in.js';
import { copyMirror, demoMirror, query } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { push, standIn, write } from '../helpers/sync.js';
import { openDb } from '../helpers/sqlite.js';

let platform: StandIn;
let pushed: string;
let anchored: number;

beforeAll(async () => {
  platform = await standIn();
  pushed = demoMirror();
  for (const [email, ticket] of [['jane.doe@gmail.com', 'A-1'], ['noah.kim@icloud.com', 'A-2'], ['wei.chen@gmail.com', 'A-3']]) {
    const r = await cxIn(['reset', email!, '--ticket', ticket!, '--yes'], { db: pushed });
    if (r.code !== 0) throw new Error(r.stderr);
  }
  const r = await push(pushed, platform);
  if (r.code !== 0) throw new Error(r.stderr);
  anchored = r.json().audit.anchored_id;
});
afterAll(async () => {
  await platform.close();
});

/** The local chain alone (no platform configured here: test/cli/audit-witness.test.ts asks the platform too). */
async function verify(db: string) {
  const r = await cxIn(['audit', '--verify', '--json'], { db });
  const { remote, ...result } = r.json();
  expect(remote).toEqual({ status: 'not_configured', anchored_id: null, detail: 'not configured' });
  return { code: r.code, result };
}

describe('the audit anchor', () => {
  it('is the last row the platform holds; rows after it are counted as not yet anchored', async () => {
    const rows = query<AuditRow>(pushed, 'SELECT * FROM audit_log ORDER BY id');
    expect(anchored).toBe(rows.at(-1)!.id);
    expect(query(pushed, 'SELECT anchored_id, anchored_hash FROM audit_anchor')).toEqual([{ anchored_id: anchored, anchored_hash: rows.at(-1)!.hash }]);
    const mirror = query<{ value: string }>(pushed, `SELECT value FROM mirror_meta`)[0]!.value;
    expect(platform.audit.get(mirror)).toEqual(rows);
    expect(platform.arrivals.filter((a) => a.kind === 'audit').map((a) => a.id)).toEqual([`${mirror}:1-${anchored}`]);
    expect(await verify(pushed)).toEqual({ code: 0, result: { ok: true, rows: anchored, first_bad_row: null, anchored_id: anchored, unanchored_rows: 0 } });

    const db = copyMirror(pushed, 'copy.db');
    expect((await cxIn(['reset', 'kai.nakamura@gmail.com', '--ticket', 'A-4', '--yes'], { db })).code).toBe(0);
    expect(await verify(db)).toEqual({ code: 0, result: { ok: true, rows: anchored + 1, first_bad_row: null, anchored_id: anchored, unanchored_rows: 1 } });
    expect((await cxIn(['audit', '--verify'], { db })).stdout).toMatch(/the chain holds: \d+ rows; anchored at row \d+ by the platform; 1 row after it not yet anchored/);
    expect((await cxIn(['sync', 'status', '--json'], { db })).json().audit).toEqual({ anchored_id: anchored, unanchored_rows: 1 });
  });

  it('catches rows deleted below the anchor (exit 6); the platform keeps its copy', async () => {
    const db = copyMirror(pushed, 'copy.db');
    write(db, 'DROP TRIGGER audit_log_no_delete');
    write(db, 'DELETE FROM audit_log WHERE id IN (2, 3)');
    expect(await verify(db)).toEqual({ code: 6, result: { ok: false, rows: anchored - 2, first_bad_row: 4, anchored_id: anchored, unanchored_rows: 0 } });
    expect((await cxIn(['audit', '--verify'], { db })).stderr).toMatch(/^cx: audit log: the chain is BROKEN at row 4/);
    expect((await cxIn(['db', 'doctor', '--json'], { db })).code).toBe(6);
    const mirror = query<{ value: string }>(db, `SELECT value FROM mirror_meta`)[0]!.value;
    expect(platform.audit.get(mirror)!.map((r) => r.id).slice(0, 4)).toEqual([1, 2, 3, 4]);
  });

  it('catches the end cut off through the anchor, though the chain that is left holds; push sends nothing on top', async () => {
    const db = copyMirror(pushed, 'copy.db');
    write(db, 'DROP TRIGGER audit_log_no_delete');
    write(db, 'DELETE FROM audit_log WHERE id >= ?', anchored - 1);
    const { code, result } = await verify(db);
    expect(code).toBe(6);
    expect(result).toEqual({ ok: false, rows: anchored - 2, first_bad_row: anchored - 1, anchored_id: anchored, unanchored_rows: 0 });
    expect((await cxIn(['audit', '--verify'], { db })).stderr).toMatch(new RegExp(`row ${anchored}, which the platform anchored, is gone \\(rows from ${anchored - 1} on were cut off\\)`));
    expect((await cxIn(['reset', 'kai.nakamura@gmail.com', '--ticket', 'A-8', '--yes'], { db })).code).toBe(0);
    const before = platform.stats().requests;
    const r = await push(db, platform);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/no longer reaches its anchor/);
    expect(platform.stats().requests).toBe(before + 1); // the change went; no audit row did
  });

  it('catches the whole chain rewritten consistently below the anchor', async () => {
    const db = copyMirror(pushed, 'copy.db');
    write(db, 'DROP TRIGGER audit_log_no_update');
    const conn = openDb(db);
    let prev = GENESIS_HASH;
    for (const row of conn.prepare('SELECT * FROM audit_log ORDER BY id').all() as AuditRow[]) {
      const fields = { ...row, detail: row.id === 2 ? 'nothing happened here' : row.detail };
      const hash = chainHash(prev, fields);
      conn.prepare('UPDATE audit_log SET detail = ?, prev_hash = ?, hash = ? WHERE id = ?').run(fields.detail, prev, hash, row.id);
      prev = hash;
    }
    conn.close();
    expect(await verify(db)).toEqual({ code: 6, result: { ok: false, rows: anchored, first_bad_row: anchored, anchored_id: anchored, unanchored_rows: 0 } });
  });

  it('cannot see rows cut off after the anchor: they were never anchored, and the count says so', async () => {
    const db = copyMirror(pushed, 'copy.db');
    expect((await cxIn(['reset', 'kai.nakamura@gmail.com', '--ticket', 'A-5', '--yes'], { db })).code).toBe(0);
    write(db, 'DROP TRIGGER audit_log_no_delete');
    write(db, 'DELETE FROM audit_log WHERE id > ?', anchored);
    expect(await verify(db)).toEqual({ code: 0, result: { ok: true, rows: anchored, first_bad_row: null, anchored_id: anchored, unanchored_rows: 0 } });
  });

  it('retries a page the platform could not take, and leaves the anchor where it was when the platform refuses one', async () => {
    const db = copyMirror(pushed, 'copy.db');
    expect((await cxIn(['reset', 'kai.nakamura@gmail.com', '--ticket', 'A-6', '--yes'], { db })).code).toBe(0);
    platform.setFault((a) => (a.kind === 'audit' && a.attempt === 1 ? { status: 503, retryAfter: '0' } : undefined));
    const ok = await push(db, platform);
    expect(ok.code, ok.stderr).toBe(0);
    const now = ok.json().audit;
    expect(now.unanchored_rows).toBe(0);
    expect(now.anchored_id).toBeGreaterThan(anchored);

    expect((await cxIn(['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'A-7', '--yes'], { db })).code).toBe(0);
    platform.setFault((a) => (a.kind === 'audit' ? { status: 422, body: { error: 'chain does not continue' } } : undefined));
    const refused = await push(db, platform);
    expect(refused.code).toBe(5);
    expect(refused.json()).toMatchObject({ delivered: 1, pending: 0, audit: { anchored_id: now.anchored_id }, stopped: 'the platform refused the audit log: HTTP 422: chain does not continue' });
    expect(refused.json().audit.unanchored_rows).toBeGreaterThan(0);
    platform.setFault(undefined);
  });
});
