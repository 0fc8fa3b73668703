// Issue 10 §3 and §6: every read of PHI is in the audit log (agent, ticket when given, account ids shown),
// and no date of birth reaches the audit log, the ledger or a retention rule.
import { chmodSync, chownSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { cx, DEMO, demoMirror, query, readRows, tempDir } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { unprivileged } from '../helpers/other-user.js';

/** A detail without the count and digest of the ids its row keeps (src/rules/audit-accounts.ts). */
const LIST_MARK = / \[account ids: \d+, sha256 [0-9a-f]{64}\]$/;
const plain = (detail: string) => detail.replace(LIST_MARK, '');

describe('reads of PHI are audited', () => {
  it('lookup by address and by name, family, retention, outbox: one row each, with the ticket and the ids shown', async () => {
    const db = demoMirror();
    expect((await cxIn(['lookup', 'JANE.DOE@GMAIL.COM', '--ticket', 'R-1'], { db })).code).toBe(0);
    expect((await cxIn(['lookup', '--name', 'maria garcia', '--dob', '1991-07-30', '--json'], { db })).code).toBe(0);
    expect((await cxIn(['family', 'jane.doe@gmail.com', '--json'], { db })).code).toBe(0);
    expect((await cxIn(['retention', '--due', '--as-of', '2033-01-01', '--ticket', 'R-4', '--json'], { db })).code).toBe(0);
    expect((await cxIn(['outbox', '--email', 'jane.doe@gmail.com', '--json'], { db })).code).toBe(0);
    expect((await cxIn(['lookup', 'nobody.here@gmail.com'], { db })).code).toBe(3);
    const rows = readRows(db);
    expect(rows.map((r) => [r.action, r.ticket, r.account_id, r.agent])).toEqual([
      ['lookup', 'R-1', null, 'test-agent'],
      ['lookup', null, '1017', 'test-agent'],
      ['family', null, null, 'test-agent'],
      ['retention', 'R-4', null, 'test-agent'],
      ['outbox', null, null, 'test-agent'],
      ['lookup', null, null, 'test-agent'],
    ]);
    // The match and its family at the mailbox; a read of several accounts keeps their ids with its row.
    expect(rows[0]!.detail).toMatch(/^by address: showed 3 accounts: 1001, 1003, 1002 \[account ids: 3, sha256 [0-9a-f]{64}\]$/);
    expect(rows[1]!.detail).toBe('by name: showed 1 account: 1017');
    expect(plain(rows[2]!.detail)).toMatch(/^by mailbox: showed 3 accounts: (1001|1002|1003), (1001|1002|1003), (1001|1002|1003)$/);
    expect(rows[3]!.detail).toMatch(/^due as of 2033-01-01: showed \d+ accounts?: /);
    expect(rows[3]!.detail).toContain('1038');
    expect(rows[4]!.detail).toBe('the emails of an address: showed no account');
    expect(rows[5]!.detail).toMatch(/^by address(, \d+ suggested addresses)?: showed no account$/);
    // Never the name or the date of birth typed.
    expect(JSON.stringify(rows)).not.toMatch(/garcia|1991-07-30/i);

    // Who saw Sam's record: every read that showed 1002, the ones that showed several accounts included,
    // and no read that did not (1001's own rows, 1003 alone, an id that is a prefix of another).
    const seen = async (email: string) => (await cxIn(['audit', '--email', email, '--json'], { db })).json().filter((r: { outcome: string }) => r.outcome === 'read').map((r: { detail: string }) => r.detail);
    const sam = await seen('jane.doe+sam@gmail.com');
    expect(sam).toEqual(rows.filter((r) => /[:,] 1002(,|$)/.test(plain(r.detail))).map((r) => r.detail));
    expect(sam.length).toBe(2);
    expect(await seen('mgarcia.pa@comcast.net')).toEqual([rows[1]!.detail]);
  });

  it('a change command audits what it shows without a change of its own: a refusal, a dry run', async () => {
    const db = demoMirror();
    expect((await cxIn(['reset', 'priya.raman@hotmail.com', '--ticket', 'R-9'], { db })).code).toBe(4);
    expect((await cxIn(['deactivate', 'jane.doe@gmail.com', '--dry-run'], { db })).code).toBe(0);
    expect(readRows(db).map((r) => [r.action, r.ticket, r.account_id, r.detail])).toEqual([
      ['reset.read', 'R-9', '1008', 'the plan (refused): showed 1 account: 1008'],
      ['deactivate.read', null, '1001', 'the plan (planned): showed 1 account: 1001'],
    ]);
  });

  it('cx audit shows the read rows', async () => {
    const db = demoMirror();
    await cxIn(['lookup', 'wei.chen@gmail.com', '--ticket', 'R-5'], { db });
    const rows = (await cxIn(['audit', '--ticket', 'R-5', '--json'], { db })).json();
    expect(rows).toEqual([expect.objectContaining({ action: 'lookup', ticket: 'R-5', outcome: 'read', account_id: 'b4c5d6e7-f8a9-4b0c-8d1e-2f3a4b5c6d7e' })]);
  });

  it('batch results that name an account no recorded ticket covers are audited before they are handed on', async () => {
    const db = demoMirror();
    const file = join(tempDir(), 't.csv');
    writeFileSync(file, 'ticket_id,type,email\nB-1,password_reset,priya.raman@hotmail.com\nB-2,lookup,jane.doe@gmail.com\n');
    const r = await cxIn(['batch', file, '--yes'], { db });
    expect(r.code).toBe(5);
    expect(readRows(db).map((x) => [x.action, x.detail])).toEqual([['batch.read', 'results of tickets not recorded: showed 1 account: 1008']]);
    const dry = await cxIn(['batch', file, '--dry-run'], { db });
    expect(parse(dry.stdout, { columns: true })).toHaveLength(2);
    expect(readRows(db).at(-1)).toMatchObject({ action: 'batch.read', detail: expect.stringMatching(/^dry-run results: showed 2 accounts: 1008, 1001 \[account ids: 2, sha256 [0-9a-f]{64}\]$/) });
  });

  it('a read-only copy of the mirror is still read, with a warning that the read was not audited', async (ctx) => {
    const runner = unprivileged();
    if ('skip' in runner) return ctx.skip(runner.skip);
    const dir = tempDir();
    chmodSync(dir, 0o755);
    const db = join(dir, 'mirror.db');
    expect((await cxIn(['db', 'seed', '--demo'], { db })).code).toBe(0);
    chmodSync(db, 0o444);
    // The agent may make files in the folder (SQLite's -wal and -shm) but cannot write the mirror itself.
    if (runner.as) chownSync(dir, runner.as.uid, runner.as.gid);
    const r = cx(['lookup', 'jane.doe@gmail.com', '--json'], { db, ...runner });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().matches[0].id).toBe('1001');
    expect(r.stderr).toMatch(/read-only.*NOT recorded in the audit log/);
    expect(readRows(db)).toEqual([]);
  });
});

