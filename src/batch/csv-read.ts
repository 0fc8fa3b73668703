// Reading a CSV export as a whole (docs/reference.md#batch-input): UTF-8 check, csv-parse with the options
// batch input needs, and the line where each record starts, for messages. A file that cannot be read as a
// whole throws BatchInputError (exit 2, nothing applied). Shared with the csv-spectrum corpus test.
import { parse, CsvError } from 'csv-parse/sync';
import type { Options } from 'csv-parse/sync';
import { UsageError } from '../errors.js';

/** The whole file is unusable. A UsageError, so the command exits 2 with nothing applied. */
export class BatchInputError extends UsageError {
  readonly line: number | null;
  constructor(message: string, line: number | null, hint?: string) {
    super(line === null ? message : `line ${line}: ${message}`, hint);
    this.line = line;
  }
}


// relax_quotes: a stray quote inside an unquoted value (5'10") is kept as text, as csv-parse's own
// csv-spectrum test does; an unclosed quoted value is still an error.
// record_delimiter: CRLF, LF and a lone CR all end a record, even mixed in one file (csv-parse would
// otherwise guess one from the first line), so records and line numbers agree with any editor.
const CSV_OPTIONS: Options = {
  bom: true, relax_column_count: false, relax_quotes: true, skip_empty_lines: true,
  record_delimiter: ['\r\n', '\n', '\r'],
};

export interface CsvRecord {
  /** 1-based line where the record starts (a quoted value may carry it over several lines). */
  line: number;
  /** Header name -> value, as in the file (untrimmed). With a repeated header name the first column wins. */
  values: Record<string, string>;
}

export interface CsvTable {
  /** Empty for an empty file. */
  header: string[];
  headerLine: number | null;
  records: CsvRecord[];
}

/** The same reading with each record as an array of cells, in header order. */
export interface CsvRows {
  header: string[];
  headerLine: number | null;
  rows: Array<{ line: number; cells: string[] }>;
}

const LF = 0x0a;
const CR = 0x0d;

/** Line numbers for byte offsets, asked in increasing order; LF, CRLF and a lone CR each end a line. */
class LineCounter {
  private pos = 0;
  private line = 1;
  constructor(private readonly buf: Buffer) {}
  lineAt(offset: number): number {
    const end = Math.min(offset, this.buf.length);
    if (end <= this.pos) return this.line;
    // indexOf hops within the slice rather than a byte loop: exports run to many megabytes.
    const slice = this.buf.subarray(this.pos, end);
    for (let i = slice.indexOf(LF); i !== -1; i = slice.indexOf(LF, i + 1)) this.line++;
    for (let i = slice.indexOf(CR); i !== -1; i = slice.indexOf(CR, i + 1)) {
      if (this.buf[this.pos + i + 1] !== LF) this.line++; // a lone CR; CRLF counts once, at its LF
    }
    this.pos = end;
    return this.line;
  }
}

/** skip_empty_lines drops blank lines, so a record starts at the first byte after them. */
function skipLineBreaks(buf: Buffer, offset: number): number {
  let i = offset;
  while (buf[i] === LF || buf[i] === CR) i++;
  return i;
}

function bomLength(buf: Buffer): number {
  return buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
}

function assertUtf8(buf: Buffer): void {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    decoder.decode(buf);
    return;
  } catch {
    // Find the first bad line: a UTF-8 sequence never contains the LF byte, so lines decode alone.
  }
  const lines = new LineCounter(buf);
  let line: number | null = null;
  for (let start = 0; start <= buf.length && line === null; ) {
    const lf = buf.indexOf(LF, start);
    const end = lf === -1 ? buf.length : lf;
    try {
      decoder.decode(buf.subarray(start, end));
    } catch {
      line = lines.lineAt(start);
    }
    start = end + 1;
  }
  throw new BatchInputError('the file is not UTF-8 text', line, 'export or save the file as "CSV UTF-8"');
}

