import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoMirror, query, snapshot, tempDir } from '../helpers/cx.js';
import { auditChainHolds, cxIn } from '../helpers/in-process.js';
import { openDb } from '../helpers/sqlite.js';

const EXAMPLE_POLICY = 'fixtures/policy/example-policy.json';
const account = (db: string, id: string) =>
  query(db, 'SELECT status, deactivated_at, retain_until, retention_rule FROM accounts WHERE id = ?', id)[0];
const outbox = (db: string) => query(db, 'SELECT to_email, template, subject, account_id, ticket, idempotency_key, status FROM outbox');
const auditRows = (db: string) => query(db, "SELECT action, ticket, account_id, outcome, agent, detail FROM audit_log WHERE action = 'deactivate'");

describe('cx deactivate: done', () => {
  it('an adult whose last service fell on a leap day: 2024-02-29 + 7y, email queued, audited (human)', async () => {
    const db = demoMirror();
    const r = await cxIn(['deactivate', 'hannah.schafer@gmail.com', '--ticket', 'T-14', '--yes'], { db });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^done: deactivated 1030 Hannah Schäfer <hannah\.schafer@gmail\.com>; records kept until 2031-02-28/);
    expect(r.stdout).toContain('Retention rule: adult: last service 2024-02-29 + 7y (default)');
    expect(account(db, '1030')).toEqual({
      status: 'deactivated',
      deactivated_at: '2026-11-27',
      retain_until: '2031-02-28',
      retention_rule: 'adult: last service 2024-02-29 + 7y (default)',
    });
    expect(outbox(db)).toEqual([
      {
        to_email: 'hannah.schafer@gmail.com',
        template: 'client_deactivation_next_steps',
        subject: 'Your Headway account has been deactivated — next steps',
        account_id: '1030',
        ticket: 'T-14',
        idempotency_key: expect.stringMatching(/^[0-9a-f]{64}$/),
        status: 'pending',
      },
    ]);
    expect(auditRows(db)).toEqual([expect.objectContaining({ ticket: 'T-14', account_id: '1030', outcome: 'done', agent: 'test-agent' })]);
    // Nothing was deleted: the appointments and notes are all still there.
    expect(query(db, "SELECT count(*) AS n FROM appointments WHERE client_id = '1030'")[0].n).toBe(7);
    expect(await auditChainHolds(db)).toBe(true);
  });

  it('a minor today: 18th birthday + 3y decides (--json, the promised keys)', async () => {
    const db = demoMirror();
    const r = await cxIn(['deactivate', 'jane.doe+sam@gmail.com', '--ticket', 'T-15', '--yes', '--json'], { db });
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({
      outcome: 'done',
      account_id: '1002',
      retain_until: '2033-03-09',
      retention_rule: 'minor: age 18 + 3y (default)',
      deactivated_at: '2026-11-27',
      template: 'client_deactivation_next_steps',
      to: 'jane.doe+sam@gmail.com',
    });
    expect(account(db, '1002')).toMatchObject({ status: 'deactivated', retain_until: '2033-03-09' });
    // Only Sam: the parent and the sibling in the same mailbox are untouched.
    expect(query(db, "SELECT id FROM accounts WHERE status = 'deactivated' ORDER BY id").map((a) => a.id)).toEqual(['1002', '1012', '1038']);
    expect(await auditChainHolds(db)).toBe(true);
  });

  it('a minor born on 29 February reaches 18 on 1 March', async () => {
    const db = demoMirror();
    const r = await cxIn(['deactivate', 'theo.lindgren@icloud.com', '--ticket', 'T-16', '--yes', '--json'], { db });
    expect(r.json()).toMatchObject({ outcome: 'done', retain_until: '2033-03-01', retention_rule: 'minor: age 18 + 3y (default)' });
  });

  it('a policy file sets per-state years: PA 5 years after last service; a TX override on the minor rule', async () => {
    const db = demoMirror();
    const pa = await cxIn(['--policy', EXAMPLE_POLICY, 'deactivate', 'eli.rosen@gmail.com', '--ticket', 'T-17', '--yes', '--json'], { db });
    expect(pa.json()).toMatchObject({
      retain_until: '2031-05-19',
      retention_rule: `adult: last service 2026-05-19 + 5y (PA, policy ${EXAMPLE_POLICY})`,
    });
    const policy = join(tempDir(), 'tx.json');
    writeFileSync(policy, JSON.stringify({ states: { TX: { majorityAge: 21 } } }));
    const tx = await cxIn(['deactivate', 'avawhitfield2010@gmail.com', '--ticket', 'T-17b', '--yes', '--json'], { db, env: { CX_POLICY: policy } });
    expect(tx.json()).toMatchObject({ retain_until: '2034-08-14', retention_rule: `minor: age 21 + 3y (TX, policy ${policy})` });
    expect(account(db, '1013')).toMatchObject({ retain_until: '2034-08-14' });
  });

  it('a future appointment is not a service; the agent is told to have it cancelled', async () => {
    const db = demoMirror();
    const r = await cxIn(['deactivate', 'carlos.mendoza@outlook.com', '--ticket', 'T-30', '--yes'], { db });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('last service 2026-11-20 + 7y');
    expect(r.stdout).toMatch(/appointment on 2026-12-04 with provider p201: make sure it is cancelled/);
    expect(account(db, '1031').retain_until).toBe('2033-11-20');
  });

  it('no appointment at all: the date of last activity, and the rule says so', async () => {
    const db = demoMirror();
    const r = await cxIn(['deactivate', 'quinn.harper@mailinator.com', '--ticket', 'T-31', '--yes', '--json'], { db });
    expect(r.json()).toMatchObject({
      retain_until: '2033-10-12',
      retention_rule: 'adult: last service 2026-10-12 + 7y (default); no appointment: date of last activity',
    });
  });

  it.each([
    ['unsubscribe', 'priya.raman@hotmail.com', '1008'],
    ['bounce (the suppression row is written in another case)', 'grace.whitaker@aol.com', '1009'],
  ])('a suppressed address (%s): deactivated, no email, the agent told to follow up', async (_why, email, id) => {
    const db = demoMirror();
    const human = await cxIn(['deactivate', email, '--ticket', 'T-18', '--yes'], { db });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^done: .*no email: the address is suppressed/);
    expect(human.stdout).toMatch(/^Next: .* is on the suppression list .*: tell the client the next steps another way/m);
    expect(human.stdout).toMatch(/^Tell the person, once it is sent: their account is closed: they can no longer sign in\. Nothing is deleted/m);
    expect(account(db, id).status).toBe('deactivated');
    expect(outbox(db)).toEqual([]);
    expect(auditRows(db)).toHaveLength(1);
    const again = await cxIn(['deactivate', email, '--ticket', 'T-18', '--json'], { db });
    expect(again.json()).toMatchObject({ outcome: 'already_done', retention_recorded: true });
    expect(await auditChainHolds(db)).toBe(true);
  });

  it('--requested-by a former address or the same mailbox written another way is the owner', async () => {
    const db = demoMirror();
    const former = await cxIn(['deactivate', 'benjamin.hartley@gmail.com', '--requested-by', 'Ben.Hartley@Brightlane-Logistics.com', '--ticket', 'T-20', '--yes'], { db });
    expect(former.code).toBe(0);
    expect(account(db, '1015').status).toBe('deactivated');
    const mailbox = await cxIn(['deactivate', 'jane.doe@gmail.com', '--requested-by', 'janedoe@googlemail.com', '--ticket', 'T-32', '--yes'], { db });
    expect(mailbox.code).toBe(0);
    expect(account(db, '1001').status).toBe('deactivated');
  });
});

