import { beforeAll, describe, expect, it } from 'vitest';
import { demoMirror, snapshot } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { openDb } from '../helpers/sqlite.js';

describe('cx outbox', () => {
  let db: string;

  beforeAll(async () => {
    db = demoMirror();
    const resets: Array<[string, string]> = [
      ['aaliyah.johnson@gmail.com', 'T-1'],
      ['m.okafor@brightpathcounseling.com', 'T-2'],
      ['noah.kim@icloud.com', 'T-3'],
      ['ben.hartley@brightlane-logistics.com', 'T-3'],
    ];
    for (const [email, ticket] of resets) {
      const r = await cxIn(['reset', email, '--ticket', ticket, '--yes'], { db });
      if (r.code !== 0) throw new Error(`setup reset ${email} failed: ${r.stderr}`);
    }
    // cx sync push delivered these.
    const conn = openDb(db);
    conn.prepare("UPDATE changes SET state = 'delivered' WHERE account_id = 'p201'").run();
    conn.close();
  });

  it('lists every row, oldest first, with exactly the promised keys', async () => {
    const r = await cxIn(['outbox', '--json'], { db });
    expect(r.code).toBe(0);
    const rows = r.json();
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(['id', 'to', 'template', 'subject', 'account_id', 'ticket', 'created_at', 'status']);
      expect(typeof row.id).toBe('number'); // row ids are numbers (docs/reference.md#json-output)
    }
    expect(rows[0]).toEqual({
      id: rows[0].id,
      to: 'aaliyah.johnson@gmail.com',
      template: 'client_password_reset',
      subject: 'Reset your Headway password',
      account_id: '1032',
      ticket: 'T-1',
      created_at: '2026-11-27T12:00:00.000Z',
      status: 'pending',
    });
    expect(rows.map((x: { account_id: string }) => x.account_id)).toEqual(['1032', 'p201', '1011', '1015']);
  });

  it('filters by status, by ticket (the global --ticket) and by address', async () => {
    const sent = (await cxIn(['outbox', '--status', 'delivered', '--json'], { db })).json();
    expect(sent.map((x: { account_id: string }) => x.account_id)).toEqual(['p201']);
    const queued = (await cxIn(['outbox', '--status', 'QUEUED', '--json'], { db })).json();
    expect(queued).toHaveLength(3);
    expect((await cxIn(['outbox', '--status', 'pending', '--json'], { db })).json()).toEqual(queued);
    expect((await cxIn(['outbox', '--status', 'sent', '--json'], { db })).json()).toEqual(sent);
    const byTicket = (await cxIn(['outbox', '--ticket', 'T-3', '--json'], { db })).json();
    expect(byTicket.map((x: { account_id: string }) => x.account_id)).toEqual(['1011', '1015']);
    // By the address the email went to (any case), or by a former address of the account.
    const byTo = (await cxIn(['outbox', '--email', 'Noah.Kim@iCloud.com', '--json'], { db })).json();
    expect(byTo.map((x: { account_id: string }) => x.account_id)).toEqual(['1011']);
    const byFormer = (await cxIn(['outbox', '--email', 'ben.hartley@brightlane-logistics.com', '--json'], { db })).json();
    expect(byFormer.map((x: { to: string }) => x.to)).toEqual(['benjamin.hartley@gmail.com']);
    const both = (await cxIn(['outbox', '--email', 'noah.kim@icloud.com', '--ticket', 'T-1', '--json'], { db })).json();
    expect(both).toEqual([]);
  });

  it('prints a table for people, and says when nothing matches', async () => {
    const r = await cxIn(['outbox', '--ticket', 'T-2'], { db });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/provider_password_reset/);
    expect(r.stdout).toMatch(/Please Verify Your Headway Account/);
    expect(r.stdout).not.toMatch(/aaliyah/);
    const none = await cxIn(['outbox', '--status', 'failed'], { db });
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/No emails in the outbox match/);
    expect((await cxIn(['outbox', '--status', 'failed', '--json'], { db })).json()).toEqual([]);
  });

  it('refuses a bad --status or --email with exit 2, and never writes', async () => {
    const before = snapshot(db);
    const bad = await cxIn(['outbox', '--status', 'cancelled'], { db });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--status must be one of pending, delivered, failed/);
    expect(bad.stdout).toBe('');
    expect((await cxIn(['outbox', '--email', 'not-an-address', '--json'], { db })).json()).toMatchObject({ outcome: 'invalid' });
    expect(snapshot(db)).toEqual(before);
  });

  it('an empty outbox is an empty list', async () => {
    const empty = demoMirror();
    expect((await cxIn(['outbox', '--json'], { db: empty })).json()).toEqual([]);
  });
});
