// `cx batch` as an agent runs it: real process, real mirror, the demo ticket exports, the real actions.
// What each row should end in is the table in fixtures/demo/README.md, with one exception: T-1024 (a reset
// for marcus.reyes@outlook.com, whose account is marcus.reyes+headway@outlook.com) is not_found, because
// a change never crosses a +alias (src/actions/common.ts accountForChange); lookup still finds 1007.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { RESULT_COLUMNS } from '../../src/batch/results.js';
import { neutraliseFormula } from '../../src/rules/csv-safe.js';
import { baseEnv, copyMirror, CX, cxAsync, DEMO, demoMirror, NOW, query, snapshot, tempDir } from '../helpers/cx.js';
import { auditChainHolds, cxIn } from '../helpers/in-process.js';
import { loadsPackage, modulesLoaded } from '../helpers/modules-loaded.js';

const TICKETS = join(DEMO, 'tickets');
const CANONICAL = join(TICKETS, 'canonical.csv');
const ZENDESK = join(TICKETS, 'zendesk.csv');
const FRESHDESK = join(TICKETS, 'freshdesk.csv');
const LEAH = '9d8e7f6a-5b4c-4a3b-8c2d-1e0f9a8b7c6d';
const WEI = 'b4c5d6e7-f8a9-4b0c-8d1e-2f3a4b5c6d7e';
const NEXT_STEPS = 'client_deactivation_next_steps';

type Row = Record<(typeof RESULT_COLUMNS)[number], string>;
const readResults = (csv: string): Row[] => parse(csv, { columns: true, bom: true }) as Row[];
/** Rows by ticket id; for an id repeated in the file, its first row. */
const byId = (rows: Row[]) => new Map([...rows].reverse().map((r) => [r.ticket_id, r]));
/** 'id outcome account' per row, the way the expectations below are written. */
const outcomes = (rows: Row[]) => rows.map((r) => `${r.ticket_id} ${r.outcome} ${r.account_id}`.trim());
const RECORDED = new Set(['done', 'already_done']);

/** Every row of canonical.csv, in file order: ticket, outcome, account. */
const CANONICAL_OUTCOMES = [
  'T-1001 done 1001', 'T-1002 done 1001', 'T-1003 done p202', 'T-1004 not_found',
  'T-1005 done 1032', 'T-1006 done p201', 'T-1007 done 1011', 'T-1008 done p203', 'T-1009 refused 1010', 'T-1010 refused 1012',
  'T-1011 done 1008', 'T-1012 refused 1009', 'T-1013 already_done 1031',
  `T-1014 done 1033`, `T-1015 refused ${LEAH}`, 'T-1016 refused p206', 'T-1017 already_done 1038',
  'T-1018 done p201', 'T-1019 already_done p202', 'T-1020 done p202', 'T-1021 done p202',
  'T-1022 invalid', 'T-1023 invalid', 'T-1005 invalid', 'T-1024 not_found', 'T-1025 not_found',
  'T-1026 done 1010', 'T-1027 done 1021', 'T-1028 done 1030', 'T-1029 not_found p203', 'T-1030 not_found', 'T-1031 invalid',
];
const ZENDESK_OUTCOMES = [
  '48211 done 1021', '48212 done 1008', `48213 done ${WEI}`, '48214 done 1001', '48215 done p202',
  '48216 done p201', '48217 refused 1010', '48218 invalid', '48219 refused 1009', '48220 done 1022',
];
const FRESHDESK_OUTCOMES = ['7301 done 1020', '7302 done 1015', '7303 done p204', '7304 done 1002', '7305 done p201', '7306 invalid', '7307 done p203'];

/** A batch run for real, its zips written into a fresh folder (never the default ./exports of the repo). */
async function applyFile(db: string, file: string, extra: string[] = [], notesDir = join(tempDir(), 'exports')) {
  const r = await cxIn(['batch', file, '--yes', '--notes-dir', notesDir, ...extra], { db });
  return { ...r, rows: readResults(r.stdout), notesDir };
}

const outbox = (db: string) => query(db, 'SELECT ticket, template, to_email, account_id, status FROM outbox ORDER BY id').map(
  (o) => `${o.ticket} ${o.template} ${o.to_email} ${o.account_id} ${o.status}`,
);
const account = (db: string, id: string) =>
  query(db, 'SELECT status, deactivated_at, retain_until, retention_rule, contract_ends_at FROM accounts WHERE id = ?', id)[0];
const suppressed = (db: string) => query(db, 'SELECT email_key, reason FROM suppressions ORDER BY email_key').map((s) => `${s.email_key} ${s.reason}`);
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/**
 * What any run leaves behind: exactly the done and already_done tickets recorded, one audit row each
 * (and none for the others; a notes export's started row comes before its completing one, and one that
 * another agent's completed first is closed by an abandoned row), outbox rows only under recorded tickets,
 * and an audit chain that holds.
 */
