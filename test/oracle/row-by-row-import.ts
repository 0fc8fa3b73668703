// The row-by-row importer that the streaming import replaced (src/actions/import-mirror.ts and
// src/store/mirror-import.ts as of commit ad1922a, copied whole into one file and otherwise unchanged):
// the test oracle the streaming import is compared with, table for table. Do not "fix" it: its value is
// that it is what cx did before. It reads whole files with csv-parse/sync, runs one transaction and
// upserts row by row.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { UsageError } from '../../src/errors.js';
import { addressKey, baseMailboxKey, mailboxKey } from '../../src/rules/address.js';
import { FILES, missingColumns, rowProblems, type FileSpec, type Raw } from '../../src/rules/mirror-rows.js';
import { nameKey } from '../../src/rules/names.js';
import { appendAudit } from '../../src/store/audit.js';
import { sql, writeTransaction, type Db } from '../../src/store/db.js';

export const MAX_REPORTED_PROBLEMS = 50;

export interface FileReport {
  file: string;
  rows: number;
  changed: number;
  unchanged: number;
}

export interface ImportReport {
  dir: string;
  files: FileReport[];
  skipped: string[];
  dry_run: boolean;
}

interface Deps {
  db: Db;
  agent: string;
  now: Date;
  dryRun: boolean;
  ticket?: string;
}

interface Record_ {
  line: number;
  row: Raw;
}

export function importMirrorRowByRow(deps: Deps, dir: string, action = 'db.import'): ImportReport {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`not a folder: ${dir}`);
  const problems: string[] = [];
  const parsed = FILES.map((spec) => ({ spec, records: readExport(dir, spec, problems) }));
  if (problems.length) throw importFailed(problems);

  const report: ImportReport = { dir, files: [], skipped: [], dry_run: deps.dryRun };
  const apply = (): void => {
    for (const { spec, records } of parsed) {
      if (records === null) {
        report.skipped.push(spec.file);
        continue;
      }
      report.files.push(loadFile(deps.db, spec, records, problems));
    }
    if (problems.length) throw importFailed(problems);
    const changed = report.files.reduce((n, f) => n + f.changed, 0);
    if (deps.dryRun) throw new DryRunRollback();
    appendAudit(
      deps.db,
      {
        agent: deps.agent,
        action,
        ticket: deps.ticket ?? null,
        account_id: null,
        outcome: changed ? 'done' : 'already_done',
        detail: `${dir}: ${report.files.map((f) => `${f.file} ${f.rows} rows, ${f.changed} changed`).join('; ')}`,
      },
      deps.now,
    );
  };
  try {
    writeTransaction(deps.db, apply);
  } catch (err) {
    if (!(err instanceof DryRunRollback)) throw err;
  }
  return report;
}

/** Thrown inside the transaction to roll a dry run back after every row was checked against the database. */
class DryRunRollback extends Error {}

function importFailed(problems: string[]): UsageError {
  const shown = problems.slice(0, MAX_REPORTED_PROBLEMS);
  const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
  return new UsageError(
    `the import was refused, nothing was written (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${shown.join('\n  ')}${more}`,
  );
}

/** The file's records, null when the file is absent; problems are appended, not thrown. */
function readExport(dir: string, spec: FileSpec, problems: string[]): Record_[] | null {
  const path = join(dir, spec.file);
  if (!existsSync(path)) return null;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(path));
  } catch {
    problems.push(`${spec.file}: not UTF-8 text (save the export as UTF-8)`);
    return [];
  }
  let parsedRows: Array<{ record: Raw; info: { lines: number } }>;
  try {
    parsedRows = parse(text, { bom: true, columns: true, skip_empty_lines: true, info: true, trim: false });
  } catch (err) {
    const e = err as { message: string; lines?: number };
    problems.push(`${spec.file}:${e.lines ?? '?'}: not valid CSV: ${e.message}`);
    return [];
  }
  const header = parsedRows[0] ? Object.keys(parsedRows[0].record) : headerOf(text);
  const missing = missingColumns(spec, header);
  if (missing.length) {
    problems.push(`${spec.file}:1: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (found: ${header.join(', ')})`);
    return [];
  }
  const seen = new Map<string, number>();
  const records: Record_[] = [];
  for (const { record, info } of parsedRows) {
    // info.lines is the line where the record ends; a record with quoted newlines starts earlier.
    const line = info.lines - countNewlines(record);
    for (const p of rowProblems(spec, record)) problems.push(`${spec.file}:${line}: ${p}`);
    const key = spec.key.map((k) => (k === 'email' ? addressKey(record[k] ?? '') : (record[k] ?? '').trim())).join('\u0000');
    const first = seen.get(key);
    if (first !== undefined) problems.push(`${spec.file}:${line}: duplicate ${spec.key.join('+')} (first on line ${first})`);
    else seen.set(key, line);
    records.push({ line, row: record });
  }
  return records;
}

function headerOf(text: string): string[] {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  return firstLine ? (parse(firstLine) as string[][])[0] ?? [] : [];
}

function countNewlines(record: Raw): number {
  let n = 0;
  for (const v of Object.values(record)) n += (v?.match(/\r\n|\r|\n/g) ?? []).length;
  return n;
}

function loadFile(db: Db, spec: FileSpec, records: Record_[], problems: string[]): FileReport {
  const table = spec.file.replace('.csv', '') as Table;
  let changed = 0;
  for (const { line, row } of records) {
    const where = `${spec.file}:${line}`;
    const values = toColumns(table, row);
    const refProblem = referenceProblem(db, table, values);
    if (refProblem) {
      problems.push(`${where}: ${refProblem}`);
      continue;
    }
    try {
      if (upsertRow(db, table, values)) changed += 1;
    } catch (err) {
      problems.push(`${where}: ${constraintMessage(db, table, values, err)}`);
    }
  }
  return { file: spec.file, rows: records.length, changed, unchanged: records.length - changed };
}

