// `cx batch` as an agent runs it: real process, real mirror, the demo ticket exports.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { RESULT_COLUMNS } from '../../src/batch/results.js';
import { neutraliseFormula } from '../../src/rules/csv-safe.js';
import { auditChainHolds, baseEnv, CX, cx, DEMO, demoMirror, NOW, query, snapshot, tempDir } from '../helpers/cx.js';

const TICKETS = join(DEMO, 'tickets');
const CANONICAL = join(TICKETS, 'canonical.csv');

type Row = Record<(typeof RESULT_COLUMNS)[number], string>;
const readResults = (csv: string): Row[] => parse(csv, { columns: true, bom: true }) as Row[];
/** Rows by ticket id; for an id repeated in the file, its first row. */
const byId = (rows: Row[]) => new Map([...rows].reverse().map((r) => [r.ticket_id, r]));
const outcomes = (rows: Row[]) => rows.map((r) => `${r.ticket_id}:${r.outcome}`);

describe('cx batch: the canonical export', () => {
  it('gives one result row per input row, in input order, and records only the tickets done', () => {
    const db = demoMirror();
    const r = cx(['batch', CANONICAL, '--yes'], { db });
    expect(r.code).toBe(5); // some rows are not_found / invalid
    const rows = readResults(r.stdout);
    const input = parse(readFileSync(CANONICAL), { columns: true }) as Array<{ ticket_id: string }>;
    expect(rows.map((x) => x.ticket_id)).toEqual(input.map((x) => x.ticket_id));
    expect(Object.keys(rows[0]!)).toEqual([...RESULT_COLUMNS]);

    const got = byId(rows);
    expect(got.get('T-1001')).toMatchObject({ outcome: 'done', account_id: '1001', processed_at: NOW });
    expect(got.get('T-1002')!.detail).toContain('same mailbox');
    expect(got.get('T-1003')).toMatchObject({ outcome: 'done', account_id: 'p202' });
    expect(got.get('T-1003')!.detail).toContain('former address');
    expect(got.get('T-1026')!.detail).toContain('emails suppressed (complaint');
    expect(got.get('T-1004')).toMatchObject({ outcome: 'not_found', account_id: '', processed_at: '' });
    expect(got.get('T-1004')!.detail).toContain('not recorded: a re-run of this file retries it');
    expect(got.get('T-1005')).toMatchObject({ outcome: 'invalid', detail: expect.stringContaining('not built yet (issue 4)') });
    expect(got.get('T-1022')).toMatchObject({ outcome: 'invalid', detail: expect.stringContaining('not a usable address') });
    expect(got.get('T-1023')).toMatchObject({ outcome: 'invalid', type: 'refund_request', detail: expect.stringContaining('unknown type') });
    // The duplicate T-1005 (line 25) is its own invalid row; the first one is still processed.
    expect(rows.filter((x) => x.ticket_id === 'T-1005').map((x) => x.detail)[1]).toBe('duplicate ticket id (first on line 6)');
    // A hostile cell is written so no spreadsheet runs it.
    expect(got.get('T-1025')!.email).toBe("'=cmd|'/c_calc'!A1@example.com");
    expect(r.stderr).toContain('Batch finished: 32 rows (5 done, 3 not found, 24 invalid).');

    const done = ['T-1001', 'T-1002', 'T-1003', 'T-1026', 'T-1027'];
    expect(query(db, 'SELECT ticket_id FROM processed_tickets ORDER BY ticket_id').map((x) => x.ticket_id)).toEqual(done);
    expect(query(db, "SELECT ticket, action FROM audit_log WHERE ticket IS NOT NULL ORDER BY ticket")).toEqual(done.map((t) => ({ ticket: t, action: 'batch.lookup' })));
    expect(query(db, 'SELECT count(*) n FROM outbox')[0].n).toBe(0);
    expect(auditChainHolds(db)).toBe(true);
  });

  it('a second run of the same file reports already_done and writes nothing at all', () => {
    const db = demoMirror();
    const first = readResults(cx(['batch', CANONICAL, '--yes'], { db }).stdout);
    const before = snapshot(db);
    const r = cx(['batch', CANONICAL, '--yes', '--agent', 'other-agent'], { db });
    expect(snapshot(db)).toEqual(before);
    const second = byId(readResults(r.stdout));
    for (const row of first.filter((x) => x.outcome === 'done')) {
      const again = second.get(row.ticket_id)!;
      expect(again).toMatchObject({ outcome: 'already_done', account_id: row.account_id, processed_at: row.processed_at });
      expect(again.detail).toBe(`already processed on ${NOW} by test-agent: ${row.detail}`);
    }
    expect(r.code).toBe(5);
  });

  it('--out writes the same rows to a file that csv-parse reads back to the same values', () => {
    const db = demoMirror();
    const dir = tempDir();
    const out = join(dir, 'results.csv');
    const viaStdout = readResults(cx(['batch', CANONICAL, '--yes', '--dry-run'], { db }).stdout);
    const r = cx(['batch', CANONICAL, '--yes', '--dry-run', '--out', out], { db });
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`Results: ${out}`);
    const viaFile = readResults(readFileSync(out, 'utf8'));
    expect(viaFile).toEqual(viaStdout);
    // Values survive the round trip, except that a formula start gets its leading quote.
    const input = parse(readFileSync(CANONICAL), { columns: true }) as Array<{ ticket_id: string; email: string }>;
    expect(viaFile.map((x) => x.email)).toEqual(input.map((x) => neutraliseFormula(x.email.trim())));
    expect(readdirSync(dir)).toEqual(['results.csv']); // no temporary file left
  });

  it('--json prints the summary and needs --out', () => {
    const db = demoMirror();
    const out = join(tempDir(), 'r.csv');
    const r = cx(['batch', CANONICAL, '--yes', '--json', '--out', out], { db });
    expect(r.code).toBe(5);
    expect(r.json()).toEqual({
      rows: 32, out, dry_run: false,
      by_outcome: { done: 5, already_done: 0, planned: 0, not_found: 3, refused: 0, invalid: 24, error: 0 },
    });
    const noOut = cx(['batch', CANONICAL, '--yes', '--json'], { db });
    expect(noOut.code).toBe(2);
    expect(noOut.json().detail).toContain('--json prints the summary');
  });

  it('reads the export from stdin with -', () => {
    const db = demoMirror();
    const r = cx(['batch', '-', '--yes'], { db, input: readFileSync(CANONICAL, 'utf8') });
    expect(r.code).toBe(5);
    expect(readResults(r.stdout)).toHaveLength(32);
    expect(query(db, 'SELECT count(*) n FROM processed_tickets')[0].n).toBe(5);
  });

  it('exits 0 when every row is done or already done', () => {
    const db = demoMirror();
    const csv = 'ticket_id,type,email\nA1,lookup,jane.doe@gmail.com\nA2,Lookup,ben.hartley@brightlane-logistics.com\n';
    const r = cx(['batch', '-', '--yes'], { db, input: csv });
    expect(r.code).toBe(0);
    expect(outcomes(readResults(r.stdout))).toEqual(['A1:done', 'A2:done']);
    const empty = cx(['batch', '-', '--yes'], { db, input: 'ticket_id,type,email\n' });
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe(`${RESULT_COLUMNS.join(',')}\n`);
  });
});

