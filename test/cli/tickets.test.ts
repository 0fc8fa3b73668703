// Issue 10 §5 and docs/reference.md#tickets: ticket ids are checked; the exactly-once key of a change is
// (help desk, ticket id, action, account); single commands record their change in the same ledger.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { demoMirror, query, snapshot, tempDir } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { openDb } from '../helpers/sqlite.js';

const WEI = 'b4c5d6e7-f8a9-4b0c-8d1e-2f3a4b5c6d7e';
const status = (db: string, id: string) => query(db, 'SELECT status FROM accounts WHERE id = ?', id)[0].status;

async function batch(db: string, csv: string, extra: string[] = []) {
  const dir = tempDir();
  const file = join(dir, 't.csv');
  const out = join(dir, 'r.csv');
  writeFileSync(file, csv);
  const r = await cxIn(['batch', file, '--yes', '--out', out, ...extra], { db });
  const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Array<Record<string, string>>;
  return { code: r.code, stderr: r.stderr, rows };
}

describe('ticket identity', () => {
  it('the same ticket id asking for another action on another account is a separate change', async () => {
    const db = demoMirror();
    const first = await batch(db, 'ticket_id,type,email\n48213,lookup,jane.doe@gmail.com\n');
    expect(first.rows[0]).toMatchObject({ outcome: 'done', account_id: '1001' });
    const second = await batch(db, 'ticket_id,type,email\n48213,deactivate_client,wei.chen@gmail.com\n48213,lookup,jane.doe@gmail.com\n');
    expect(second.rows.map((r) => [r.outcome, r.account_id])).toEqual([['done', WEI], ['already_done', '1001']]);
    expect(status(db, WEI)).toBe('deactivated');
    expect(second.code).toBe(0);
  });

  it('a Zendesk ticket 48213 and a Freshdesk ticket 48213 are different tickets; the canonical CSV follows CX_DESK', async () => {
    const db = demoMirror();
    const zendesk = 'Id,Requester email,Tags\n48213,jane.doe@gmail.com,lookup\n';
    const freshdesk = 'Ticket Id,Email,Type\n48213,jane.doe@gmail.com,Lookup\n';
    expect((await batch(db, zendesk)).rows[0]!.outcome).toBe('done');
    expect((await batch(db, freshdesk)).rows[0]!.outcome).toBe('done');
    expect((await batch(db, zendesk)).rows[0]!.outcome).toBe('already_done');
    expect(query(db, 'SELECT desk, ticket_id, action, account_id FROM processed_tickets ORDER BY desk')).toEqual([
      { desk: 'freshdesk', ticket_id: '48213', action: 'lookup', account_id: '1001' },
      { desk: 'zendesk', ticket_id: '48213', action: 'lookup', account_id: '1001' },
    ]);
    // A team working in Zendesk sets its desk once: its canonical CSV then matches the Zendesk export.
    const canonical = 'ticket_id,type,email\n48213,lookup,jane.doe@gmail.com\n';
    expect((await batch(db, canonical)).rows[0]!.outcome).toBe('done'); // desk cx
    const dir = tempDir();
    writeFileSync(join(dir, 't.csv'), canonical);
    const r = await cxIn(['batch', join(dir, 't.csv'), '--yes', '--json', '--out', join(dir, 'r.csv')], { db, env: { CX_DESK: 'zendesk' } });
    expect(r.json().by_outcome).toMatchObject({ already_done: 1 });
    expect((await cxIn(['batch', join(dir, 't.csv'), '--yes', '--desk', 'Not a desk!', '--out', join(dir, 'r2.csv')], { db })).code).toBe(2);
  });

  it('a change made by hand with --ticket is in the ledger: the batch row for it is already_done, and says so', async () => {
    const db = demoMirror();
    expect((await cxIn(['deactivate', 'wei.chen@gmail.com', '--ticket', '48214', '--yes'], { db })).code).toBe(0);
    const before = snapshot(db);
    const r = await batch(db, 'ticket_id,type,email\n48214,deactivate_client,Wei.Chen@gmail.com\n');
    expect(r.rows[0]).toMatchObject({ outcome: 'already_done', account_id: WEI });
    expect(r.rows[0]!.detail).toMatch(/^already processed by hand \(a single cx command\) on .* by test-agent: deactivated /);
    const { processed_tickets: _a, audit_log: _b, ...rest } = snapshot(db);
    const { processed_tickets: _c, audit_log: _d, ...restBefore } = before;
    expect(rest).toEqual(restBefore);
    // The single command keeps its own rules: a reset may be sent again after the de-duplication window (once
    // the first was sent: the platform has it).
    expect((await cxIn(['reset', 'jane.doe@gmail.com', '--ticket', '48215', '--yes'], { db })).code).toBe(0);
    const sent = openDb(db);
    sent.prepare(`UPDATE changes SET state = 'delivered', delivered_at = created_at WHERE ticket = '48215'`).run();
    sent.close();
    const later = await cxIn(['reset', 'jane.doe@gmail.com', '--ticket', '48215', '--yes', '--json'], { db, now: '2026-11-27T13:00:00.000Z' });
    expect(later.json().outcome).toBe('done');
    expect(query(db, "SELECT n FROM changes WHERE ticket = '48215' ORDER BY id")).toEqual([{ n: 1 }, { n: 2 }]);
    expect(query(db, "SELECT count(*) n FROM processed_tickets WHERE ticket_id = '48215'")[0].n).toBe(1);
  });

  it.each([
    ['a zero-width space', 'T\u200b1', /U\+200B/],
    ['a right-to-left override', '48\u202e213', /U\+202E/],
    ['a line break', 'T-1\nT-2', /U\+000A/],
    ['65 characters', '9'.repeat(65), /65 characters long; at most 64/],
    ['nothing', '   ', /empty/],
  ])('--ticket with %s is exit 2 before anything happens', async (_what, ticket, message) => {
    const db = demoMirror();
    const before = snapshot(db);
    const r = await cxIn(['reset', 'jane.doe@gmail.com', '--ticket', ticket, '--yes'], { db });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(snapshot(db)).toEqual(before);
  });

  it('a ticket id is stored in NFC: the same ticket typed with a combining accent is the same ticket', async () => {
    const db = demoMirror();
    expect((await cxIn(['deactivate', 'wei.chen@gmail.com', '--ticket', 'Cafe\u0301-1', '--yes'], { db })).code).toBe(0);
    expect(query(db, 'SELECT ticket_id FROM processed_tickets')).toEqual([{ ticket_id: 'Caf\u00e9-1' }]);
    const r = await batch(db, 'ticket_id,type,email\nCaf\u00e9-1,deactivate_client,wei.chen@gmail.com\n');
    expect(r.rows[0]!.outcome).toBe('already_done');
  });

  it('the agent name is checked the same way', async () => {
    const db = demoMirror();
    expect((await cxIn(['lookup', 'jane.doe@gmail.com'], { db, env: { CX_AGENT: 'dana\u202e' } })).code).toBe(2);
  });
});
