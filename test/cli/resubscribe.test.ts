import { describe, expect, it } from 'vitest';
import { demoMirror, query, snapshot } from '../helpers/cx.js';
import { auditChainHolds, cxIn } from '../helpers/in-process.js';
import { openDb } from '../helpers/sqlite.js';

const audits = (db: string) => query(db, "SELECT * FROM audit_log WHERE action <> 'db.seed' ORDER BY id");
const suppression = (db: string, key: string) => query(db, 'SELECT * FROM suppressions WHERE email_key = ?', key)[0];

/** Write straight into the mirror, as a later import would. */
function exec(db: string, text: string): void {
  const conn = openDb(db);
  conn.exec(text);
  conn.close();
}

describe('cx resubscribe: an unsubscribe', () => {
  it('is taken off the list (human), with an audit row, and says what to tell the person', async () => {
    const db = demoMirror();
    const r = await cxIn(['resubscribe', 'k.asante@mindfulroots.org', '--ticket', 'T-10', '--yes'], { db });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^done: took k\.asante@mindfulroots\.org off the suppression list \(unsubscribe since 2026-11-02\)\n/);
    expect(r.stdout).toMatch(/will get Headway email again/);
    expect(r.stdout).toMatch(/cx reset k\.asante@mindfulroots\.org --ticket T-10/);
    expect(suppression(db, 'k.asante@mindfulroots.org')).toBeUndefined();
    expect(audits(db)).toMatchObject([{ action: 'resubscribe', ticket: 'T-10', account_id: 'p204', outcome: 'done' }]);
    expect(query(db, 'SELECT * FROM outbox')).toEqual([]);
    expect(await auditChainHolds(db)).toBe(true);
  });

  it('is found as lookup finds it (any case, spaces) under --json', async () => {
    const db = demoMirror();
    const r = await cxIn(['resubscribe', ' Priya.Raman@Hotmail.com ', '--ticket', 'T-11', '--yes', '--json'], { db });
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({
      outcome: 'done',
      account_id: '1008',
      address: 'priya.raman@hotmail.com',
      suppression: { reason: 'unsubscribe', since: '2026-09-14T08:22:00Z' },
    });
    expect(r.json()).not.toHaveProperty('template');
    expect(suppression(db, 'priya.raman@hotmail.com')).toBeUndefined();
    // Then the reset goes through.
    expect((await cxIn(['reset', 'priya.raman@hotmail.com', '--ticket', 'T-11', '--yes'], { db })).code).toBe(0);
    expect(await auditChainHolds(db)).toBe(true);
  });

  it("lifts the account's current address when typed by a former address, and says so", async () => {
    const db = demoMirror();
    exec(db, "INSERT INTO suppressions VALUES ('benjamin.hartley@gmail.com', 'benjamin.hartley@gmail.com', 'unsubscribe', '2026-10-01T00:00:00Z')");
    const r = await cxIn(['resubscribe', 'ben.hartley@brightlane-logistics.com', '--ticket', 'T-12', '--yes'], { db });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/took benjamin\.hartley@gmail\.com off .* \(found by ben\.hartley@brightlane-logistics\.com, a former address/);
    expect(suppression(db, 'benjamin.hartley@gmail.com')).toBeUndefined();
    expect(await auditChainHolds(db)).toBe(true);
  });

  it('an address no account uses, but on the list, can be taken off it (account_id null)', async () => {
    const db = demoMirror();
    exec(db, "INSERT INTO suppressions VALUES ('lead@example.org', 'Lead@Example.org', 'unsubscribe', '2026-10-01T00:00:00Z')");
    const r = await cxIn(['resubscribe', 'LEAD@example.org', '--ticket', 'T-13', '--yes', '--json'], { db });
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ outcome: 'done', account_id: null, address: 'lead@example.org' });
    expect(r.json().detail).toMatch(/no account uses this address/);
    expect(suppression(db, 'lead@example.org')).toBeUndefined();
    expect(audits(db)).toMatchObject([{ action: 'resubscribe', account_id: null, ticket: 'T-13' }]);
    expect(await auditChainHolds(db)).toBe(true);
  });
});

