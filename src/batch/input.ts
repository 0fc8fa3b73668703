// Batch input (docs/reference.md#batch-input): a canonical CSV, or a Zendesk / Freshdesk ticket export as
// it comes, read into ticket rows. Pure: no I/O. A file that cannot be read as a whole throws
// BatchInputError (exit 2, nothing applied); a row that is merely wrong carries a `problem`.
import { addressKey } from '../rules/address.js';
import { checkTicketId } from '../rules/tickets.js';
import { BatchInputError, readCsvRows } from './csv-read.js';

export { BatchInputError, readCsvRecords, readCsvRows } from './csv-read.js';
export type { CsvRecord, CsvRows, CsvTable } from './csv-read.js';

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
  /**
   * A row whose type was not recognised, in a file with another column that names a type in this row (the
   * Zendesk export's "CX action [list]" when the type was read from Tags): that column's header.
   */
  typeColumn?: string;
}

/** Case, spaces, underscores and hyphens ignored: 'Ticket ID' -> 'ticketid'. */
export function headerKey(h: string): string {
  return h.toLowerCase().replace(/[\s_-]+/g, '');
}

/** 'Password reset', 'password-reset', 'PASSWORD_RESET' -> 'password_reset'; anything else -> null. */
export function typeKey(t: string): TicketType | null {
  // A type written as the contract spells it (most rows) is found without building its key.
  return EXACT_TYPES.get(t) ?? TYPE_BY_KEY.get(headerKey(t)) ?? null;
}
const TYPE_BY_KEY = new Map<string, TicketType>(TICKET_TYPES.map((type) => [headerKey(type), type]));
const EXACT_TYPES = new Map<string, TicketType>(TICKET_TYPES.map((type) => [type, type]));

// ---- Mapping columns to ticket fields ----

// Accepted header keys, best first: canonical, Freshdesk 'Ticket Id' (same key), Zendesk 'Id'. Exported for the
// test that keeps docs/reference.md ("Batch input") true.
export const TICKET_ID_KEYS = ['ticketid', 'id'];
export const EMAIL_KEYS = ['email', 'requesteremail', 'contactemail'];
export const FIELD_KEYS: Record<keyof TicketFields, string> = {
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
  /** The columns a type may be read from instead (every other one): see TicketRow.typeColumn. */
  others: number[];
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
  const used = new Set([ticketId, email, type.col, ...fields.map(([, col]) => col)]);
  return { ticketId, email, type, fields, others: header.flatMap((_, col) => (used.has(col) ? [] : [col])) };
}

/** The first other column whose cell in this row is a type, when the row's own type was not recognised. */
function columnWithType(header: string[], cols: Columns, cells: string[]): { header: string; cell: string } | null {
  for (const col of cols.others) {
    const cell = (cells[col] ?? '').trim();
    if (cell !== '' && typeKey(cell) !== null) return { header: header[col]!, cell };
  }
  return null;
}

const TYPE_LIST = TICKET_TYPES.join(', ');

/** An empty file has no header row (docs/reference.md#batch-input): most likely the wrong file or a failed export. */
export function noHeader(): BatchInputError {
  return new BatchInputError('the file is empty: a ticket export starts with a header row (ticket_id, type, email, ...)', null);
}

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
  // None: the types cx knows, so the agent sees what the tag should say.
  const found = matches.size === 0 ? 'none of the tags is a type' : `${matches.size} types (${[...matches.keys()].join(', ')})`;
  const known = matches.size === 0 ? ` (types: ${TYPE_LIST})` : '';
  return { rawType: cell, type: null, problem: `no single type in Tags: ${found} in ${JSON.stringify(cell)}${known}` };
}

/**
 * The help desk an export comes from (docs/reference.md#tickets): a Zendesk export names its ticket column
 * `Id`; Freshdesk's says `Ticket Id` (any case). The canonical CSV spells it `ticket_id` and belongs to the
 * `desk` setting (null here).
 */