describe('minimum necessary: no date of birth in the audit log, the ledger or a retention rule', () => {
  it('after deactivating minors and adults, a batch lookup by name and date of birth, and every read', async () => {
    const db = demoMirror();
    const minors = ['jane.doe+sam@gmail.com', 'avawhitfield2010@gmail.com', 'theo.lindgren@icloud.com', 'eli.rosen@gmail.com'];
    for (const [i, email] of [...minors, 'leo.marchetti@gmail.com', 'hannah.schafer@gmail.com'].entries()) {
      const r = await cxIn(['deactivate', email, '--ticket', `D-${i}`, '--yes'], { db });
      expect(r.code, r.stderr).toBe(0);
    }
    const file = join(tempDir(), 'n.csv');
    writeFileSync(file, 'ticket_id,type,email,first_name,last_name,dob\nN-1,lookup,,Maria,Garcia,1991-07-30\n');
    expect((await cxIn(['batch', file, '--yes'], { db })).code).toBe(0);
    await cxIn(['retention', '--json'], { db });
    await cxIn(['lookup', '--name', 'sam doe', '--dob', '2012-03-09'], { db });
    const dobs = (parse(readFileSync(join(DEMO, 'accounts.csv')), { columns: true }) as Array<{ dob: string }>).map((a) => a.dob).filter(Boolean);
    const written = JSON.stringify([
      query(db, 'SELECT * FROM audit_log'),
      query(db, 'SELECT * FROM processed_tickets'),
      query(db, 'SELECT retention_rule FROM accounts'),
      query(db, 'SELECT data FROM changes'),
      (await cxIn(['retention', '--json'], { db })).json(),
    ]);
    expect(dobs.filter((dob) => written.includes(dob))).toEqual([]);
    // The minor rule names the age, not the birthday.
    expect(query(db, "SELECT retention_rule FROM accounts WHERE id = '1002'")[0].retention_rule).toBe('minor: age 18 + 3y (default)');
  });
});
