// The audit clock cannot be moved by an agent (issue 20, part 1): on an encrypted mirror (real data) CX_NOW
// moves nothing — not the audit rows, not the dates a change records, not the reset window — and a row is
// never dated before the row it follows, which `cx audit --verify` checks. CX_NOW still pins the clock of a
// plaintext mirror (synthetic data). These runs are processes on the real clock (`now: 'real'`), with CX_NOW
// set as an agent would set it.
import { describe, expect, it } from 'vitest';
import { chainHash, type AuditFields } from '../../src/rules/audit-chain.js';
import { cx, demoMirror, plainDemoMirror, query } from '../helpers/cx.js';
import { openDb } from '../helpers/sqlite.js';

const BACKDATED = '2020-01-01T00:00:00.000Z';
const NOT_USED = 'CX_NOW is not used: the mirror is encrypted';

interface Row {
  id: number;
  at: string;
  action: string;
}

const rowsAfter = (db: string, id: number): Row[] => query<Row>(db, 'SELECT id, at, action FROM audit_log WHERE id > ? ORDER BY id', id);
const lastId = (db: string): number => query<{ id: number }>(db, 'SELECT max(id) AS id FROM audit_log')[0]!.id;

/** A row appended by hand with a good hash, as someone writing the file with its key could. */
function appendByHand(db: string, at: string): number {
  const conn = openDb(db);
  try {
    const last = conn.prepare('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as { hash: string };
    const fields: AuditFields = { at, agent: 'mallory', action: 'lookup', ticket: null, account_id: '1001', outcome: 'read', detail: 'by hand' };
    const hash = chainHash(last.hash, fields);
    const info = conn.prepare('INSERT INTO audit_log (at, agent, action, ticket, account_id, outcome, detail, prev_hash, hash) VALUES (@at, @agent, @action, @ticket, @account_id, @outcome, @detail, @prev_hash, @hash)').run({ ...fields, prev_hash: last.hash, hash });
    return Number(info.lastInsertRowid);
  } finally {
    conn.close();
  }
}

describe('the clock of an encrypted mirror', () => {
  it('CX_NOW moves nothing: audit rows, the deactivation date and the pending change follow the real clock, said once on stderr', () => {
    const db = demoMirror();
    const from = lastId(db);
    const before = Date.now();
    const r = cx(['deactivate', 'hannah.schafer@gmail.com', '--ticket', 'T-CLK-1', '--yes', '--json'], { db, now: 'real', env: { CX_NOW: BACKDATED } });
    const after = Date.now();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split(NOT_USED)).toHaveLength(2);
    const rows = rowsAfter(db, from);
    expect(rows.map((row) => row.action)).toEqual(['deactivate']);
    for (const row of rows) {
      expect(Date.parse(row.at), row.at).toBeGreaterThanOrEqual(before);
      expect(Date.parse(row.at), row.at).toBeLessThanOrEqual(after);
    }
    const today = new Date(before).toISOString().slice(0, 10);
    expect(r.json().deactivated_at).toBe(today);
    expect(query(db, "SELECT deactivated_at FROM accounts WHERE id = '1030'")).toEqual([{ deactivated_at: today }]);
    for (const change of query<{ created_at: string }>(db, "SELECT created_at FROM changes WHERE account_id = '1030'")) {
      expect(Date.parse(change.created_at)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(change.created_at)).toBeLessThanOrEqual(after);
    }
    expect(cx(['audit', '--verify', '--json'], { db, now: 'real' }).json()).toMatchObject({ ok: true, first_bad_row: null });
  });

  it('CX_NOW does not move the reset window: a second reset a "pinned" 20 minutes later is still within it', () => {
    const db = demoMirror();
    const reset = (ticket: string, at: string) => cx(['reset', 'aaliyah.johnson@gmail.com', '--ticket', ticket, '--yes', '--json'], { db, now: 'real', env: { CX_NOW: at } });
    const first = reset('T-CLK-2', '2031-01-01T00:00:00.000Z');
    expect(first.code, first.stderr).toBe(0);
    expect(first.json().outcome).toBe('done');
    const second = reset('T-CLK-3', '2031-01-01T00:20:00.000Z');
    expect(second.code, second.stderr).toBe(0);
    expect(second.json().outcome).toBe('already_done');
    expect(query(db, "SELECT count(*) AS n FROM outbox WHERE to_email = 'aaliyah.johnson@gmail.com'")).toEqual([{ n: 1 }]);
  });

  it('a row is never dated before the row it follows: after a row from the future, the next takes its time', () => {
    const db = demoMirror();
    const future = '2099-01-01T00:00:00.000Z';
    const mine = appendByHand(db, future);
    const r = cx(['lookup', 'jane.doe@gmail.com'], { db, now: 'real' });
    expect(r.code, r.stderr).toBe(0);
    expect(rowsAfter(db, mine).map((row) => row.at)).toEqual([future]);
    expect(cx(['audit', '--verify', '--json'], { db, now: 'real' }).json()).toMatchObject({ ok: true });
  });

  it('cx audit --verify fails (exit 6) on a row dated before the row it follows, though every hash holds', () => {
    const db = demoMirror();
    expect(cx(['lookup', 'jane.doe@gmail.com'], { db, now: 'real' }).code).toBe(0);
    const backdated = appendByHand(db, BACKDATED);
    const r = cx(['audit', '--verify'], { db, now: 'real' });
    expect(r.code).toBe(6);
    expect(r.stderr).toContain(`the chain is BROKEN at row ${backdated} (of ${backdated}): it is dated before the row it follows, so its time was moved back`);
    expect(cx(['audit', '--verify', '--json'], { db, now: 'real' }).json()).toMatchObject({ ok: false, first_bad_row: backdated });
    const doctor = cx(['db', 'doctor', '--strict', '--json'], { db, now: 'real' });
    expect(doctor.code).toBe(6);
    expect(doctor.json().checks.find((c: { name: string }) => c.name === 'audit_chain')).toMatchObject({ ok: false, detail: expect.stringContaining('dated before the row it follows') });
  });
});

describe('the clock of a plaintext mirror (synthetic data)', () => {
  it('CX_NOW still pins it, and nothing is said about it', () => {
    const db = plainDemoMirror();
    const pinned = '2026-11-28T09:30:00.000Z';
    const from = lastId(db);
    const r = cx(['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'T-CLK-4', '--yes'], { db, now: 'real', env: { CX_NOW: pinned } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('CX_NOW');
    expect(rowsAfter(db, from).map((row) => row.at)).toEqual([pinned]);
  });
});
