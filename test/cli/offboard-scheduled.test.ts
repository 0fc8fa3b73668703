// Scheduled offboarding: a future --effective keeps the provider active until that day (lookup, resets and
// notes exports as before), and from that day cx treats them as terminated; dates far back need --allow-past.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoMirror, query, snapshot, tempDir } from '../helpers/cx.js';
import { auditChainHolds, cxIn } from '../helpers/in-process.js';

const P201 = 'm.okafor@brightpathcounseling.com';
const row = (db: string) => query(db, "SELECT status, contract_ends_at FROM accounts WHERE id = 'p201'")[0];

describe('cx offboard --effective <future date>', () => {
  it('schedules the termination: active until the day, terminated from it', async () => {
    const db = demoMirror();
    const r = await cxIn(['offboard', P201, '--effective', '2026-12-31', '--ticket', 'T-S1', '--yes'], { db });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^done: scheduled the termination of p201 .* for 2026-12-31: the provider stays active \(sign-in, resets, notes exports\) until then, and is treated as terminated from 2026-12-31/);
    expect(row(db)).toEqual({ status: 'active', contract_ends_at: '2026-12-31' });
    expect(query(db, "SELECT kind, account_id, data FROM changes WHERE kind = 'terminate_provider'")).toEqual([
      { kind: 'terminate_provider', account_id: 'p201', data: '{"effective":"2026-12-31"}' },
    ]);

    // Until then: lookup says so, resets and notes exports still work.
    const found = (await cxIn(['lookup', '--json', P201], { db })).json().matches[0];
    expect(found).toMatchObject({ status: 'active', contract: { status: 'active', ends_at: '2026-12-31' } });
    expect((await cxIn(['lookup', P201], { db })).stdout).toMatch(/^ {2}contract +active; contract ends on 2026-12-31 \(termination scheduled: terminated from that day\)$/m);
    expect((await cxIn(['reset', P201, '--ticket', 'T-S2', '--yes', '--resubscribe'], { db })).code).toBe(0);
    const zip = join(tempDir(), 'notes.zip');
    expect((await cxIn(['notes', 'export', P201, '--ticket', 'T-S3', '--out', zip, '--yes'], { db })).code).toBe(0);

    // Again: the same date (or none) is already done; another date is refused; nothing written either way.
    const before = snapshot(db);
    const same = await cxIn(['offboard', P201, '--ticket', 'T-S4', '--yes', '--json'], { db });
    expect(same.json()).toMatchObject({ outcome: 'already_done', contract_ends_at: '2026-12-31', scheduled: true });
    const moved = await cxIn(['offboard', P201, '--effective', '2027-01-15', '--ticket', 'T-S5', '--yes'], { db });
    expect(moved.code).toBe(4);
    expect(moved.stdout).toBe('');
    expect(moved.stderr).toMatch(/already scheduled for 2026-12-31; --effective 2027-01-15 not applied/);
    expect(snapshot(db)).toEqual(before);

    // From the day itself cx treats the provider as terminated everywhere.
    const then = '2026-12-31T09:00:00.000Z';
    expect((await cxIn(['lookup', '--json', P201], { db, now: then })).json().matches[0]).toMatchObject({
      status: 'terminated',
      contract: { status: 'terminated', ends_at: '2026-12-31' },
    });
    const reset = await cxIn(['reset', P201, '--ticket', 'T-S6', '--yes'], { db, now: then });
    expect(reset.code).toBe(4);
    expect(reset.stderr).toMatch(/terminated provider \(contract ended 2026-12-31\)/);
    const again = await cxIn(['offboard', P201, '--ticket', 'T-S7', '--yes', '--json'], { db, now: then });
    expect(again.json()).toMatchObject({ outcome: 'already_done', detail: expect.stringContaining('already terminated, effective 2026-12-31') });
    expect(await auditChainHolds(db)).toBe(true);
  });
});

describe('cx offboard --effective <past date>', () => {
  it('more than 30 days back is refused without --allow-past (the fix on its own line), then done with it', async () => {
    const db = demoMirror();
    const before = snapshot(db);
    const r = await cxIn(['offboard', P201, '--effective', '2026-09-01', '--ticket', 'T-P1', '--yes'], { db });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    const said = r.stderr;
    expect(said).toMatch(/--effective 2026-09-01 is 87 days ago \(more than 30\): check the date/);
    expect(said).toContain(`\n  cx offboard ${P201} --effective 2026-09-01 --allow-past --ticket T-P1 --yes\n`);
    expect(snapshot(db)).toEqual(before);

    const ok = await cxIn(['offboard', P201, '--effective', '2026-09-01', '--allow-past', '--ticket', 'T-P1', '--yes', '--json'], { db });
    expect(ok.json()).toMatchObject({ outcome: 'done', contract_ends_at: '2026-09-01', scheduled: false });
    expect(ok.json().detail).toMatch(/effective 2026-09-01 \(87 days ago: terminated from now on, recorded as ending then\)/);
    expect(row(db)).toEqual({ status: 'terminated', contract_ends_at: '2026-09-01' });
  });

  it('a date before the account existed, or over a year ahead, is a typo whatever the flags (exit 2, nothing written)', async () => {
    const db = demoMirror();
    const before = snapshot(db);
    for (const [date, why] of [['1900-01-01', /before the account was created \(2021-03-01\)/], ['9999-12-31', /days ahead \(more than 365\): check the year/]] as const) {
      const r = await cxIn(['offboard', P201, '--effective', date, '--allow-past', '--ticket', 'T-P2', '--yes'], { db });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(why);
    }
    expect(snapshot(db)).toEqual(before);
    // A year ahead is still a notice period.
    expect((await cxIn(['offboard', P201, '--effective', '2027-11-01', '--ticket', 'T-P3', '--yes'], { db })).code).toBe(0);
  });
});
