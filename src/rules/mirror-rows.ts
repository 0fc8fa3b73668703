// What a valid row of each mirror export looks like (docs/reference.md#mirror-import). Pure: one row in,
// the cleaned row or a list of problems out; cross-file references are checked by the import action.
// A problem names the column and what is wrong, never the value: a value may be a date of birth, a name
// or a note (issue 10, "minimum necessary"); the allowed values of an enum column may be named.
import { isCalendarDate, isIsoTime } from './dates.js';
import { checkAddress } from './address.js';
import { thousands } from './plural.js';

export type Raw = Record<string, string | undefined>;
type Check = (value: string) => string | null;

export type MirrorTable = 'accounts' | 'former_emails' | 'suppressions' | 'appointments' | 'progress_notes';

export interface FileSpec {
  file: string;
  table: MirrorTable;
  required: string[];
  optional: string[];
  /** The column that must be unique within the file (and is the key for upserts). */
  key: string[];
  checks: Record<string, Check>;
  /** The longest value each free-text column (and address) may hold, in characters; the others have a format. */
  longest: Record<string, number>;
}

/**
 * The longest values the platform could plausibly export, with room to spare (README "The mirror"): a longer
 * one is an invalid row, and the record bound below keeps the memory an import needs flat whatever a file
 * holds (a 150 MB note body was imported once, and took 1.46 GB to export).
 */
export const LONGEST = {
  /** Numbers, UUIDs, `p201`: a UUID is 36. */
  id: 128,
  /** A first or last name: the platform's name fields hold 255. */
  name: 255,
  /** An address: 64 before the @ and 255 after it at most (the address check says more under that). */
  address: 320,
  /** A progress note's title (the demo's longest is 300). */
  title: 1_000,
  /** A progress note's body: about 300 pages of text (the generated world's run to 3 KB). */
  body: 1_000_000,
} as const;

/** Room in a record for the columns with a format (dates, addresses, enums) and columns cx does not read. */
const SHORT_COLUMNS_BYTES = 64 * 1024;

/**
 * The most bytes one record of the file may take: every free-text column at its limit in 4-byte characters,
 * and room for the rest. A longer record cannot be a valid row, so it is not read to its end.
 */
export function maxRecordBytes(spec: FileSpec): number {
  const chars = Object.values(spec.longest).reduce((a, b) => a + b, 0);
  return 4 * chars + SHORT_COLUMNS_BYTES;
}

const oneOf =
  (...allowed: string[]): Check =>
  (v) =>
    allowed.includes(v) ? null : `must be one of ${allowed.join(', ')}`;
const required: Check = (v) => (v ? null : 'is empty');
const date: Check = (v) => (!v || isCalendarDate(v) ? null : 'is not a date (YYYY-MM-DD)');
const time: Check = (v) => (!v || isIsoTime(v) ? null : 'is not an ISO 8601 time');
const requiredTime: Check = (v) => required(v) ?? time(v);
const address: Check = (v) => {
  const checked = checkAddress(v);
  return checked.ok ? null : `is not a usable address: ${checked.reason}`;
};
const usState: Check = (v) => (!v || /^[A-Z]{2}$/.test(v) ? null : 'must be a two-letter state code');

export const FILES: FileSpec[] = [
  {
    file: 'accounts.csv',
    table: 'accounts',
    required: ['id', 'email', 'role', 'first_name', 'last_name', 'dob', 'status', 'email_verified_at', 'created_at', 'last_active_at'],
    optional: ['state'],
    key: ['id'],
    checks: {
      id: required,
      email: address,
      role: oneOf('client', 'provider'),
      dob: date,
      status: oneOf('active', 'deactivated', 'terminated'),
      email_verified_at: time,
      created_at: requiredTime,
      last_active_at: time,
      state: usState,
    },
    longest: { id: LONGEST.id, email: LONGEST.address, first_name: LONGEST.name, last_name: LONGEST.name },
  },
  {
    file: 'former_emails.csv',
    table: 'former_emails',
    required: ['account_id', 'email', 'changed_at'],
    optional: [],
    key: ['account_id', 'email'],
    checks: { account_id: required, email: address, changed_at: time },
    longest: { account_id: LONGEST.id, email: LONGEST.address },
  },
  {
    file: 'suppressions.csv',
    table: 'suppressions',
    required: ['email', 'reason', 'created_at'],
    optional: [],
    key: ['email'],
    checks: { email: address, reason: oneOf('unsubscribe', 'bounce', 'complaint'), created_at: requiredTime },
    longest: { email: LONGEST.address },
  },
  {
    file: 'appointments.csv',
    table: 'appointments',
    required: ['id', 'provider_id', 'client_id', 'starts_at', 'kind', 'booked_via'],
    optional: [],
    key: ['id'],
    checks: {
      id: required,
      provider_id: required,
      client_id: required,
      starts_at: requiredTime,
      kind: oneOf('intake', 'session'),
      booked_via: oneOf('search', 'provider'),
    },
    longest: { id: LONGEST.id, provider_id: LONGEST.id, client_id: LONGEST.id },
  },
  {
    file: 'progress_notes.csv',
    table: 'progress_notes',
    required: ['id', 'provider_id', 'client_id', 'session_date', 'title', 'body', 'signed_at'],
    optional: [],
    key: ['id'],
    checks: {
      id: required,
      provider_id: required,
      client_id: required,
      session_date: (v) => required(v) ?? date(v),
      signed_at: time,
    },
    longest: { id: LONGEST.id, provider_id: LONGEST.id, client_id: LONGEST.id, title: LONGEST.title, body: LONGEST.body },
  },
];

/** Columns the file lacks, given its header. */
export function missingColumns(spec: FileSpec, header: string[]): string[] {
  const seen = new Set(header.map((h) => h.trim()));
  return spec.required.filter((c) => !seen.has(c));
}

/** Problems with one row's values, each naming its column: a value too long, or not of its column's form. */
export function rowProblems(spec: FileSpec, row: Raw): string[] {
  const problems: string[] = [];
  for (const column of checkedColumns(spec)) {
    const value = (row[column] ?? '').trim();
    const limit = spec.longest[column];
    const problem = limit !== undefined && longerThan(value, limit) ? `is longer than ${thousands(limit)} characters` : (spec.checks[column]?.(value) ?? null);
    if (problem) problems.push(`${column} ${problem}`);
  }
  return problems;
}

const checked = new Map<FileSpec, readonly string[]>();

/** The columns with a check or a length limit, in that order (worked out once per file, not per row). */
function checkedColumns(spec: FileSpec): readonly string[] {
  let columns = checked.get(spec);
  if (!columns) checked.set(spec, (columns = [...new Set([...Object.keys(spec.checks), ...Object.keys(spec.longest)])]));
  return columns;
}

/** More than `limit` characters (code points: a 4-byte emoji is one), counted only when the length may say so. */
function longerThan(value: string, limit: number): boolean {
  if (value.length <= limit) return false;
  let characters = value.length;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xdc00 && unit <= 0xdfff) characters -= 1; // the second half of a surrogate pair
  }
  return characters > limit;
}