describe('cx resubscribe: a bounce or a complaint', () => {
  it.each([
    ['grace.whitaker@aol.com', 'Grace.Whitaker@AOL.com', /bounced \(2026-07-02\): the address does not work[\s\S]*Check the address with them/],
    ['tyler.brooks@yahoo.com', 'tyler.brooks@yahoo.com', /reported a Headway email as spam \(2026-10-30\)/],
  ])('%s is refused (exit 4) with the reason and the override command; nothing written', async (email, _stored, message) => {
    const db = demoMirror();
    const before = snapshot(db);
    const human = await cxIn(['resubscribe', email, '--ticket', 'T-14', '--yes'], { db });
    expect(human.code).toBe(4);
    expect(human.stdout).toBe('');
    expect(human.stderr).toMatch(/^cx: /);
    expect(human.stderr).toMatch(message);
    expect(human.stderr).toContain(`\n  cx resubscribe ${email} --force --reason "<why>" --ticket T-14 --yes\n`);
    const json = await cxIn(['resubscribe', email, '--ticket', 'T-14', '--yes', '--json'], { db });
    expect(json.code).toBe(4);
    expect(json.json()).toMatchObject({ outcome: 'refused', fix: `cx resubscribe ${email} --force --reason "<why>" --ticket T-14` });
    expect(snapshot(db)).toEqual(before);
  });

  it('--force without --reason is a usage error (exit 2), before anything is asked or written', async () => {
    const db = demoMirror();
    const before = snapshot(db);
    for (const reason of [[], ['--reason', '   ']]) {
      const r = await cxIn(['resubscribe', 'grace.whitaker@aol.com', '--force', ...reason, '--ticket', 'T-15', '--yes'], { db });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--force needs --reason/);
    }
    expect(snapshot(db)).toEqual(before);
  });

  it('--reason without --force is a usage error (exit 2), not silently ignored', async () => {
    const db = demoMirror();
    const before = snapshot(db);
    const r = await cxIn(['resubscribe', 'priya.raman@hotmail.com', '--reason', 'asked on the phone', '--ticket', 'T-15', '--yes'], { db });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^cx: --reason goes with --force/);
    expect(snapshot(db)).toEqual(before);
  });

  it('--force --reason lifts it, and the reason is in the audit log', async () => {
    const db = demoMirror();
    const why = 'mailbox fixed, confirmed by phone';
    const r = await cxIn(['resubscribe', 'grace.whitaker@aol.com', '--force', '--reason', why, '--ticket', 'T-12', '--yes', '--json'], { db });
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ outcome: 'done', account_id: '1009', forced: true, suppression: { reason: 'bounce' } });
    expect(suppression(db, 'grace.whitaker@aol.com')).toBeUndefined();
    const [row] = audits(db);
    expect(row).toMatchObject({ action: 'resubscribe', ticket: 'T-12', account_id: '1009', outcome: 'done' });
    expect(row.detail).toContain(why);
    expect(row.detail).toMatch(/bounce since 2026-07-02.*forced/);
    expect(await auditChainHolds(db)).toBe(true);
  });
});

describe('cx resubscribe: nothing to do', () => {
  it('an address not on the list is already_done (exit 0), nothing written', async () => {
    const db = demoMirror();
    const before = snapshot(db);
    const human = await cxIn(['resubscribe', 'carlos.mendoza@outlook.com', '--ticket', 'T-13', '--yes'], { db });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^already done: carlos\.mendoza@outlook\.com is not on the suppression list/);
    const json = await cxIn(['resubscribe', 'carlos.mendoza@outlook.com', '--ticket', 'T-13', '--json'], { db });
    expect(json.json()).toMatchObject({ outcome: 'already_done', account_id: '1031', suppression: null });
    expect(snapshot(db)).toEqual(before);
  });

  it('no account and not on the list: exit 3; a bad address: exit 2', async () => {
    const db = demoMirror();
    const before = snapshot(db);
    expect((await cxIn(['resubscribe', 'nobody.here@example.com', '--ticket', 'T-1', '--yes'], { db })).code).toBe(3);
    expect((await cxIn(['resubscribe', 'not-an-address', '--ticket', 'T-1', '--yes', '--json'], { db })).json()).toMatchObject({ outcome: 'invalid' });
    expect(snapshot(db)).toEqual(before);
  });

  it('--dry-run plans and writes nothing; no ticket or no --yes without a terminal is exit 2', async () => {
    const db = demoMirror();
    const before = snapshot(db);
    const dry = await cxIn(['resubscribe', 'priya.raman@hotmail.com', '--dry-run', '--json'], { db });
    expect(dry.code).toBe(0);
    expect(dry.json()).toMatchObject({ outcome: 'planned', account_id: '1008' });
    expect(dry.json().detail).toMatch(/^would take priya\.raman@hotmail\.com off the suppression list/);
    expect((await cxIn(['resubscribe', 'priya.raman@hotmail.com', '--yes'], { db })).code).toBe(2);
    const noYes = await cxIn(['resubscribe', 'priya.raman@hotmail.com', '--ticket', 'T-1'], { db });
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toMatch(/--yes is required/);
    expect(snapshot(db)).toEqual(before);
  });
});

describe('a crash between the change and its audit row is impossible by construction', () => {
  it('when the audit insert fails, the suppression is still there and nothing else was written', async () => {
    const db = demoMirror();
    exec(db, "CREATE TRIGGER test_audit_crash BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'simulated crash'); END;");
    const before = snapshot(db);
    const r = await cxIn(['resubscribe', 'priya.raman@hotmail.com', '--ticket', 'T-1', '--yes'], { db });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/simulated crash/);
    expect(suppression(db, 'priya.raman@hotmail.com')).toMatchObject({ reason: 'unsubscribe' });
    expect(query(db, 'SELECT * FROM outbox')).toEqual([]);
    expect(snapshot(db)).toEqual(before);
    exec(db, 'DROP TRIGGER test_audit_crash');
    expect(await auditChainHolds(db)).toBe(true);
  });
});