export function exportDesk(header: string[]): 'zendesk' | 'freshdesk' | null {
  const ticketHeader = header.find((h) => TICKET_ID_KEYS.includes(headerKey(h)));
  if (ticketHeader === undefined) return null;
  if (headerKey(ticketHeader) === 'id') return 'zendesk';
  return ticketHeader.trim().toLowerCase() === 'ticket_id' ? null : 'freshdesk';
}

/** Turns records into ticket rows, in file order (it remembers each row's key, to mark a repeated one). */
export type TicketMapper = (line: number, cells: string[]) => TicketRow | null;

/**
 * Where a row that asks for the same ticket, type and address as an earlier one first appeared: the line,
 * or undefined for the first time. Rows are asked about in file order.
 */
export type RepeatCheck = (line: number, key: () => string) => number | undefined;

/** The repeat check of a first reading: it remembers every row's key. */
export function rememberingRepeats(): RepeatCheck {
  const firstLineOf = new Map<string, number>();
  return (line, key) => {
    const k = key();
    const first = firstLineOf.get(k);
    if (first === undefined) firstLineOf.set(k, line);
    return first;
  };
}

/**
 * The mapper for a file with this header; throws BatchInputError when the header lacks a column. `repeats`
 * answers for repeated rows (a fresh rememberingRepeats() unless given).
 */
export function ticketMapper(header: string[], headerLine: number, opts: { typeColumn?: string; repeats?: RepeatCheck } = {}): TicketMapper {
  const cols = resolveColumns(header, headerLine, opts.typeColumn);
  const repeatedFrom = opts.repeats ?? rememberingRepeats();
  return (line, cells) => {
    const cell = (col: number) => (cells[col] ?? '').trim();
    // A record with every cell empty (',,,' left by a spreadsheet) is a blank line, not a ticket.
    if (cells.every((v) => v.trim() === '')) return null;

    const ticketCell = cell(cols.ticketId);
    const checkedId = ticketCell === '' ? null : checkTicketId(ticketCell);
    const ticketId = checkedId?.ok ? checkedId.value : ticketCell;
    const email = cell(cols.email);
    const fields: TicketFields = {};
    for (const [field, col] of cols.fields) {
      const value = cell(col);
      if (value !== '') fields[field] = value;
    }
    const { rawType, type, problem: typeProblem } = readType(cols.type, cell(cols.type.col));

    const problems: string[] = [];
    if (checkedId === null) problems.push('missing ticket id');
    else if (!checkedId.ok) problems.push(checkedId.reason);
    else if (type !== null) {
      // The same ticket may ask for several actions, or the same action for several accounts; the very
      // same request twice is a mistake in the export.
      const first = repeatedFrom(line, () => `${ticketId}\u0000${type}\u0000${addressKey(email)}`);
      if (first !== undefined) problems.push(`duplicate row: ticket ${ticketId} already asks for ${type} of this address (first on line ${first})`);
    }
    // The type may be in a column the agent did not name (a Zendesk custom field): say which, and the flag.
    const elsewhere = typeProblem ? columnWithType(header, cols, cells) : null;
    if (typeProblem) {
      problems.push(
        elsewhere
          ? `${typeProblem}; the column ${JSON.stringify(elsewhere.header)} says ${JSON.stringify(elsewhere.cell)}: to read the types from it, run again with --type-column ${JSON.stringify(elsewhere.header)}`
          : typeProblem,
      );
    }
    // `cx lookup --name` finds an account by name, so a lookup row may name the person instead.
    const byName = type === 'lookup' && fields.firstName !== undefined && fields.lastName !== undefined;
    if (email === '' && !byName) problems.push('missing email');

    return { line, ticketId, rawType, type, email, fields, problem: problems.length ? problems.join('; ') : null, ...(elsewhere ? { typeColumn: elsewhere.header } : {}) };
  };
}

/** Read a ticket export into rows; throws BatchInputError when the file as a whole is unusable. */
export function parseTickets(input: Buffer | string, opts: { typeColumn?: string } = {}): TicketRow[] {
  const table = readCsvRows(input);
  if (table.headerLine === null) throw noHeader();
  const toRow = ticketMapper(table.header, table.headerLine, opts);
  return table.rows.flatMap(({ line, cells }) => toRow(line, cells) ?? []);
}