async function expectRecorded(db: string, rows: Row[]): Promise<string[]> {
  const recorded = [...new Set(rows.filter((r) => RECORDED.has(r.outcome)).map((r) => r.ticket_id))].sort();
  expect(query(db, 'SELECT ticket_id FROM processed_tickets ORDER BY ticket_id').map((x) => x.ticket_id)).toEqual(recorded);
  const audited = query(db, "SELECT ticket, count(*) n FROM audit_log WHERE ticket IS NOT NULL AND action NOT LIKE '%.started' AND action NOT LIKE '%.abandoned' GROUP BY ticket ORDER BY ticket");
  expect(audited).toEqual(recorded.map((ticket) => ({ ticket, n: 1 })));
  // Every started row is closed once, by its completion or an abandoned row, under the same ticket.
  const started = query(db, "SELECT id, ticket FROM audit_log WHERE action LIKE '%.started' ORDER BY id");
  const closing = query(db, "SELECT ticket, detail FROM audit_log WHERE detail LIKE '%(started in audit row %' ORDER BY id")
    .map((r) => `${r.ticket} ${/\(started in audit row (\d+)\)/.exec(r.detail)![1]}`);
  expect(closing.sort()).toEqual(started.map((r) => `${r.ticket} ${r.id}`).sort());
  for (const o of query(db, 'SELECT DISTINCT ticket FROM outbox')) expect(recorded).toContain(o.ticket);
  for (const r of rows) expect(r.processed_at, r.ticket_id).toBe(RECORDED.has(r.outcome) ? NOW : '');
  expect(await auditChainHolds(db)).toBe(true);
  return recorded;
}

