import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { neutraliseFormula } from '../../src/rules/csv-safe.js';
import { demoMirror, query, snapshot, tempDir } from '../helpers/cx.js';
import { auditChainHolds, cxIn } from '../helpers/in-process.js';
import { readRows } from '../helpers/cx.js';
import { openDb } from '../helpers/sqlite.js';

const P201 = 'm.okafor@brightpathcounseling.com';
const P201_LEAVE = ['1032', '1033', 'b4c5d6e7-f8a9-4b0c-8d1e-2f3a4b5c6d7e', '1034'];
const P201_STAY = ['1030', '1031', '6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d', '1014'];
const P202_LEAVE = ['1022', '9d8e7f6a-5b4c-4a3b-8c2d-1e0f9a8b7c6d', '00917'];
const P202_STAY = ['1020', '1021', '3f6c1d2e-8a4b-4c7d-b5e9-0d1f2a3b4c5d'];

interface Client {
  id: string;
  email: string;
  name: string;
  source: string;
  may_leave: boolean;
  intake_date: string | null;
  last_appointment: string | null;
  next_appointment: string | null;
}
const ids = (clients: Client[], mayLeave: boolean) => clients.filter((c) => c.may_leave === mayLeave).map((c) => c.id).sort();
const provider = (db: string, id: string) => query(db, 'SELECT status, contract_ends_at FROM accounts WHERE id = ?', id)[0];

/** The CSV read back by a CSV parser, typed like the JSON (empty cells are nulls, booleans spelled out). */
function readCsv(path: string): Array<Record<string, unknown>> {
  const rows = parse(readFileSync(path, 'utf8'), { columns: true }) as Array<Record<string, string>>;
  return rows.map((row) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, k === 'may_leave' ? v === 'true' : v === '' ? null : v])),
  );
}

