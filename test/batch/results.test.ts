import { describe, it, expect } from 'vitest';
import { parse } from 'csv-parse/sync';
import { RESULT_COLUMNS, ResultsWriter, resultsCsv } from '../../src/batch/results.js';
import type { ResultRow } from '../../src/batch/results.js';

const FORMULA = /^[=+\-@\t\r\n\uFF1D\uFF0B\uFF0D\uFF20]/;

function row(over: Partial<ResultRow> = {}): ResultRow {
  return {
    ticket_id: '1001', type: 'password_reset', email: 'ann@example.com', outcome: 'done',
    account_id: 'a1', detail: 'reset email queued', processed_at: '2024-05-01T10:00:00.000Z', tell: '', suggestions: '', ...over,
  };
}

// Hostile values in every column: each formula start, plus commas, quotes and line breaks. (No action returns
// an outcome such as '@done'; the writer is still held to make every column safe.)
const FORMULA_OUTCOME = '@done' as ResultRow['outcome'];
const hostile: ResultRow[] = [
  row({ ticket_id: '=1+1', type: '+lookup', email: '-x@example.com', outcome: FORMULA_OUTCOME, account_id: '\tid', detail: '\rcr', processed_at: '\nlf', tell: '=cmd', suggestions: '@x.com' }),
  row({ detail: '\nstarts with a line feed' }),
  row({ detail: '=HYPERLINK("http://evil.example","click")', email: '@evil', type: '\uFF1Dcmd' }),
  row({ detail: 'a, b and "c"\nnext line', account_id: null }),
  row({ ticket_id: '-5', detail: '', outcome: 'invalid' }),
];

describe('resultsCsv', () => {
  it("writes the contract's header, even with no rows; tell and suggestions after its columns", () => {
    expect(resultsCsv([])).toBe('ticket_id,type,email,outcome,account_id,detail,processed_at,tell,suggestions\n');
    expect(RESULT_COLUMNS.join(',')).toBe('ticket_id,type,email,outcome,account_id,detail,processed_at,tell,suggestions');
  });

  it('writes one line per row in input order, null account_id empty', () => {
    const csv = resultsCsv([row({ ticket_id: 'b', tell: 'on its way' }), row({ ticket_id: 'a', account_id: null, suggestions: 'a@x.com b@x.com' })]);
    expect(csv.split('\n')).toEqual([
      'ticket_id,type,email,outcome,account_id,detail,processed_at,tell,suggestions',
      'b,password_reset,ann@example.com,done,a1,reset email queued,2024-05-01T10:00:00.000Z,on its way,',
      'a,password_reset,ann@example.com,done,,reset email queued,2024-05-01T10:00:00.000Z,,a@x.com b@x.com',
      '',
    ]);
  });

  it('no cell can start a formula, leading LF included', () => {
    const parsed = parse(resultsCsv(hostile)) as string[][];
    expect(parsed).toHaveLength(hostile.length + 1);
    for (const record of parsed) for (const cell of record) expect(cell).not.toMatch(FORMULA);
  });

  it('reads back with csv-parse to the same values (after the quote prefix)', () => {
    const parsed = parse(resultsCsv(hostile), { columns: true }) as Array<Record<string, string>>;
    expect(parsed).toHaveLength(hostile.length);
    hostile.forEach((original, i) => {
      for (const column of RESULT_COLUMNS) {
        const value = original[column] ?? '';
        const expected = FORMULA.test(value) ? `'${value}` : value;
        expect(parsed[i]?.[column], `${column} of row ${i}`).toBe(expected);
      }
    });
  });
});

describe('ResultsWriter', () => {
  it('streams the same text as resultsCsv, one chunk per row', () => {
    const chunks: string[] = [];
    const writer = new ResultsWriter((s) => chunks.push(s));
    for (const r of hostile) writer.write(r);
    expect(writer.end()).toBe(hostile.length);
    expect(chunks).toHaveLength(hostile.length);
    expect(chunks.join('')).toBe(resultsCsv(hostile));
  });

  it('writes just the header when there were no rows', () => {
    const chunks: string[] = [];
    const writer = new ResultsWriter((s) => chunks.push(s));
    expect(writer.end()).toBe(0);
    expect(chunks.join('')).toBe(resultsCsv([]));
    writer.end();
    expect(chunks).toHaveLength(1);
  });
});