describe('cx deactivate: nothing to do', () => {
  it('imported as deactivated: already_done, the retention date computed and shown but not recorded', async () => {
    const db = demoMirror();
    const before = snapshot(db);
    const r = await cxIn(['deactivate', 'olivia.marsh@gmail.com', '--ticket', 'T-22', '--json'], { db });
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({
      outcome: 'already_done',
      account_id: '1012',
      deactivated_at: null,
      retain_until: '2030-10-10',
      retention_rule: 'adult: last service 2023-10-10 + 7y (default)',
      retention_recorded: false,
    });
    const human = await cxIn(['--policy', EXAMPLE_POLICY, 'deactivate', 'olivia.marsh@gmail.com', '--ticket', 'T-22'], { db });
    expect(human.stdout).toMatch(/^already done: .*deactivated before cx .*records kept until 2028-10-10 \(computed now; cx has not recorded/);
    expect(snapshot(db)).toEqual(before);
  });

  it('deactivated by cx earlier: already_done with the recorded dates, no second email or audit row', async () => {
    const db = demoMirror();
    expect((await cxIn(['deactivate', 'hannah.schafer@gmail.com', '--ticket', 'T-14', '--yes'], { db })).code).toBe(0);
    const after = snapshot(db);
    const r = await cxIn(['deactivate', 'hannah.schafer@gmail.com', '--ticket', 'T-14b', '--yes', '--json'], { db });
    expect(r.json()).toMatchObject({ outcome: 'already_done', deactivated_at: '2026-11-27', retain_until: '2031-02-28', retention_recorded: true });
    expect(snapshot(db)).toEqual(after);
  });
});

describe('cx deactivate: refusals and dry runs write nothing', () => {
  const unchanged = async (args: string[], code: number, env?: Record<string, string>) => {
    const db = demoMirror();
    const before = snapshot(db);
    const r = await cxIn(args, { db, env });
    expect(r.code, r.stderr).toBe(code);
    expect(snapshot(db)).toEqual(before);
    return r;
  };

  it('a provider: exit 4 and the pointer to cx offboard', async () => {
    const human = await unchanged(['deactivate', 'e.fitzgerald@cedarwellness.com', '--ticket', 'T-21', '--yes'], 4);
    expect(human.stdout).toBe('');
    expect(human.stderr).toMatch(/^cx: p206 .* is a provider/);
    expect(human.stderr).toMatch(/^ {2}cx offboard e\.fitzgerald@cedarwellness\.com --ticket T-21 --yes$/m);
    const json = await unchanged(['deactivate', 'e.fitzgerald@cedarwellness.com', '--ticket', 'T-21', '--yes', '--json'], 4);
    expect(json.json()).toMatchObject({ outcome: 'refused', account_id: 'p206', retain_until: null, retention_rule: null, next_command: 'cx offboard e.fitzgerald@cedarwellness.com --ticket T-21' });
  });

  it('--requested-by someone else: exit 4', async () => {
    const r = await unchanged(['deactivate', 'connor.obrien@hotmail.com', '--requested-by', 'someone.else@gmail.com', '--ticket', 'T-19', '--yes', '--json'], 4);
    expect(r.json()).toMatchObject({ outcome: 'refused', account_id: '1033' });
    expect(r.json().detail).toMatch(/neither the current nor a former address/);
  });

  it('--requested-by the parent for a +alias family account: another person, exit 4', async () => {
    const r = await unchanged(['deactivate', 'jane.doe+sam@gmail.com', '--requested-by', 'jane.doe@gmail.com', '--ticket', 'T-33', '--yes'], 4);
    expect(r.stderr).toMatch(/^cx: .*shares a mailbox with 1002 .* through a \+alias/);
    expect(r.stderr).toMatch(/^Tell the person: a request to close an account must come from the account's own address\. Ask them to write from jane\.doe\+sam@gmail\.com/m);
  });

  it('a stranger asking about an already deactivated account is refused, not told the dates', async () => {
    const r = await unchanged(['deactivate', 'olivia.marsh@gmail.com', '--requested-by', 'someone.else@gmail.com', '--ticket', 'T-34', '--json'], 4);
    expect(r.json().outcome).toBe('refused');
  });

  it('bad input: exit 2 (--requested-by, a policy file with a bad value, no ticket, no --yes without a terminal)', async () => {
    expect((await unchanged(['deactivate', 'connor.obrien@hotmail.com', '--requested-by', 'not-an-address', '--ticket', 'T', '--yes'], 2)).stderr).toMatch(/--requested-by/);
    const badPolicy = await unchanged(['--policy', 'fixtures/policy/bad-policy.json', 'deactivate', 'connor.obrien@hotmail.com', '--ticket', 'T', '--yes'], 2);
    expect(badPolicy.stderr).toContain('"states.TX.minorYears" must be a whole number from 0 to 100');
    await unchanged(['deactivate', 'connor.obrien@hotmail.com', '--ticket', 'T', '--yes'], 2, { CX_POLICY: 'fixtures/policy/no-such.json' });
    expect((await unchanged(['deactivate', 'connor.obrien@hotmail.com', '--yes'], 2)).stderr).toMatch(/--ticket is required/);
    // A script missing both learns both at once.
    expect((await unchanged(['deactivate', 'connor.obrien@hotmail.com'], 2)).stderr).toMatch(/^cx: --ticket and --yes are required when not running in a terminal/);
    expect((await unchanged(['deactivate', 'connor.obrien@hotmail.com', '--ticket', 'T'], 2)).stderr).toMatch(/--yes is required/);
  });

  it('a client account with status "terminated" is not touched: exit 4', async () => {
    const db = demoMirror();
    const conn = openDb(db);
    conn.prepare("UPDATE accounts SET status = 'terminated' WHERE id = '1033'").run();
    conn.close();
    const before = snapshot(db);
    const r = await cxIn(['deactivate', 'connor.obrien@hotmail.com', '--ticket', 'T-35', '--yes'], { db });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/status "terminated", which a client account should not have/);
    expect(snapshot(db)).toEqual(before);
  });

  it('a stored date of birth that is not a date: invalid (exit 2), and cx retention lists it as unknown, not due', async () => {
    const db = demoMirror();
    const conn = openDb(db);
    conn.prepare("UPDATE accounts SET dob = '2010-02-30' WHERE id IN ('1033', '1038')").run();
    conn.close();
    const before = snapshot(db);
    const r = await cxIn(['deactivate', 'connor.obrien@hotmail.com', '--ticket', 'T-36', '--yes', '--json'], { db });
    expect(r.code).toBe(2);
    expect(r.json()).toMatchObject({ outcome: 'invalid', account_id: '1033', retain_until: null });
    expect(r.json().detail).toMatch(/date of birth "2010-02-30" is not a real calendar date/);
    expect(snapshot(db)).toEqual(before);
    const list = await cxIn(['retention', '--json'], { db });
    expect(list.code).toBe(0);
    expect(list.json().find((row: { account_id: string }) => row.account_id === '1038')).toMatchObject({ retain_until: null, due: false });
    expect(list.stderr).toMatch(/retention date not computed for 1038/);
  });

  it('not found: exit 3', async () => {
    expect((await unchanged(['deactivate', 'nobody.here@example.com', '--ticket', 'T', '--yes', '--json'], 3)).json().outcome).toBe('not_found');
  });

  it('--dry-run: planned, with the date it would record and the email it would queue', async () => {
    const r = await unchanged(['deactivate', 'connor.obrien@hotmail.com', '--dry-run', '--json'], 0);
    expect(r.json()).toMatchObject({
      outcome: 'planned',
      account_id: '1033',
      retain_until: '2033-03-24',
      retention_rule: 'adult: last service 2026-03-24 + 7y (default)',
      template: 'client_deactivation_next_steps',
      to: 'connor.obrien@hotmail.com',
    });
    const human = await unchanged(['deactivate', 'priya.raman@hotmail.com', '--dry-run'], 0);
    expect(human.stdout).toMatch(/^planned: would deactivate 1008 .*no email: priya\.raman@hotmail\.com is suppressed \(unsubscribe since 2026-09-14\)/);
  });
});