describe('cx offboard: done', () => {
  it('terminates p201 with a recent past date and reports the split (human), CSV written 0600', async () => {
    const db = demoMirror();
    const out = join(tempDir(), 'caseload.csv');
    const r = await cxIn(['offboard', P201, '--effective', '2026-11-20', '--out', out, '--ticket', 'T-23', '--yes'], { db });
    expect(r.code, r.stderr).toBe(0);
    // Piped: the caseload table alone on stdout, tab-separated; the outcome and the advice on stderr.
    expect(r.stderr).toMatch(/^done: terminated the contract of p201 Miriam Okafor <m\.okafor@brightpathcounseling\.com>, effective 2026-11-20 \(7 days ago: terminated from now on, recorded as ending then\)/);
    expect(r.stderr).toContain('Caseload: 8 clients: 4 may leave with the provider (the provider booked their first intake), 4 stay on the platform');
    const [header, ...rows] = r.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
    expect(header).toEqual(['id', 'name', 'email', 'goes', 'intake', 'last visit', 'next visit']);
    expect(rows.filter((c) => c[3] === 'may leave').map((c) => c[0]).sort()).toEqual([...P201_LEAVE].sort());
    expect(rows.filter((c) => c[3] === 'stays').map((c) => c[0]).sort()).toEqual([...P201_STAY].sort());
    expect(r.stderr).toMatch(/^Tell the provider, once it is sent: the contract is terminated, effective 2026-11-20\. 4 clients may leave with them/m);
    expect(r.stderr).toMatch(/^Next: Export the provider's progress notes \(16\) and keep the file safe:$/m);
    expect(r.stderr).toContain(`\n  cx notes export ${P201} --out notes-p201-T-23-20261127.zip --ticket T-23 --yes\n`);
    expect(r.stderr).toContain(`Caseload written to ${out}`);

    expect(provider(db, 'p201')).toEqual({ status: 'terminated', contract_ends_at: '2026-11-20' });
    expect(query(db, 'SELECT count(*) AS n FROM outbox')[0].n).toBe(0);
    expect(query(db, "SELECT ticket, account_id, outcome FROM audit_log WHERE action = 'offboard'")).toEqual([
      { ticket: 'T-23', account_id: 'p201', outcome: 'done' },
    ]);
    // The caseload shown is a read of every client in it, audited with their ids (never their names).
    const reads = readRows(db);
    expect(reads).toEqual([{ action: 'offboard.read', ticket: 'T-23', account_id: null, agent: 'test-agent', detail: expect.stringMatching(/^the result \(done\): showed \d+ accounts: /) }]);
    for (const id of [...P201_LEAVE, ...P201_STAY]) expect(reads[0]!.detail).toContain(id);
    // The clients themselves are untouched.
    expect(query(db, "SELECT count(*) AS n FROM accounts WHERE role = 'client' AND status != 'active'")[0].n).toBe(2);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(await auditChainHolds(db)).toBe(true);
  });

  it('--json: the promised keys; the caseload CSV read back matches the JSON', async () => {
    const db = demoMirror();
    const out = join(tempDir(), 'caseload.csv');
    const r = await cxIn(['offboard', P201, '--out', out, '--ticket', 'T-23', '--yes', '--json'], { db });
    expect(r.code).toBe(0);
    const json = r.json();
    expect(json).toMatchObject({ outcome: 'done', account_id: 'p201', contract_ends_at: '2026-11-27', progress_notes: 16 });
    expect(provider(db, 'p201').contract_ends_at).toBe('2026-11-27');
    const clients = json.clients as Client[];
    expect(ids(clients, true)).toEqual([...P201_LEAVE].sort());
    expect(ids(clients, false)).toEqual([...P201_STAY].sort());
    for (const c of clients) {
      expect(c.source).toBe(c.may_leave ? 'provider' : 'search');
      expect(Object.keys(c)).toEqual(expect.arrayContaining(['id', 'email', 'source', 'may_leave', 'name', 'last_appointment']));
    }
    // Carlos: last service before today, the future appointment reported apart. Hannah: last on the leap day.
    expect(clients.find((c) => c.id === '1031')).toMatchObject({ last_appointment: '2026-11-20', next_appointment: '2026-12-04' });
    expect(clients.find((c) => c.id === '1030')).toMatchObject({ intake_date: '2023-09-14', last_appointment: '2024-02-29' });
    // Fatima came through search to p205 but p201 booked her intake with p201: she may leave with p201.
    expect(clients.find((c) => c.id === '1034')).toMatchObject({ source: 'provider', may_leave: true });
    expect(readCsv(out)).toEqual(clients);
  });

  it('no cell of the caseload CSV starts a formula, and the values come back', async () => {
    const db = demoMirror();
    const conn = openDb(db);
    conn.prepare(`UPDATE accounts SET first_name = '=HYPERLINK("http://x.example")', last_name = '+1' WHERE id = '1032'`).run();
    conn.close();
    const out = join(tempDir(), 'caseload.csv');
    const r = await cxIn(['offboard', P201, '--out', out, '--ticket', 'T-23', '--yes', '--json'], { db });
    const text = readFileSync(out, 'utf8');
    for (const cell of (parse(text) as string[][]).flat()) expect(cell, cell).not.toMatch(/^[=+\-@\t\r]/);
    const neutralised = (r.json().clients as Client[]).map((c) => ({ ...c, name: neutraliseFormula(c.name) }));
    expect(readCsv(out)).toEqual(neutralised);
    expect(readCsv(out).find((c) => c.id === '1032')?.name).toBe(`'=HYPERLINK("http://x.example") +1`);
  });

  it('a client with no intake on record stays, and the report says so', async () => {
    const db = demoMirror();
    const conn = openDb(db);
    conn.prepare(`INSERT INTO appointments VALUES ('A-X1', 'p203', '1011', '2026-11-26T10:00:00Z', 'session', 'provider')`).run();
    conn.close();
    const r = await cxIn(['offboard', 't.nguyen@harborlighttherapy.com', '--ticket', 'T-40', '--yes', '--json'], { db });
    expect(r.json().clients).toEqual([
      expect.objectContaining({ id: '1011', source: 'search', may_leave: false, intake_date: null, last_appointment: '2026-11-26' }),
    ]);
    const human = await cxIn(['offboard', 't.nguyen@harborlighttherapy.com', '--ticket', 'T-40'], { db });
    expect(human.stderr).toMatch(/1 client has no intake on record: they stay until someone checks/);
  });
});

describe('cx offboard: a provider with no progress notes', () => {
  it('says nothing of exporting notes: no Next line, no command, done or planned', async () => {
    const db = demoMirror();
    const planned = await cxIn(['offboard', 't.nguyen@harborlighttherapy.com', '--dry-run'], { db });
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout + planned.stderr).toMatch(/^planned: would terminate the contract of p203/m);
    expect(planned.stdout + planned.stderr).not.toMatch(/progress notes|notes export/);
    const done = await cxIn(['offboard', 't.nguyen@harborlighttherapy.com', '--ticket', 'T-0N', '--yes'], { db });
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout + done.stderr).toMatch(/done: terminated the contract of p203/);
    expect(done.stdout + done.stderr).not.toMatch(/progress notes|notes export/);
    const json = (await cxIn(['offboard', 't.nguyen@harborlighttherapy.com', '--ticket', 'T-0N', '--yes', '--json'], { db })).json();
    expect(json).toMatchObject({ outcome: 'already_done', progress_notes: 0 });
  });
});

