// What a valid row of each mirror export looks like (CONTRACTS.md "Mirror import"). Pure: one row in,
// the cleaned row or a list of problems out; cross-file references are checked by the import action.
// A problem names the column and what is wrong, never the value: a value may be a date of birth, a name
// or a note (issue 10, "minimum necessary"); the allowed values of an enum column may be named.
import { isCalendarDate, isIsoTime } from './dates.js';
import { checkAddress } from './address.js';

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
  },
  {
    file: 'former_emails.csv',
    table: 'former_emails',
    required: ['account_id', 'email', 'changed_at'],
    optional: [],
    key: ['account_id', 'email'],
    checks: { account_id: required, email: address, changed_at: time },
  },
  {
    file: 'suppressions.csv',
    table: 'suppressions',
    required: ['email', 'reason', 'created_at'],
    optional: [],
    key: ['email'],
    checks: { email: address, reason: oneOf('unsubscribe', 'bounce', 'complaint'), created_at: requiredTime },
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
  },
];

/** Columns the file lacks, given its header. */
export function missingColumns(spec: FileSpec, header: string[]): string[] {
  const seen = new Set(header.map((h) => h.trim()));
  return spec.required.filter((c) => !seen.has(c));
}

/** Problems with one row's values, each naming its column. */
export function rowProblems(spec: FileSpec, row: Raw): string[] {
  const problems: string[] = [];
  for (const column in spec.checks) {
    const problem = spec.checks[column]!((row[column] ?? '').trim());
    if (problem) problems.push(`${column} ${problem}`);
  }
  return problems;
}
