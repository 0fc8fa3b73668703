// Batch input (CONTRACTS.md "Batch input"): a canonical CSV, or a Zendesk / Freshdesk ticket export as
// it comes, read into ticket rows. Pure: no I/O. A file that cannot be read as a whole throws
// BatchInputError (exit 2, nothing applied); a row that is merely wrong carries a `problem`.
import { parse, CsvError } from 'csv-parse/sync';
import type { Options } from 'csv-parse/sync';
import { UsageError } from '../errors.js';

export const TICKET_TYPES = ['lookup', 'password_reset', 'resubscribe', 'deactivate_client', 'provider_termination', 'notes_export'] as const;
export type TicketType = (typeof TICKET_TYPES)[number];

export interface TicketFields {
  requestedBy?: string;
  createdAt?: string;
  firstName?: string;
  lastName?: string;
  dob?: string;
  clientEmail?: string;
  since?: string;
  until?: string;
  reason?: string;
}

export interface TicketRow {
  /** 1-based line where the record starts in the file. */
  line: number;
  ticketId: string;
  /** The type as written (for the Tags rule: the one matching tag, else the whole Tags cell). */
  rawType: string;
  type: TicketType | null;
  email: string;
  /** Optional columns; a key is present only when its cell is not empty. */
  fields: TicketFields;
  /** Why this row is invalid (several reasons joined with '; '), or null. */
  problem: string | null;
}

/** The whole file is unusable. A UsageError, so the command exits 2 with nothing applied. */
export class BatchInputError extends UsageError {
  readonly line: number | null;
  constructor(message: string, line: number | null, hint?: string) {
    super(line === null ? message : `line ${line}: ${message}`, hint);
    this.line = line;
  }
}

/** Case, spaces, underscores and hyphens ignored: 'Ticket ID' -> 'ticketid'. */
export function headerKey(h: string): string {
  return h.toLowerCase().replace(/[\s_-]+/g, '');
}

/** 'Password reset', 'password-reset', 'PASSWORD_RESET' -> 'password_reset'; anything else -> null. */
export function typeKey(t: string): TicketType | null {
  return TYPE_BY_KEY.get(headerKey(t)) ?? null;
}
const TYPE_BY_KEY = new Map<string, TicketType>(TICKET_TYPES.map((type) => [headerKey(type), type]));

// ---- CSV reading (shared with the csv-spectrum corpus test) ----