describe('cx offboard: already terminated', () => {
  it('p202 by a former address: already_done, the report still produced, nothing changed but the CSV audited', async () => {
    const db = demoMirror();
    const before = snapshot(db);
    const out = join(tempDir(), 'p202.csv');
    const r = await cxIn(['offboard', 'rcastellanos@lakeshorecounseling.com', '--ticket', 'T-24', '--out', out, '--json'], { db });
    expect(r.code).toBe(0);
    const json = r.json();
    expect(json).toMatchObject({ outcome: 'already_done', account_id: 'p202', contract_ends_at: null, progress_notes: 47, caseload_csv: out });
    expect(ids(json.clients, true)).toEqual([...P202_LEAVE].sort());
    expect(ids(json.clients, false)).toEqual([...P202_STAY].sort());
    expect(readCsv(out)).toEqual(json.clients);
    // The CSV holds names and dates: its hand-over is in the audit log even though nothing else changed.
    const { audit_log: _a, ...rest } = snapshot(db);
    const { audit_log: _b, ...restBefore } = before;
    expect(rest).toEqual(restBefore);
    expect(query(db, "SELECT action, ticket, account_id, outcome FROM audit_log WHERE action LIKE 'offboard%' AND outcome <> 'read' ORDER BY id")).toEqual([
      { action: 'offboard.caseload_csv.started', ticket: 'T-24', account_id: 'p202', outcome: 'started' },
      { action: 'offboard.caseload_csv', ticket: 'T-24', account_id: 'p202', outcome: 'done' },
    ]);

    const afterCsv = snapshot(db);
    const human = await cxIn(['offboard', 'r.castellanos.lcsw@gmail.com', '--ticket', 'T-24'], { db });
    expect(human.stderr).toMatch(/^already done: the contract of p202 .* already terminated, before cx/);
    expect(human.stderr).toMatch(/^Tell the provider: the contract has ended\./m);
    expect(human.stderr).toContain('\n  cx notes export rafael.castellanos@proton.me --out notes-p202-T-24-20261127.zip --ticket T-24 --yes\n');
    expect(snapshot(db)).toEqual(afterCsv);
  });

  it('terminated by cx earlier: already_done with the recorded date; a new --effective is not applied', async () => {
    const db = demoMirror();
    expect((await cxIn(['offboard', P201, '--effective', '2026-11-25', '--ticket', 'T-23', '--yes'], { db })).code).toBe(0);
    const after = snapshot(db);
    const r = await cxIn(['offboard', P201, '--effective', '2027-01-15', '--ticket', 'T-23b', '--yes', '--json'], { db });
    expect(r.json()).toMatchObject({ outcome: 'already_done', contract_ends_at: '2026-11-25' });
    expect(r.json().detail).toMatch(/effective 2026-11-25 \(kept; --effective 2027-01-15 not applied\)/);
    expect(snapshot(db)).toEqual(after);
  });
});

