// Reading an export as a stream: records numbered from 1; on a second reading, the line each record
// starts on as an editor numbers lines, whatever line breaks the file and its quoted fields use, and the
// line where the CSV breaks; UTF-8 errors as problems of the file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExportFileProblem, locateRecords, readExport } from '../../src/actions/import-read.js';
import { FILES } from '../../src/rules/mirror-rows.js';
import { tempDir } from '../helpers/cx.js';

const suppressions = FILES.find((f) => f.file === 'suppressions.csv')!;
const HEADER = 'email,reason,created_at';

function fileWith(text: string | Buffer): string {
  const path = join(tempDir(), 'suppressions.csv');
  writeFileSync(path, text);
  return path;
}

/** Each record's start line (second reading) with its address (first reading). */
async function startLines(text: string | Buffer): Promise<Array<[number, string]>> {
  const path = fileWith(text);
  const seen: Array<[number, string]> = [];
  await readExport(path, suppressions, { row: (record, row) => seen.push([record, row.email!]) });
  const { lines } = await locateRecords(path, suppressions, seen.map(([record]) => record));
  return seen.map(([record, email]) => [lines.get(record)!, email]);
}

async function problemOf(text: string | Buffer): Promise<{ problem: ExportFileProblem; brokenAt?: number }> {
  const path = fileWith(text);
  try {
    await readExport(path, suppressions, { row: () => {} });
  } catch (err) {
    if (!(err instanceof ExportFileProblem)) throw err;
    return { problem: err, brokenAt: (await locateRecords(path, suppressions, [])).brokenAt };
  }
  throw new Error('no problem found');
}

describe('readExport', () => {
  it.each([
    ['LF', `${HEADER}\na,x,1\nb,x,2\nc,x,3\n`, [[2, 'a'], [3, 'b'], [4, 'c']]],
    ['CRLF', `${HEADER}\r\na,x,1\r\nb,x,2\r\n`, [[2, 'a'], [3, 'b']]],
    ['a quoted LF', `${HEADER}\na,"x\ny",1\nb,x,2\n`, [[2, 'a'], [4, 'b']]],
    ['quoted CRLFs in an LF file', `${HEADER}\na,"x\r\ny\r\nz",1\nb,x,2\nc,"p\r\nq",3\nd,x,4\n`, [[2, 'a'], [5, 'b'], [6, 'c'], [8, 'd']]],
    ['quoted CRLFs in a CRLF file', `${HEADER}\r\na,"x\r\ny",1\r\nb,x,2\r\n`, [[2, 'a'], [4, 'b']]],
    ['empty lines and a BOM', `\uFEFF${HEADER}\na,x,1\n\nb,x,2\n\n\nc,x,3`, [[2, 'a'], [4, 'b'], [7, 'c']]],
  ])('%s: each record starts where an editor shows it', async (_name, text, expected) => {
    expect(await startLines(text)).toEqual(expected);
  });

  it('a broken quote after quoted CRLFs is placed on its own line', async () => {
    const { problem, brokenAt } = await problemOf(`${HEADER}\na,"x\r\ny",1\nb,x "y" z,2\n`);
    expect(problem.message).toBe('not valid CSV: a quote inside a field that does not start with one');
    expect(problem.brokenAfter).toBe(1);
    expect(brokenAt).toBe(4);
  });

  it('a record past what its columns may hold stops the reading, placed where the record starts', async () => {
    // suppressions.csv has no free-text column: a record may take 64 KiB. Blank lines and CRLFs before it.
    const big = `"${'x\n'.repeat(40_000)}"`;
    const { problem, brokenAt } = await problemOf(`${HEADER}\r\na,"p\r\nq",1\r\n\r\n\r\n${big},x,2\r\nb,x,3\r\n`);
    expect(problem.message).toBe('a row over 67 KB, more than its columns may hold: the rest of the file was not read');
    expect(problem.brokenAfter).toBe(1);
    expect(brokenAt).toBe(6);
  });

  it('a row with too many fields', async () => {
    const { problem, brokenAt } = await problemOf(`${HEADER}\na,x,1\nb,x,2,extra\n`);
    expect(problem.message).toBe('not valid CSV: a row has a different number of fields than the header');
    expect(brokenAt).toBe(3);
  });

  it('bytes that are not UTF-8, past the first chunk', async () => {
    const rows = Array.from({ length: 60_000 }, (_, i) => `user${i}@example.com,bounce,2026-01-01`).join('\n');
    const { problem } = await problemOf(Buffer.concat([Buffer.from(`${HEADER}\n${rows}\n`), Buffer.from([0xc3, 0x28, 0x0a])]));
    expect(problem.message).toMatch(/not UTF-8/);
  });
});