// relax_quotes: a stray quote inside an unquoted value (5'10") is kept as text, as csv-parse's own
// csv-spectrum test does; an unclosed quoted value is still an error.
// record_delimiter: CRLF, LF and a lone CR all end a record, even mixed in one file (csv-parse would
// otherwise guess one from the first line), so records and line numbers agree with any editor.
const CSV_OPTIONS: Options = {
  bom: true, relax_column_count: false, relax_quotes: true, skip_empty_lines: true, info: true,
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

type Parsed = Array<{ record: string[]; info: { bytes: number } }>;

/** csv-parse reports where it gave up (for an unclosed quote, the end of the file): parse again,
 * following the records, to name the line where the bad record starts. Only on the error path,
 * as on_record costs on every record. */
function locateError(buf: Buffer, err: CsvError): BatchInputError {
  let lastEnd = bomLength(buf);
  let width: number | null = null;
  // With info: true, on_record gets { record, info }, not the bare array that csv-parse's types say.
  const onRecord: Options['on_record'] = (rec, ctx) => {
    width ??= (rec as unknown as { record: string[] }).record.length;
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

/** Header row + records as arrays: the one CSV reading (options, errors, line numbers) of batch input. */
export function readCsvRows(input: Buffer | string): CsvRows {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  assertUtf8(buf);
  let parsed: Parsed;
  try {
    parsed = parse(buf, CSV_OPTIONS) as unknown as Parsed;
  } catch (err) {
    if (err instanceof CsvError) throw locateError(buf, err);
    throw err;
  }
  const first = parsed[0];
  if (!first) return { header: [], headerLine: null, rows: [] };

  // info.bytes is where a record ends; the next one starts after any blank lines.
  const lines = new LineCounter(buf);
  let prevEnd = bomLength(buf);
  const startLine = (bytes: number) => {
    const line = lines.lineAt(skipLineBreaks(buf, prevEnd));
    prevEnd = bytes;
    return line;
  };
  const headerLine = startLine(first.info.bytes);
  const rows = parsed.slice(1).map(({ record, info }) => ({ line: startLine(info.bytes), cells: record }));
  return { header: first.record, headerLine, rows };
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

// ---- Mapping columns to ticket fields ----

// Accepted header keys, best first: canonical, Freshdesk 'Ticket Id' (same key), Zendesk 'Id'.
const TICKET_ID_KEYS = ['ticketid', 'id'];
const EMAIL_KEYS = ['email', 'requesteremail', 'contactemail'];
const FIELD_KEYS: Record<keyof TicketFields, string> = {
  requestedBy: 'requestedby', createdAt: 'createdat', firstName: 'firstname', lastName: 'lastname', dob: 'dob',
  clientEmail: 'clientemail', since: 'since', until: 'until', reason: 'reason',
};

// Columns are found by header key and then read by index, so unused columns cost nothing.
type TypeSource = { from: 'column' | 'tags'; col: number };

interface Columns {
  ticketId: number;
  email: number;
  type: TypeSource;
  fields: Array<[keyof TicketFields, number]>;
}

function listHeaders(header: string[]): string {
  const shown = header.slice(0, 40).map((h) => JSON.stringify(h)).join(', ');
  return header.length > 40 ? `${shown} and ${header.length - 40} more` : shown || '(none)';
}

/** The index of the one header with this key, or null; two headers with the same key are ambiguous. */
function findColumn(header: string[], key: string, line: number): number | null {
  const found = header.flatMap((h, col) => (headerKey(h) === key ? [col] : []));
  if (found.length > 1) {
    throw new BatchInputError(`the columns ${found.map((col) => JSON.stringify(header[col])).join(' and ')} mean the same thing; keep one`, line);
  }
  return found[0] ?? null;
}

function firstColumn(header: string[], keys: string[], line: number): number | null {
  for (const key of keys) {
    const col = findColumn(header, key, line);
    if (col !== null) return col;
  }
  return null;
}

function resolveColumns(header: string[], line: number, typeColumn: string | undefined): Columns {
  const missing = (what: string, accepted: string) =>
    new BatchInputError(`missing required column ${what} (accepted: ${accepted}); the header has: ${listHeaders(header)}`, line);
  const ticketId = firstColumn(header, TICKET_ID_KEYS, line);
  if (ticketId === null) throw missing('"ticket_id"', 'ticket_id, Ticket Id, Id');
  const email = firstColumn(header, EMAIL_KEYS, line);
  if (email === null) throw missing('"email"', 'email, Requester email, Contact email');

  let type: TypeSource;
  if (typeColumn !== undefined) {
    const col = findColumn(header, headerKey(typeColumn), line);
    if (col === null) throw new BatchInputError(`no column ${JSON.stringify(typeColumn)} (the type column asked for); the header has: ${listHeaders(header)}`, line);
    type = { from: 'column', col };
  } else {
    const col = findColumn(header, 'type', line);
    const tags = col === null ? findColumn(header, 'tags', line) : null;
    if (col !== null) type = { from: 'column', col };
    else if (tags !== null) type = { from: 'tags', col: tags };
    else throw missing('"type"', 'type, or Tags with one type tag, or a column named as the type column');
  }

  const fields: Columns['fields'] = [];
  for (const [field, key] of Object.entries(FIELD_KEYS) as Array<[keyof TicketFields, string]>) {
    const col = findColumn(header, key, line);
    if (col !== null) fields.push([field, col]);
  }
  return { ticketId, email, type, fields };
}

const TYPE_LIST = TICKET_TYPES.join(', ');

/** The type of a row, the text it came from, and a problem when there is no single known type. */
function readType(source: TypeSource, cell: string): { rawType: string; type: TicketType | null; problem: string | null } {
  if (source.from === 'column') {
    if (cell === '') return { rawType: '', type: null, problem: `missing type (expected one of: ${TYPE_LIST})` };
    const type = typeKey(cell);
    return { rawType: cell, type, problem: type ? null : `unknown type ${JSON.stringify(cell)} (expected one of: ${TYPE_LIST})` };
  }
  const matches = new Map<TicketType, string>(); // type -> the first tag that names it
  for (const tag of cell.split(/\s+/)) {
    const type = typeKey(tag);
    if (type && !matches.has(type)) matches.set(type, tag);
  }
  const [only] = matches;
  if (only && matches.size === 1) return { rawType: only[1], type: only[0], problem: null };
  const found = matches.size === 0 ? 'none of the tags is a type' : `${matches.size} types (${[...matches.keys()].join(', ')})`;
  return { rawType: cell, type: null, problem: `no single type in Tags: ${found} in ${JSON.stringify(cell)}` };
}

/** Read a ticket export into rows; throws BatchInputError when the file as a whole is unusable. */
export function parseTickets(input: Buffer | string, opts: { typeColumn?: string } = {}): TicketRow[] {
  const table = readCsvRows(input);
  if (table.headerLine === null) return []; // an empty file: nothing to do
  const cols = resolveColumns(table.header, table.headerLine, opts.typeColumn);
  const firstLineOf = new Map<string, number>();
  const rows: TicketRow[] = [];
  for (const { line, cells } of table.rows) {
    const cell = (col: number) => (cells[col] ?? '').trim();
    // A record with every cell empty (',,,' left by a spreadsheet) is a blank line, not a ticket.
    if (cells.every((v) => v.trim() === '')) continue;

    const ticketId = cell(cols.ticketId);
    const email = cell(cols.email);
    const fields: TicketFields = {};
    for (const [field, col] of cols.fields) {
      const value = cell(col);
      if (value !== '') fields[field] = value;
    }
    const { rawType, type, problem: typeProblem } = readType(cols.type, cell(cols.type.col));

    const problems: string[] = [];
    if (ticketId === '') problems.push('missing ticket id');
    else {
      const first = firstLineOf.get(ticketId);
      if (first !== undefined) problems.push(`duplicate ticket id (first on line ${first})`);
      else firstLineOf.set(ticketId, line);
    }
    if (typeProblem) problems.push(typeProblem);
    // `cx lookup --name` finds an account by name, so a lookup row may name the person instead.
    const byName = type === 'lookup' && fields.firstName !== undefined && fields.lastName !== undefined;
    if (email === '' && !byName) problems.push('missing email');

    rows.push({ line, ticketId, rawType, type, email, fields, problem: problems.length ? problems.join('; ') : null });
  }
  return rows;
}