describe('cx batch: help desk exports as they come', () => {
  it('Zendesk: BOM, CRLF, quoted commas and line breaks, extra columns, the type from a named column', () => {
    const db = demoMirror();
    const r = cx(['batch', join(TICKETS, 'zendesk.csv'), '--yes', '--type-column', 'CX action [list]'], { db });
    const rows = readResults(r.stdout);
    expect(rows.map((x) => `${x.ticket_id}:${x.type}:${x.outcome}`)).toEqual([
      '48211:password_reset:invalid', '48212:resubscribe:invalid', '48213:deactivate_client:invalid', '48214:lookup:done',
      '48215:notes_export:invalid', '48216:provider_termination:invalid', '48217:password_reset:invalid',
      '48218:password_reset:invalid', '48219:resubscribe:invalid', '48220:password_reset:invalid',
    ]);
    expect(byId(rows).get('48214')).toMatchObject({ email: 'j.a.n.e.d.o.e@googlemail.com', account_id: '1001' });
    expect(byId(rows).get('48218')!.detail).toContain('not a usable address');
    expect(r.code).toBe(5);
  });

  it('Zendesk without --type-column: the type is the one type tag in Tags', () => {
    const db = demoMirror();
    const rows = byId(readResults(cx(['batch', join(TICKETS, 'zendesk.csv'), '--yes'], { db }).stdout));
    expect(rows.get('48214')!.outcome).toBe('done');
    expect(rows.get('48213')!.type).toBe('deactivate_client');
    expect(rows.get('48217')).toMatchObject({ outcome: 'invalid', detail: expect.stringContaining('no single type in Tags') });
  });

  it('Freshdesk: Ticket Id, Email and Type columns', () => {
    const db = demoMirror();
    const rows = readResults(cx(['batch', join(TICKETS, 'freshdesk.csv'), '--yes'], { db }).stdout);
    expect(outcomes(rows)).toEqual(['7301:invalid', '7302:done', '7303:invalid', '7304:invalid', '7305:invalid', '7306:invalid', '7307:invalid']);
    expect(rows[1]).toMatchObject({ type: 'lookup', account_id: '1015' });
    expect(rows[5]!.detail).toContain('unknown type "Billing"');
  });
});

