import { describe, it, expect } from 'vitest';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { neutraliseFormula, toCsv } from '../../src/rules/csv-safe.js';

const FORMULA_STARTS = ['=SUM(A1:A9)', '+1', '-2', '@cmd', '\tx', '\rx', '\nx', '=HYPERLINK("http://x","y")', '\uFF1D1+1', '\uFF0B1', '\uFF0D1', '\uFF20x'];
const FORMULA = /^[=+\-@\t\r\n\uFF1D\uFF0B\uFF0D\uFF20]/;

describe('neutraliseFormula', () => {
  it.each(FORMULA_STARTS)('prefixes a quote to %j', (cell) => {
    expect(neutraliseFormula(cell)).toBe(`'${cell}`);
  });

  it.each(['', 'plain', 'a=b', 'x+1', " =1", "'=already", '1-2', 'name@example.com'])('leaves %j alone', (cell) => {
    expect(neutraliseFormula(cell)).toBe(cell);
  });
});

describe('toCsv', () => {
  it("writes every cell as csv-stringify does (LF records, a lone CR quoted), which it stands in for", () => {
    const alphabet = ['a', 'Z', '0', ' ', ',', '"', '\r', '\n', '\t', "'", '=', 'é', '😀', ';', '\\'];
    let seed = 22;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let i = 0; i < 2000; i++) {
      const cells = Array.from({ length: 1 + random(4) }, () => Array.from({ length: random(8) }, () => alphabet[random(alphabet.length)]).join(''));
      const header = cells.map((_, c) => `c${c}`);
      const row = Object.fromEntries(cells.map((cell, c) => [`c${c}`, cell]));
      const records = [header, cells.map((cell) => neutraliseFormula(cell))];
      expect(toCsv(header, [row]), JSON.stringify(cells)).toBe(stringify(records, { record_delimiter: '\n', quote_record_delimiter: true }));
    }
  });

  it('writes the header first, LF line ends, columns in header order, extra keys ignored', () => {
    const rows = [{ a: '1', b: '2', c: 'ignored' }]; // not a literal in the call: the types would refuse `c`
    const csv = toCsv(['b', 'a'], rows);
    expect(csv).toBe('b,a\n2,1\n');
  });

  it('writes null and undefined as empty, numbers and booleans as text', () => {
    const csv = toCsv(['n', 'u', 'num', 't', 'f'], [{ n: null, u: undefined, num: 42, t: true, f: false }]);
    expect(csv).toBe('n,u,num,t,f\n,,42,true,false\n');
  });

  it('quotes only the cells that need it', () => {
    const csv = toCsv(['v'], [{ v: 'a,b' }, { v: 'say "hi"' }, { v: 'two\nlines' }, { v: 'cr\rhere' }, { v: 'plain' }]);
    expect(csv).toBe('v\n"a,b"\n"say ""hi"""\n"two\nlines"\n"cr\rhere"\nplain\n');
  });

  it('reads a key with a dot as a plain key, not a nested path', () => {
    expect(toCsv(['a.b'], [{ 'a.b': 'x' }])).toBe('a.b\nx\n');
  });

  it('neutralises every cell, header included, and a CSV reader gets the values back', () => {
    const header = ['=h', 'plain', '-neg'];
    const rows = FORMULA_STARTS.map((cell, i) => ({ '=h': cell, plain: `row ${i}, "quoted"`, '-neg': -i }));
    const csv = toCsv(header, rows);
    const parsed = parse(csv) as string[][];
    expect(parsed).toHaveLength(rows.length + 1);
    for (const record of parsed) {
      for (const cell of record) expect(cell).not.toMatch(FORMULA);
    }
    expect(parsed[0]).toEqual(["'=h", 'plain', "'-neg"]);
    rows.forEach((row, i) => {
      const expected = [row['=h'], row.plain, String(row['-neg'])].map((v) => (FORMULA.test(v) ? `'${v}` : v));
      expect(parsed[i + 1]).toEqual(expected);
    });
  });

  it('can leave the header out, for appending rows', () => {
    expect(toCsv(['a'], [{ a: 'x' }], { includeHeader: false })).toBe('x\n');
    expect(toCsv(['a'], [], { includeHeader: false })).toBe('');
    expect(toCsv(['a'], [])).toBe('a\n');
  });
});
