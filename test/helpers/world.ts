// Generated worlds as the platform's CSV exports (npm run gen -- --csv), for the import's tests.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { REPO } from './cx.js';

export const GENERATOR = join(REPO, 'dist/tools/generate.js');

export type CsvRow = Record<string, string>;

/** Write a generated world of `accounts` accounts into `dir` (created), optionally only some tables. */
export function exportWorld(dir: string, accounts: number, opts: { notes?: number; tables?: string[]; seed?: string } = {}): string {
  mkdirSync(dir, { recursive: true });
  const args = [GENERATOR, '--accounts', String(accounts), '--departing-notes', String(opts.notes ?? 300), '--csv', dir, '--seed', opts.seed ?? 'import-tests'];
  if (opts.tables) args.push('--csv-tables', opts.tables.join(','));
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`the generator failed (${r.status}): ${r.stderr}`);
  return dir;
}

export function readCsv(path: string): CsvRow[] {
  return parse(readFileSync(path), { columns: true, bom: true }) as CsvRow[];
}

export function writeCsv(path: string, rows: CsvRow[], columns?: string[]): void {
  const header = columns ?? Object.keys(rows[0] ?? {});
  writeFileSync(path, stringify(rows, { header: true, columns: header }));
}

/** Rewrite one export file row by row; `edit` may change the row in place, drop it (false) or add rows. */
export function editExport(dir: string, file: string, edit: (row: CsvRow, index: number) => CsvRow[] | CsvRow | false): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  const columns = (parse(text.split('\n', 1)[0]!) as string[][])[0]!;
  const rows = (parse(text, { columns: true }) as CsvRow[]).flatMap((row, i) => {
    const out = edit(row, i);
    return out === false ? [] : Array.isArray(out) ? out : [out];
  });
  writeCsv(path, rows, columns);
}
