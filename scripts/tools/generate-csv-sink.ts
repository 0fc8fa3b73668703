// Writes the generated world as the platform's exports (docs/reference.md#mirror-import): the files
// `cx db import` reads, for the import's tests and benchmark. Only the columns the platform exports are
// written (the keys cx derives, such as email_key, are dropped); `tables` limits which files are written
// (the import bench needs accounts.csv alone at 3M accounts). Rows are buffered and written in blocks.
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { MIRROR_COLUMNS, TABLES, type RowSink, type TableName, type Value } from './generate-sink.js';

/** The columns of each export file, in the contract's order. */
export const EXPORT_COLUMNS: Record<TableName, readonly string[]> = {
  accounts: ['id', 'email', 'role', 'first_name', 'last_name', 'dob', 'status', 'email_verified_at', 'created_at', 'last_active_at', 'state'],
  former_emails: ['account_id', 'email', 'changed_at'],
  suppressions: ['email', 'reason', 'created_at'],
  appointments: ['id', 'provider_id', 'client_id', 'starts_at', 'kind', 'booked_via'],
  progress_notes: ['id', 'provider_id', 'client_id', 'session_date', 'title', 'body', 'signed_at'],
};

const ROWS_PER_WRITE = 20_000;

interface Output {
  fd: number;
  /** For each export column, its index in the mirror row the world produces. */
  pick: number[];
  pending: string[][];
  count: number;
}

export class CsvSink implements RowSink {
  private readonly outputs = new Map<TableName, Output>();

  constructor(dir: string, tables: readonly TableName[] = TABLES) {
    for (const table of tables) {
      const mirror: readonly string[] = MIRROR_COLUMNS[table];
      const fd = openSync(join(dir, `${table}.csv`), 'w', 0o600);
      writeSync(fd, stringify([[...EXPORT_COLUMNS[table]]]));
      this.outputs.set(table, { fd, pick: EXPORT_COLUMNS[table].map((c) => mirror.indexOf(c)), pending: [], count: 0 });
    }
  }

  add(table: TableName, row: Value[]): void {
    const out = this.outputs.get(table);
    if (!out) return;
    out.pending.push(out.pick.map((i) => (row[i] === null || row[i] === undefined ? '' : String(row[i]))));
    out.count += 1;
    if (out.pending.length >= ROWS_PER_WRITE) this.flush(out);
  }

  counts(): Partial<Record<TableName, number>> {
    return Object.fromEntries([...this.outputs].map(([t, o]) => [t, o.count]));
  }

  finish(): void {
    for (const out of this.outputs.values()) {
      this.flush(out);
      closeSync(out.fd);
    }
  }

  private flush(out: Output): void {
    if (!out.pending.length) return;
    writeSync(out.fd, stringify(out.pending));
    out.pending = [];
  }
}