describe('cx offboard: refusals, bad input and dry runs write nothing', () => {
  const unchanged = async (args: string[], code: number) => {
    const db = demoMirror();
    const before = snapshot(db);
    const r = await cxIn(args, { db });
    expect(r.code, r.stderr).toBe(code);
    expect(snapshot(db)).toEqual(before);
    return r;
  };

  it('a client: exit 4 with the pointer to cx deactivate', async () => {
    const json = await unchanged(['offboard', 'jane.doe@gmail.com', '--ticket', 'T-25', '--yes', '--json'], 4);
    expect(json.json()).toMatchObject({ outcome: 'refused', account_id: '1001', next_command: 'cx deactivate jane.doe@gmail.com --ticket T-25' });
    const human = await unchanged(['offboard', 'jane.doe@gmail.com', '--ticket', 'T-25', '--yes'], 4);
    expect(human.stdout).toBe('');
    expect(human.stderr).toMatch(/^cx: 1001 .* is a client, not a provider/);
    expect(human.stderr).toMatch(/^ {2}cx deactivate jane\.doe@gmail\.com --ticket T-25 --yes$/m);
  });

  it('a deactivated provider account: exit 4, check it on the platform first', async () => {
    const db = demoMirror();
    const conn = openDb(db);
    conn.prepare("UPDATE accounts SET status = 'deactivated' WHERE id = 'p206'").run();
    conn.close();
    const before = snapshot(db);
    const r = await cxIn(['offboard', 'e.fitzgerald@cedarwellness.com', '--ticket', 'T-41', '--yes'], { db });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^cx: .*is a deactivated account, not an active contract/);
    expect(snapshot(db)).toEqual(before);
  });

  it('not found: exit 3', async () => {
    const r = await unchanged(['offboard', 'nobody.here@example.com', '--ticket', 'T', '--yes'], 3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^cx: no account uses nobody\.here@example\.com/);
  });

  it('a bad --effective, an --out folder that does not exist, no ticket, no --yes: exit 2', async () => {
    expect((await unchanged(['offboard', P201, '--effective', '2026-02-30', '--ticket', 'T', '--yes'], 2)).stderr).toMatch(/--effective is not a date/);
    expect((await unchanged(['offboard', P201, '--effective', '31/12/2026', '--ticket', 'T', '--yes'], 2)).code).toBe(2);
    const missing = join(tempDir(), 'no-such-folder', 'caseload.csv');
    expect((await unchanged(['offboard', P201, '--out', missing, '--ticket', 'T', '--yes'], 2)).stderr).toMatch(/cannot write --out .*no-such-folder does not exist/);
    const folder = join(tempDir(), 'a-folder');
    mkdirSync(folder);
    expect((await unchanged(['offboard', P201, '--out', folder, '--ticket', 'T', '--yes'], 2)).stderr).toMatch(/cannot write --out .*a-folder: it is a folder/);
    expect((await unchanged(['offboard', P201, '--yes'], 2)).stderr).toMatch(/--ticket is required/);
    expect((await unchanged(['offboard', P201, '--ticket', 'T'], 2)).stderr).toMatch(/--yes is required/);
  });

  it('--dry-run: planned, the report shown, no CSV written', async () => {
    const out = join(tempDir(), 'caseload.csv');
    const r = await unchanged(['offboard', P201, '--effective', '2026-12-31', '--out', out, '--dry-run', '--json'], 0);
    expect(r.json()).toMatchObject({ outcome: 'planned', contract_ends_at: '2026-12-31' });
    expect(ids(r.json().clients, true)).toEqual([...P201_LEAVE].sort());
    expect(existsSync(out)).toBe(false);
    const human = await unchanged(['offboard', P201, '--dry-run'], 0);
    expect(human.stderr).toMatch(/^planned: would terminate the contract of p201/);
    // No ticket yet: no --out either, so the zip gets cx's own name once the ticket is given.
    expect(human.stderr).toContain(`\n  cx notes export ${P201} --ticket <ticket> --yes\n`);
  });
});