describe('cx batch: nothing is applied unless the whole file reads and the run is confirmed', () => {
  const malformed: Array<[string, string, string]> = [
    ['an unclosed quote', 'ticket_id,type,email\n1,lookup,jane.doe@gmail.com\n2,lookup,"jane.doe@gmail.com\n3,lookup,x@y.com\n', 'line 3'],
    ['a row with the wrong number of fields', 'ticket_id,type,email\n1,lookup,jane.doe@gmail.com\n2,lookup,a@b.com,extra\n', 'line 3'],
    ['a missing required column', 'ticket_id,email\n1,jane.doe@gmail.com\n', 'line 1'],
  ];
  it.each(malformed)('%s: exit 2 with the line, nothing written', (_what, csv, line) => {
    const db = demoMirror();
    const dir = tempDir();
    const file = join(dir, 'tickets.csv');
    writeFileSync(file, csv);
    const before = snapshot(db);
    const r = cx(['batch', file, '--yes', '--out', join(dir, 'results.csv')], { db });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(line);
    expect(r.stdout).toBe('');
    expect(snapshot(db)).toEqual(before);
    expect(readdirSync(dir)).toEqual(['tickets.csv']);
  });

  it('without a terminal, --yes is required: exit 2, nothing applied, no results file', () => {
    const db = demoMirror();
    const dir = tempDir();
    const before = snapshot(db);
    const r = cx(['batch', CANONICAL, '--out', join(dir, 'results.csv')], { db });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--yes is required');
    expect(snapshot(db)).toEqual(before);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--dry-run writes the results with planned and changes nothing', () => {
    const db = demoMirror();
    const before = snapshot(db);
    const r = cx(['batch', CANONICAL, '--dry-run'], { db });
    expect(snapshot(db)).toEqual(before);
    const rows = byId(readResults(r.stdout));
    expect(rows.get('T-1001')).toMatchObject({ outcome: 'planned', account_id: '1001', processed_at: '' });
    expect(rows.get('T-1004')!.outcome).toBe('not_found');
    expect(rows.get('T-1004')!.detail).not.toContain('not recorded');
    expect(r.stderr).toContain('Nothing was changed (dry run).');
    expect(r.code).toBe(5);
  });

  it('refuses --ticket, a missing file and --out naming the input', () => {
    const db = demoMirror();
    expect(cx(['batch', CANONICAL, '--yes', '--ticket', '9'], { db }).code).toBe(2);
    const missing = cx(['batch', join(tempDir(), 'nope.csv'), '--yes'], { db });
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('no such file')]);
    const dir = tempDir();
    const file = join(dir, 't.csv');
    writeFileSync(file, 'ticket_id,type,email\n1,lookup,jane.doe@gmail.com\n');
    expect(cx(['batch', file, '--yes', '--out', file], { db }).code).toBe(2);
    expect(readFileSync(file, 'utf8')).toContain('1,lookup');
    expect(cx(['batch', file, '--yes', '--out', join(dir, 'no-such-folder', 'r.csv')], { db }).code).toBe(2);
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

  it('shows the plan by type and asks; "no" applies nothing', () => {
    const db = demoMirror();
    const file = join(tempDir(), 't.csv');
    writeFileSync(file, csv);
    const before = snapshot(db);
    const r = inTerminal(db, `batch "${file}" --out r.csv`, 'n\r');
    expect(r.code).toBe(2);
    expect(r.out).toContain('Tickets to process: 1');
    expect(r.out).toMatch(/lookup +1/);
    expect(r.out).toContain('Invalid rows (reported, not applied): 2');
    expect(r.out).toContain('Cancelled: nothing was changed.');
    expect(snapshot(db)).toEqual(before);
  });

  it('"yes" applies, with a progress bar on the terminal and the plan counting tickets processed before', () => {
    const db = demoMirror();
    const file = join(tempDir(), 't.csv');
    writeFileSync(file, csv);
    expect(cx(['batch', '-', '--yes'], { db, input: 'ticket_id,type,email\nI1,lookup,jane.doe@gmail.com\n' }).code).toBe(0);
    writeFileSync(file, `${csv}I4,lookup,ben.hartley@brightlane-logistics.com\n`);
    const r = inTerminal(db, `batch "${file}" --out r.csv`, 'y\r');
    expect(r.code).toBe(5);
    expect(r.out).toContain('Already processed before (reported as already_done, not applied again): 1');
    expect(r.out).toMatch(/batch \[.*\] 4\/4 tickets/);
    expect(r.out).toContain('Batch finished: 4 rows (1 done, 1 already done, 2 invalid).');
    expect(query(db, 'SELECT ticket_id FROM processed_tickets ORDER BY ticket_id').map((x) => x.ticket_id)).toEqual(['I1', 'I4']);
  });
});