function malformed(err: CsvError, line: number, width: number | null): BatchInputError {
  if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
    return new BatchInputError('a quoted value starts in this record and is never closed', line,
      'close the quote, and write a quote inside a quoted value as two quotes ("")');
  }
  if (err.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') {
    const record = (err as { record?: unknown }).record;
    const got = Array.isArray(record) ? `${record.length} fields` : 'a different number of fields';
    return new BatchInputError(`this record has ${got} but the header has ${width ?? '?'}`, line,
      'a value that contains a comma must be in double quotes');
  }
  return new BatchInputError(`malformed CSV: ${err.message}`, line);
}

/** csv-parse reports where it gave up (for an unclosed quote, the end of the file): parse again,
 * following the records, to name the line where the bad record starts. Only on the error path. */
function locateError(buf: Buffer, err: CsvError): BatchInputError {
  let lastEnd = bomLength(buf);
  let width: number | null = null;
  const onRecord: Options['on_record'] = (rec, ctx) => {
    width ??= rec.length;
    lastEnd = ctx.bytes; // where the next record begins, blank lines aside
    return rec;
  };
  try {
    parse(buf, { ...CSV_OPTIONS, on_record: onRecord });
  } catch {
    // the same error again; lastEnd now marks the end of the last good record
  }
  return malformed(err, new LineCounter(buf).lineAt(skipLineBreaks(buf, lastEnd)), width);
}

function asBuffer(input: Buffer | string): Buffer {
  return typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
}

/**
 * Every record in order, header first, to `visit` with the line where it starts and the byte offset
 * where it ends (where the next one may start); nothing is kept, so memory does not grow with the file.
 * Throws BatchInputError for a file that is not UTF-8 or not well-formed CSV.
 */
export function visitCsv(input: Buffer | string, visit: (cells: string[], line: number, end: number) => void): void {
  const buf = asBuffer(input);
  assertUtf8(buf);
  // ctx.bytes is where a record ends (delimiter included, counted from the file's first byte, BOM
  // included); the next one starts after any blank lines.
  const lines = new LineCounter(buf);
  let prevEnd = bomLength(buf);
  let failure: unknown;
  const onRecord: Options['on_record'] = (cells, ctx) => {
    const line = lines.lineAt(skipLineBreaks(buf, prevEnd));
    prevEnd = ctx.bytes;
    try {
      visit(cells, line, ctx.bytes);
    } catch (err) {
      failure = err; // csv-parse would wrap it; keep it as thrown
      throw err;
    }
    return null; // csv-parse keeps nothing
  };
  try {
    parse(buf, { ...CSV_OPTIONS, on_record: onRecord });
  } catch (err) {
    if (failure !== undefined) throw failure;
    if (err instanceof CsvError) throw locateError(buf, err);
    throw err;
  }
}

/**
 * The records in a byte range of a file that visitCsv has already read whole (a range on record
 * boundaries it reported), as arrays of cells. No line numbers: the caller kept them from visitCsv,
 * which spares csv-parse a context object per record.
 */
export function readCsvRange(input: Buffer, start: number, end: number): string[][] {
  // A range starts at a record boundary, after the header, so never at the BOM.
  return parse(input.subarray(start, end), CSV_OPTIONS) as string[][];
}

/** Header row + records as arrays: the one CSV reading (options, errors, line numbers) of batch input. */
export function readCsvRows(input: Buffer | string): CsvRows {
  const records: Array<{ line: number; cells: string[] }> = [];
  visitCsv(input, (cells, line) => void records.push({ line, cells }));
  const first = records[0];
  if (!first) return { header: [], headerLine: null, rows: [] };
  return { header: first.cells, headerLine: first.line, rows: records.slice(1) };
}

/** Header row + records as objects of strings (header name -> value). */
export function readCsvRecords(input: Buffer | string): CsvTable {
  const { header, headerLine, rows } = readCsvRows(input);
  const columns = header.flatMap((name, col) => (header.indexOf(name) === col ? [[name, col] as const] : []));
  const records = rows.map(({ line, cells }) => ({
    line,
    // fromEntries defines own properties, so even a '__proto__' column is kept; first name wins.
    values: Object.fromEntries(columns.map(([name, col]) => [name, cells[col] ?? ''])),
  }));
  return { header, headerLine, records };
}