/** The zips in a notes folder: each passes unzip -t, is 0600, holds `notes` notes, and is the file the audit row hashed. */
function expectZips(db: string, dir: string, expected: Record<string, number>): void {
  expect(readdirSync(dir).sort()).toEqual(Object.keys(expected).sort());
  for (const [name, notes] of Object.entries(expected)) {
    const path = join(dir, name);
    const test = spawnSync('unzip', ['-t', path], { encoding: 'utf8' });
    expect(test.status, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toContain('No errors detected');
    const entries = spawnSync('unzip', ['-Z1', path], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    expect(entries.filter((e) => e.startsWith('notes/')), name).toHaveLength(notes);
    expect(entries).toEqual(expect.arrayContaining(['manifest.csv', 'README.txt']));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const ticket = name.split('-').slice(2, -1).join('-');
    const [row] = query(db, "SELECT detail FROM audit_log WHERE action = 'notes.export' AND ticket = ?", ticket);
    expect(row.detail).toContain(`exported ${notes} progress notes`);
    expect(row.detail).toContain(`${path}, ${statSync(path).size} bytes, sha256 ${sha256(path)}`);
  }
}

/** Names, sizes and times of the files in a folder: a re-run must not touch them. */
const filesIn = (dir: string) => readdirSync(dir).sort().map((f) => `${f} ${statSync(join(dir, f)).size} ${statSync(join(dir, f)).mtimeMs}`);

describe('cx batch: the canonical export, every row through the real action', () => {
  it('one result per input row, in order; the changes, emails, zips and audit rows in the mirror', async () => {
    const db = demoMirror();
    const before = { priya: account(db, '1008'), pike: account(db, '1038') };
    const r = await applyFile(db, CANONICAL);
    expect(r.code, r.stderr).toBe(5); // some rows are refused / not_found / invalid
    const input = parse(readFileSync(CANONICAL), { columns: true }) as Array<{ ticket_id: string }>;
    expect(r.rows.map((x) => x.ticket_id)).toEqual(input.map((x) => x.ticket_id));
    expect(Object.keys(r.rows[0]!)).toEqual([...RESULT_COLUMNS]);
    expect(outcomes(r.rows)).toEqual(CANONICAL_OUTCOMES);
    expect(r.stderr).toContain('Batch finished: 32 rows (15 done, 3 already done, 5 not found, 5 refused, 4 invalid).');

    const got = byId(r.rows);
    const detail = (id: string) => got.get(id)!.detail;
    expect(detail('T-1002')).toContain('same mailbox');
    expect(detail('T-1003')).toContain('former address');
    expect(detail('T-1004')).toContain('not recorded: a re-run of this file retries it');
    expect(detail('T-1006')).toContain('provider password-reset email');
    expect(detail('T-1007')).toContain('verification email');
    expect(detail('T-1009')).toContain('spam');
    expect(detail('T-1010')).toContain('deactivated');
    expect(detail('T-1012')).toContain('bounced');
    expect(detail('T-1013')).toContain('not on the suppression list');
    expect(detail('T-1015')).toContain('someone.else@gmail.com is neither the current nor a former address');
    expect(detail('T-1016')).toContain('is a provider');
    expect(detail('T-1020')).toContain('exported 16 progress notes');
    expect(detail('T-1021')).toContain('exported 8 progress notes');
    expect(detail('T-1022')).toContain('not a usable address');
    expect(got.get('T-1023')).toMatchObject({ type: 'refund_request', detail: expect.stringContaining('unknown type') });
    // The duplicate T-1005 (line 25) is its own invalid row; the first one is still processed.
    expect(r.rows.filter((x) => x.ticket_id === 'T-1005').map((x) => x.detail)[1]).toBe('duplicate row: ticket T-1005 already asks for password_reset of this address (first on line 6)');
    expect(detail('T-1024')).toMatch(/^marcus\.reyes\+headway@outlook\.com \(account 1007\) is the account at this mailbox/);
    expect(got.get('T-1025')!.email).toBe("'=cmd|'/c_calc'!A1@example.com"); // no spreadsheet runs it
    expect(detail('T-1026')).toContain('emails suppressed (complaint');
    expect(detail('T-1029')).toContain('no progress notes');
    expect(detail('T-1030')).toContain('did you mean jane.doe@gmail.com?');
    expect(got.get('T-1031')!.email).toBe("'@evil.example.com");

    await expectRecorded(db, r.rows);
    expect(query(db, 'SELECT ticket, action FROM audit_log WHERE ticket IS NOT NULL ORDER BY id').map((a) => `${a.ticket} ${a.action}`)).toEqual([
      'T-1001 batch.lookup', 'T-1002 batch.lookup', 'T-1003 batch.lookup', 'T-1005 reset', 'T-1006 reset', 'T-1007 reset', 'T-1008 reset',
      'T-1011 resubscribe', 'T-1013 batch.resubscribe', 'T-1014 deactivate', 'T-1017 batch.deactivate_client', 'T-1018 offboard',
      'T-1019 batch.provider_termination', 'T-1020 notes.export.started', 'T-1020 notes.export', 'T-1021 notes.export.started', 'T-1021 notes.export', 'T-1026 batch.lookup', 'T-1027 batch.lookup',
      'T-1028 deactivate',
    ]);
    expect(outbox(db)).toEqual([
      'T-1005 client_password_reset aaliyah.johnson@gmail.com 1032 pending',
      'T-1006 provider_password_reset m.okafor@brightpathcounseling.com p201 pending',
      'T-1007 email_verification noah.kim@icloud.com 1011 pending',
      'T-1008 email_verification t.nguyen@harborlighttherapy.com p203 pending',
      `T-1014 ${NEXT_STEPS} connor.obrien@hotmail.com 1033 pending`,
      `T-1028 ${NEXT_STEPS} hannah.schafer@gmail.com 1030 pending`,
    ]);
    // Priya's unsubscribe is lifted; the bounce and the complaint stay (resubscribe never forces).
    expect(suppressed(db)).toEqual(['grace.whitaker@aol.com bounce', 'k.asante@mindfulroots.org unsubscribe', 'tyler.brooks@yahoo.com complaint']);
    expect(account(db, '1008')).toEqual(before.priya);
    expect(account(db, '1033')).toEqual({
      status: 'deactivated', deactivated_at: '2026-11-27', retain_until: '2033-03-24',
      retention_rule: 'adult: last service 2026-03-24 + 7y (default)', contract_ends_at: null,
    });
    expect(account(db, '1030')).toMatchObject({ status: 'deactivated', deactivated_at: '2026-11-27', retain_until: '2031-02-28' });
    expect(account(db, '1038')).toEqual(before.pike); // already deactivated: the date is shown, not written
    // No effective date in the row (`until` is empty): the contract ends today.
    expect(account(db, 'p201')).toMatchObject({ status: 'terminated', contract_ends_at: '2026-11-27' });
    expect(account(db, '9d8e7f6a-5b4c-4a3b-8c2d-1e0f9a8b7c6d').status).toBe('active');
    expect(account(db, 'p206').status).toBe('active');
    expectZips(db, r.notesDir, { 'notes-p202-T-1020-20261127.zip': 16, 'notes-p202-T-1021-20261127.zip': 8 });
  });

  it('--dry-run plans the same outcomes, writes nothing to the mirror, and makes no folder or zip', async () => {
    const real = (await applyFile(demoMirror(), CANONICAL)).rows;
    const db = demoMirror();
    const notesDir = join(tempDir(), 'exports');
    const before = snapshot(db);
    const r = await cxIn(['batch', CANONICAL, '--dry-run', '--notes-dir', notesDir], { db });
    expect(snapshot(db)).toEqual(before);
    expect(existsSync(notesDir)).toBe(false);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('Dry run: 32 rows (3 already done, 15 planned, 5 not found, 5 refused, 4 invalid).');
    expect(r.stderr).toContain('Nothing was changed (dry run).');
    const rows = readResults(r.stdout);
    expect(outcomes(rows)).toEqual(outcomes(real).map((o) => o.replace(' done ', ' planned ')));
    for (const row of rows) expect(row.processed_at).toBe('');
    const got = byId(rows);
    expect(got.get('T-1005')!.detail).toBe('would queue the client password-reset email to aaliyah.johnson@gmail.com');
    expect(got.get('T-1020')!.detail).toContain(`would export 16 progress notes of p202 Rafael Castellanos <rafael.castellanos@proton.me>`);
    expect(got.get('T-1020')!.detail).toContain(join(notesDir, 'notes-p202-T-1020-20261127.zip'));
    expect(got.get('T-1004')!.detail).not.toContain('not recorded');
  });

  it('--out writes the same rows to a file that csv-parse reads back to the same values', async () => {
    const db = demoMirror();
    const dir = tempDir();
    const out = join(dir, 'results.csv');
    const notes = ['--notes-dir', join(dir, 'exports')];
    const viaStdout = readResults((await cxIn(['batch', CANONICAL, '--dry-run', ...notes], { db })).stdout);
    const r = await cxIn(['batch', CANONICAL, '--dry-run', '--out', out, ...notes], { db });
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`Results: ${out}`);
    const viaFile = readResults(readFileSync(out, 'utf8'));
    expect(viaFile).toEqual(viaStdout);
    // Values survive the round trip, except that a formula start gets its leading quote.
    const input = parse(readFileSync(CANONICAL), { columns: true }) as Array<{ ticket_id: string; email: string }>;
    expect(viaFile.map((x) => x.email)).toEqual(input.map((x) => neutraliseFormula(x.email.trim())));
    expect(readdirSync(dir)).toEqual(['results.csv']); // no temporary file left, no exports folder
  });

  it('--json prints the summary and needs --out', async () => {
    const db = demoMirror();
    const out = join(tempDir(), 'r.csv');
    const r = await cxIn(['batch', CANONICAL, '--yes', '--json', '--out', out, '--notes-dir', join(tempDir(), 'exports')], { db });
    expect(r.code).toBe(5);
    expect(r.json()).toEqual({
      rows: 32, out, dry_run: false,
      by_outcome: { done: 15, already_done: 3, planned: 0, not_found: 5, refused: 5, invalid: 4, error: 0 },
    });
    const noOut = await cxIn(['batch', CANONICAL, '--yes', '--json'], { db });
    expect(noOut.code).toBe(2);
    expect(noOut.json().detail).toContain('--json prints the summary');
  });

  it('reads the export from stdin with -', async () => {
    const db = demoMirror();
    const notesDir = join(tempDir(), 'exports');
    const r = await cxIn(['batch', '-', '--yes', '--notes-dir', notesDir], { db, input: readFileSync(CANONICAL, 'utf8') });
    expect(r.code).toBe(5);
    expect(outcomes(readResults(r.stdout))).toEqual(CANONICAL_OUTCOMES);
    expect(query(db, 'SELECT count(*) n FROM processed_tickets')[0].n).toBe(18);
    expect(readdirSync(notesDir)).toHaveLength(2);
  });

  it('exits 0 when every row is done or already done, of every type, and again on a re-run', async () => {
    const db = demoMirror();
    const csv = 'ticket_id,type,email,requested_by\nA1,lookup,jane.doe@gmail.com,\nA2,Lookup,ben.hartley@brightlane-logistics.com,\n' +
      'A3,password_reset,aaliyah.johnson@gmail.com,\nA4,resubscribe,k.asante@mindfulroots.org,\n' +
      'A5,deactivate_client,wei.chen@gmail.com,wei.chen@gmail.com\nA6,resubscribe,carlos.mendoza@outlook.com,\n';
    const r = await cxIn(['batch', '-', '--yes'], { db, input: csv });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(outcomes(readResults(r.stdout))).toEqual(['A1 done 1001', 'A2 done 1015', 'A3 done 1032', 'A4 done p204', `A5 done ${WEI}`, 'A6 already_done 1031']);
    const before = snapshot(db);
    const again = await cxIn(['batch', '-', '--yes'], { db, input: csv });
    expect(again.code).toBe(0);
    expect(readResults(again.stdout).map((x) => x.outcome)).toEqual(Array(6).fill('already_done'));
    expect(snapshot(db)).toEqual(before);
    const empty = await cxIn(['batch', '-', '--yes'], { db, input: 'ticket_id,type,email\n' });
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe(`${RESULT_COLUMNS.join(',')}\n`);
  });
});

describe('cx batch: help desk exports as they come', () => {
  it('Zendesk: BOM, CRLF, quoted commas and line breaks, extra columns, the type from a named column', async () => {
    const db = demoMirror();
    const r = await applyFile(db, ZENDESK, ['--type-column', 'CX action [list]']);
    expect(r.code).toBe(5);
    expect(r.rows.map((x) => x.type)).toEqual([
      'password_reset', 'resubscribe', 'deactivate_client', 'lookup', 'notes_export', 'provider_termination',
      'password_reset', 'password_reset', 'resubscribe', 'password_reset',
    ]);
    expect(outcomes(r.rows)).toEqual(ZENDESK_OUTCOMES);
    const got = byId(r.rows);
    expect(got.get('48214')!.email).toBe('j.a.n.e.d.o.e@googlemail.com');
    expect(got.get('48218')!.detail).toContain('not a usable address');
    await expectRecorded(db, r.rows);
    expect(outbox(db)).toEqual([
      '48211 client_password_reset zoe.oneil@fastmail.com 1021 pending',
      `48213 ${NEXT_STEPS} wei.chen@gmail.com ${WEI} pending`,
      '48220 client_password_reset marco.dangelo@gmail.com 1022 pending',
    ]);
    expect(suppressed(db)).not.toContain('priya.raman@hotmail.com unsubscribe');
    expect(suppressed(db)).toContain('grace.whitaker@aol.com bounce');
    expect(account(db, WEI)).toMatchObject({ status: 'deactivated', deactivated_at: '2026-11-27', retain_until: '2033-06-23' });
    expect(account(db, 'p201')).toMatchObject({ status: 'terminated', contract_ends_at: '2026-11-27' });
    expectZips(db, r.notesDir, { 'notes-p202-48215-20261127.zip': 47 });
  });

  it('Zendesk without --type-column: the type is the one type tag in Tags', async () => {
    const r = await applyFile(demoMirror(), ZENDESK);
    expect(outcomes(r.rows)).toEqual(ZENDESK_OUTCOMES.map((o) => (o.startsWith('48217') ? '48217 invalid' : o)));
    expect(byId(r.rows).get('48217')!.detail).toContain('no single type in Tags');
  });

  it('Freshdesk: Ticket Id, Email and Type columns', async () => {
    const db = demoMirror();
    const r = await applyFile(db, FRESHDESK);
    expect(r.code).toBe(5);
    expect(outcomes(r.rows)).toEqual(FRESHDESK_OUTCOMES);
    expect(r.rows[1]).toMatchObject({ type: 'lookup', detail: expect.stringContaining('former address') });
    expect(r.rows[5]!.detail).toContain('unknown type "Billing"');
    expect(r.rows[6]!.detail).toContain('verification email');
    await expectRecorded(db, r.rows);
    expect(outbox(db)).toEqual([
      '7301 client_password_reset jose.nunez@gmail.com 1020 pending',
      `7304 ${NEXT_STEPS} jane.doe+sam@gmail.com 1002 pending`,
      '7307 email_verification t.nguyen@harborlighttherapy.com p203 pending',
    ]);
    expect(suppressed(db)).not.toContain('k.asante@mindfulroots.org unsubscribe');
    expect(account(db, '1002')).toMatchObject({ status: 'deactivated', retain_until: '2033-03-09', retention_rule: expect.stringContaining('minor') });
    expectZips(db, r.notesDir, { 'notes-p201-7305-20261127.zip': 16 });
  });

  it('the three files on one mirror: where two touch the same person, the later one finds the work done', async () => {
    const db = demoMirror();
    const notesDir = join(tempDir(), 'exports');
    await applyFile(db, CANONICAL, [], notesDir);
    const zendesk = byId((await applyFile(db, ZENDESK, ['--type-column', 'CX action [list]'], notesDir)).rows);
    expect(zendesk.get('48212')).toMatchObject({ outcome: 'already_done', detail: expect.stringContaining('not on the suppression list') });
    expect(zendesk.get('48216')).toMatchObject({ outcome: 'already_done', detail: expect.stringContaining('already terminated, effective 2026-11-27') });
    const freshdesk = byId((await applyFile(db, FRESHDESK, [], notesDir)).rows);
    // T-1008 queued p203's verification email a moment ago (the same pinned clock): not queued twice.
    expect(freshdesk.get('7307')).toMatchObject({ outcome: 'already_done', detail: expect.stringContaining('was already queued') });
    expect(query(db, "SELECT count(*) n FROM outbox WHERE account_id = 'p203'")[0].n).toBe(1);
    expect(readdirSync(notesDir)).toHaveLength(4);
    expect(await auditChainHolds(db)).toBe(true);
  });
});

describe('cx batch: results an agent can act on (issue 21, part 5)', () => {
  it("a not_found row carries lookup's \"did you mean\", in the detail and in the suggestions column", async () => {
    const input = 'ticket_id,type,email\nS1,password_reset,jane.doe@gmial.com\nS2,lookup,jane.doe@gmial.com\nS3,password_reset,marcus.reyes@outlook.com\nS4,resubscribe,nobody.here@example.com\n';
    const r = await cxIn(['batch', '-', '--yes'], { db: demoMirror(), input });
    expect(r.code).toBe(5);
    const got = byId(readResults(r.stdout));
    for (const id of ['S1', 'S2']) {
      expect(got.get(id)).toMatchObject({ outcome: 'not_found', suggestions: 'jane.doe@gmail.com' });
      expect(got.get(id)!.detail).toContain('did you mean jane.doe@gmail.com? (check with the person; not looked up)');
    }
    expect(got.get('S3')).toMatchObject({ outcome: 'not_found', suggestions: 'marcus.reyes+headway@outlook.com' });
    expect(got.get('S4')).toMatchObject({ outcome: 'not_found', suggestions: '' });
  });

  it('a row without a recognised type names the column that holds the types, and the command that reads it', async () => {
    const notesDir = join(tempDir(), 'exports');
    const r = await cxIn(['batch', ZENDESK, '--yes', '--notes-dir', notesDir], { db: demoMirror() });
    expect(byId(readResults(r.stdout)).get('48217')!.detail).toContain('the column "CX action [list]" says "Password reset": to read the types from it, run again with --type-column "CX action [list]"');
    expect(r.stderr).toMatch(/^Next: 1 row has no type cx recognises in Tags; the column "CX action \[list\]" holds the types: read them from it:$/m);
    expect(r.stderr).toContain(`\n  cx batch ${ZENDESK} --yes --notes-dir ${notesDir} --type-column 'CX action [list]'\n`);
  });

  it('a Tags cell with no type, or an unknown type, lists the types cx knows; so does cx batch --help', async () => {
    const TYPES = '(types: lookup, password_reset, resubscribe, deactivate_client, provider_termination, notes_export)';
    const tags = await cxIn(['batch', '-', '--yes'], { db: demoMirror(), input: 'Id,Requester email,Tags\nZ1,jane.doe@gmail.com,refund\n' });
    expect(readResults(tags.stdout)[0]!.detail).toBe(`no single type in Tags: none of the tags is a type in "refund" ${TYPES}`);
    const column = await cxIn(['batch', '-', '--yes'], { db: demoMirror(), input: 'ticket_id,type,email\nC1,refund,jane.doe@gmail.com\n' });
    expect(readResults(column.stdout)[0]!.detail).toContain('expected one of: lookup, password_reset, resubscribe, deactivate_client, provider_termination, notes_export');
    const help = await cxIn(['batch', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('The ticket types (a type column, or the one type tag in Tags): lookup, password_reset, resubscribe, deactivate_client, provider_termination, notes_export.');
  });

  it('the tell column: the reply for the ticket, after the columns of the contract', async () => {
    const r = await applyFile(demoMirror(), ZENDESK, ['--type-column', 'CX action [list]']);
    expect(Object.keys(r.rows[0]!)).toEqual(['ticket_id', 'type', 'email', 'outcome', 'account_id', 'detail', 'processed_at', 'tell', 'suggestions']);
    const tell = (id: string) => byId(r.rows).get(id)!.tell;
    expect(tell('48211')).toMatch(/^a password reset email is on its way to zoe\.oneil@fastmail\.com\. If it is not in the inbox/);
    expect(tell('48212')).toMatch(/^priya\.raman@hotmail\.com will get Headway email again/);
    expect(tell('48213')).toMatch(/^their account is closed: they can no longer sign in/);
    // Found through the same Gmail mailbox written another way: the reply does not name the account's address.
    expect(tell('48214')).toMatch(/same Gmail mailbox written another way/);
    expect(tell('48214')).not.toContain('jane.doe@gmail.com');
    expect(tell('48219')).toMatch(/^email to grace\.whitaker@aol\.com bounced on 2026-07-02/);
    expect(tell('48218')).toBe('');
  });

  it('a lookup row of an account whose reset waits for the push says the email is coming; each sentence of the reply starts a sentence', async () => {
    const db = demoMirror();
    const input = 'ticket_id,type,email\nP1,password_reset,zoe.oneil@fastmail.com\n';
    expect((await cxIn(['batch', '-', '--yes'], { db, input })).code).toBe(0);
    const r = await cxIn(['batch', '-', '--yes'], { db, input: 'ticket_id,type,email\nP2,lookup,zoe.oneil@fastmail.com\n' });
    expect(readResults(r.stdout)[0]!.tell).toBe(
      'they sign in with zoe.oneil@fastmail.com, the address they gave. A password reset email is on its way to zoe.oneil@fastmail.com. ' +
        'If it is not in the inbox within a few minutes, ask them to check the spam and promotions folders.',
    );
  });
});

describe('cx batch: a re-run of the same file applies nothing twice', () => {
  const files: Array<[string, string, string[]]> = [
    ['canonical', CANONICAL, []], ['zendesk', ZENDESK, ['--type-column', 'CX action [list]']], ['freshdesk', FRESHDESK, []],
  ];
  it.each(files)('%s: every recorded row is already_done, the others end as before; no row, email or zip is added', async (_name, file, args) => {
    const db = demoMirror();
    const first = await applyFile(db, file, args);
    const before = snapshot(db);
    const zips = filesIn(first.notesDir);
    const r = await applyFile(db, file, [...args, '--agent', 'other-agent'], first.notesDir);
    expect(snapshot(db)).toEqual(before);
    expect(filesIn(first.notesDir)).toEqual(zips);
    expect(r.code).toBe(5);
    expect(r.rows.map((x) => x.ticket_id)).toEqual(first.rows.map((x) => x.ticket_id));
    for (const [i, row] of first.rows.entries()) {
      const again = r.rows[i]!;
      if (RECORDED.has(row.outcome)) {
        expect(again, row.ticket_id).toMatchObject({ outcome: 'already_done', account_id: row.account_id, processed_at: row.processed_at });
        expect(again.detail).toBe(`already processed by a batch on ${NOW} by test-agent: ${row.detail}`);
      } else {
        expect(again.outcome, row.ticket_id).toBe(row.outcome);
        expect(again.processed_at).toBe('');
      }
    }
  });
});

describe('cx batch: two agents run the same file at once', () => {
  it('two processes: each recorded ticket applied by exactly one of them, the other reports its work', async () => {
    const db = demoMirror();
    const notesDir = join(tempDir(), 'exports');
    const run = (agent: string) => cxAsync(['batch', CANONICAL, '--yes', '--agent', agent, '--notes-dir', notesDir], { db });
    const [a, b] = await Promise.all([run('agent-a'), run('agent-b')]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([5, 5]);
    const rows: Record<string, Row[]> = { 'agent-a': readResults(a.stdout), 'agent-b': readResults(b.stdout) };
    const applier = new Map(query(db, 'SELECT ticket_id, agent FROM processed_tickets').map((p) => [p.ticket_id as string, p.agent as string]));
    for (const [i, want] of CANONICAL_OUTCOMES.entries()) {
      const [ticket, outcome, account = ''] = want.split(' ');
      const first = applier.get(ticket!);
      if (!RECORDED.has(outcome!) || (i > 0 && CANONICAL_OUTCOMES.slice(0, i).some((w) => w.startsWith(`${ticket} `)))) {
        for (const agent of ['agent-a', 'agent-b']) expect(outcomes([rows[agent]![i]!]), `${agent} ${want}`).toEqual([want]);
        continue;
      }
      expect(first, want).toBeDefined();
      const other = first === 'agent-a' ? 'agent-b' : 'agent-a';
      expect(rows[first!]![i], want).toMatchObject({ outcome, account_id: account });
      expect(rows[other]![i], want).toMatchObject({ outcome: 'already_done', account_id: account, detail: expect.stringContaining(`by ${first}: `) });
    }
    for (const agent of ['agent-a', 'agent-b']) await expectRecorded(db, rows[agent]!);
    // The same changes as one agent's run alone: nothing applied twice.
    const alone = demoMirror();
    await applyFile(alone, CANONICAL);
    const changes = (path: string) => query(path, 'SELECT key, kind, account_id, desk, ticket, action, n, data FROM changes ORDER BY key');
    expect(changes(db)).toEqual(changes(alone));
  });
});

describe('cx batch: nothing is applied unless the whole file reads and the run is confirmed', () => {
  const malformed: Array<[string, string, string]> = [
    ['an unclosed quote', 'ticket_id,type,email\n1,lookup,jane.doe@gmail.com\n2,lookup,"jane.doe@gmail.com\n3,lookup,x@y.com\n', 'line 3'],
    ['a row with the wrong number of fields', 'ticket_id,type,email\n1,lookup,jane.doe@gmail.com\n2,lookup,a@b.com,extra\n', 'line 3'],
    ['a missing required column', 'ticket_id,email\n1,jane.doe@gmail.com\n', 'line 1'],
  ];
  it.each(malformed)('%s: exit 2 with the line, nothing written', async (_what, csv, line) => {
    const db = demoMirror();
    const dir = tempDir();
    const file = join(dir, 'tickets.csv');
    writeFileSync(file, csv);
    const before = snapshot(db);
    const r = await cxIn(['batch', file, '--yes', '--out', join(dir, 'results.csv')], { db });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(line);
    expect(r.stdout).toBe('');
    expect(snapshot(db)).toEqual(before);
    expect(readdirSync(dir)).toEqual(['tickets.csv']);
  });

  it('without a terminal, --yes is required: exit 2, nothing applied, no results file', async () => {
    const db = demoMirror();
    const dir = tempDir();
    const before = snapshot(db);
    const r = await cxIn(['batch', CANONICAL, '--out', join(dir, 'results.csv')], { db });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--yes is required');
    expect(snapshot(db)).toEqual(before);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses --ticket, a missing file and --out naming the input', async () => {
    const db = demoMirror();
    expect((await cxIn(['batch', CANONICAL, '--yes', '--ticket', '9'], { db })).code).toBe(2);
    const missing = await cxIn(['batch', join(tempDir(), 'nope.csv'), '--yes'], { db });
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('no such file')]);
    const dir = tempDir();
    const file = join(dir, 't.csv');
    writeFileSync(file, 'ticket_id,type,email\n1,lookup,jane.doe@gmail.com\n');
    expect((await cxIn(['batch', file, '--yes', '--out', file], { db })).code).toBe(2);
    expect(readFileSync(file, 'utf8')).toContain('1,lookup');
    expect((await cxIn(['batch', file, '--yes', '--out', join(dir, 'no-such-folder', 'r.csv')], { db })).code).toBe(2);
    expect(existsSync(join(dir, 'no-such-folder'))).toBe(false);
  });
});

const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
const hasScript = script.status === 0;

describe.skipIf(!hasScript)(`cx batch in a terminal (script(1))${hasScript ? '' : ': skipped, script(1) not found'}`, () => {
  /** Run cx under a pseudo-terminal, typing `keys`. */
  function inTerminal(db: string, args: string, keys: string) {
    const r = spawnSync('script', ['-qec', `"${process.execPath}" "${CX}" ${args}`, '/dev/null'], {
      input: keys, encoding: 'utf8', cwd: tempDir(), env: baseEnv(db), timeout: 60_000,
    });
    return { code: r.status, out: r.stdout };
  }
  const csv = 'ticket_id,type,email\nI1,lookup,jane.doe@gmail.com\nI2,lookup,broken@\nI3,nope,x@y.com\n';

  it('shows the plan by type and asks; "no" applies nothing', async () => {
    const db = demoMirror();
    const file = join(tempDir(), 't.csv');
    writeFileSync(file, csv);
    const before = snapshot(db);
    const r = inTerminal(db, `batch "${file}" --out r.csv`, 'n\r');
    expect(r.code).toBe(130);
    expect(r.out).toContain('Tickets to process: 1');
    expect(r.out).toMatch(/lookup +1/);
    expect(r.out).toContain('Invalid rows (reported, not applied): 2');
    expect(r.out).toMatch(/^ {2}line 3, ticket I2: not a usable address/m);
    expect(r.out).toMatch(/^ {2}line 4, ticket I3: unknown type "nope"/m);
    expect(r.out).toContain('cx: cancelled, nothing changed');
    expect(snapshot(db)).toEqual(before);
  });

  it('"yes" applies, with a progress bar on the terminal and the plan counting tickets processed before', async () => {
    const db = demoMirror();
    const file = join(tempDir(), 't.csv');
    writeFileSync(file, csv);
    expect((await cxIn(['batch', '-', '--yes'], { db, input: 'ticket_id,type,email\nI1,lookup,jane.doe@gmail.com\n' })).code).toBe(0);
    writeFileSync(file, `${csv}I4,lookup,ben.hartley@brightlane-logistics.com\n`);
    const r = inTerminal(db, `batch "${file}" --out r.csv`, 'y\r');
    expect(r.code).toBe(5);
    expect(r.out).toContain('Already processed before (reported as already_done, not applied again): 1');
    expect(r.out).toMatch(/batch \[.*\] 4\/4 tickets/);
    expect(r.out).toContain('Batch finished: 4 rows (1 done, 1 already done, 2 invalid).');
    expect(query(db, 'SELECT ticket_id FROM processed_tickets ORDER BY ticket_id').map((x) => x.ticket_id)).toEqual(['I1', 'I4']);
  });
});

describe('cx batch loads the actions of the types its file holds (issue 22)', () => {
  const run = (csv: string, extra: string[] = []) =>
    modulesLoaded(['batch', '-', '--yes', '--notes-dir', join(tempDir(), 'exports'), ...extra], { db: copyMirror(demoMirror()), input: csv, codes: [0, 5] });

  it('a file of lookups loads neither the zip writer nor its checker, nor the policy file schema', () => {
    const modules = run('ticket_id,type,email\nS-1,lookup,m.okafor@brightpathcounseling.com\nS-2,lookup,nobody@example.com\n');
    expect(loadsPackage(modules, 'archiver')).toBe(false);
    expect(loadsPackage(modules, 'yauzl')).toBe(false);
    expect(loadsPackage(modules, 'zod')).toBe(false);
  });

  it('resets, resubscribes and deactivations without a policy file load neither', () => {
    const modules = run('ticket_id,type,email\nS-3,password_reset,m.okafor@brightpathcounseling.com\nS-4,resubscribe,jane.doe@gmail.com\nS-5,deactivate_client,jane.doe@gmail.com\n');
    expect(loadsPackage(modules, 'archiver')).toBe(false);
    expect(loadsPackage(modules, 'zod')).toBe(false);
  });

  it('a notes_export row loads the zip writer, and --policy with a deactivation the schema (the check sees them)', () => {
    expect(loadsPackage(run('ticket_id,type,email\nS-6,notes_export,m.okafor@brightpathcounseling.com\n', ['--dry-run']), 'archiver')).toBe(true);
    const policy = join(tempDir(), 'policy.json');
    writeFileSync(policy, '{"adultYears": 8}\n');
    expect(loadsPackage(run('ticket_id,type,email\nS-7,deactivate_client,jane.doe@gmail.com\n', ['--policy', policy, '--dry-run']), 'zod')).toBe(true);
  });
});