const blank = (v: string | undefined): string | null => (v === undefined || v.trim() === '' ? null : v.trim());

function toColumns(table: Table, r: Raw): Record<string, unknown> {
  switch (table) {
    case 'accounts': {
      const key = addressKey(r.email ?? '');
      return {
        id: r.id!.trim(),
        email: r.email!.trim(),
        email_key: key,
        mailbox_key: mailboxKey(key),
        base_key: baseMailboxKey(key),
        email_rev: [...key].reverse().join(''),
        role: r.role!.trim(),
        first_name: (r.first_name ?? '').trim(),
        last_name: (r.last_name ?? '').trim(),
        first_key: nameKey(r.first_name ?? ''),
        last_key: nameKey(r.last_name ?? ''),
        dob: blank(r.dob),
        status: r.status!.trim(),
        email_verified_at: blank(r.email_verified_at),
        created_at: r.created_at!.trim(),
        last_active_at: blank(r.last_active_at),
        state: blank(r.state),
      };
    }
    case 'former_emails':
      return { account_id: r.account_id!.trim(), email: r.email!.trim(), email_key: addressKey(r.email ?? ''), changed_at: blank(r.changed_at) };
    case 'suppressions':
      return { email_key: addressKey(r.email ?? ''), email: r.email!.trim(), reason: r.reason!.trim(), created_at: r.created_at!.trim() };
    case 'appointments':
      return {
        id: r.id!.trim(),
        provider_id: r.provider_id!.trim(),
        client_id: r.client_id!.trim(),
        starts_at: r.starts_at!.trim(),
        kind: r.kind!.trim(),
        booked_via: r.booked_via!.trim(),
      };
    case 'progress_notes':
      // Title and body are kept exactly as exported: the notes export hands them over byte for byte.
      return {
        id: r.id!.trim(),
        provider_id: r.provider_id!.trim(),
        client_id: r.client_id!.trim(),
        session_date: r.session_date!.trim(),
        title: r.title ?? '',
        body: r.body ?? '',
        signed_at: blank(r.signed_at),
      };
  }
}

function referenceProblem(db: Db, table: Table, v: Record<string, unknown>): string | null {
  if (table === 'former_emails') {
    return roleOf(db, v.account_id as string) ? null : `account_id ${String(v.account_id)} is not an account`;
  }
  if (table === 'appointments' || table === 'progress_notes') {
    const provider = roleOf(db, v.provider_id as string);
    const client = roleOf(db, v.client_id as string);
    if (provider !== 'provider') return `provider_id ${String(v.provider_id)} is ${provider ? `a ${provider}` : 'not an account'}`;
    if (client !== 'client') return `client_id ${String(v.client_id)} is ${client ? `a ${client}` : 'not an account'}`;
  }
  return null;
}

function constraintMessage(db: Db, table: Table, v: Record<string, unknown>, err: unknown): string {
  const code = (err as { code?: string }).code ?? '';
  if (table === 'accounts' && code === 'SQLITE_CONSTRAINT_UNIQUE') {
    const other = accountIdByEmailKey(db, v.email_key as string);
    return `email ${String(v.email)} already belongs to account ${other ?? '?'}`;
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) return `rejected by the mirror: ${(err as Error).message}`;
  throw err;
}

// ---- src/store/mirror-import.ts as it was ----

type Table = 'accounts' | 'former_emails' | 'suppressions' | 'appointments' | 'progress_notes';

const COLUMNS: Record<Table, { key: string[]; columns: string[] }> = {
  accounts: {
    key: ['id'],
    columns: [
      'id', 'email', 'email_key', 'mailbox_key', 'base_key', 'email_rev', 'role', 'first_name', 'last_name',
      'first_key', 'last_key', 'dob', 'status', 'email_verified_at', 'created_at', 'last_active_at', 'state',
    ],
  },
  former_emails: { key: ['account_id', 'email_key'], columns: ['account_id', 'email', 'email_key', 'changed_at'] },
  suppressions: { key: ['email_key'], columns: ['email_key', 'email', 'reason', 'created_at'] },
  appointments: {
    key: ['id'],
    columns: ['id', 'provider_id', 'client_id', 'starts_at', 'kind', 'booked_via'],
  },
  progress_notes: {
    key: ['id'],
    columns: ['id', 'provider_id', 'client_id', 'session_date', 'title', 'body', 'signed_at'],
  },
};

function upsertSql(table: Table): string {
  const { key, columns } = COLUMNS[table];
  const updated = columns.filter((c) => !key.includes(c));
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})
    ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${updated.map((c) => `${c} = excluded.${c}`).join(', ')}
    WHERE ${updated.map((c) => `${table}.${c} IS NOT excluded.${c}`).join(' OR ')}`;
}

/** Insert or update one row; returns whether anything changed. */
function upsertRow(db: Db, table: Table, row: Record<string, unknown>): boolean {
  return sql(db, upsertSql(table)).run(row).changes > 0;
}

/** The role of each of these accounts, for checking that appointments and notes join the right roles. */
function roleOf(db: Db, id: string): string | undefined {
  return (sql(db, 'SELECT role FROM accounts WHERE id = ?').get(id) as { role: string } | undefined)?.role;
}

function accountIdByEmailKey(db: Db, emailKey: string): string | undefined {
  return (sql(db, 'SELECT id FROM accounts WHERE email_key = ?').get(emailKey) as { id: string } | undefined)?.id;
}
