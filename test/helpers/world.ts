// Generated worlds as the platform's CSV exports (npm run gen -- --csv), for the import's tests.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { cx, REPO, tempDir } from './cx.js';

export const GENERATOR = join(REPO, 'build/scripts/tools/generate.js');

export type CsvRow = Record<string, string>;

/**
 * A generated mirror in a new temporary folder, for the tests that copy it once per case (or only read it).
 * The generator writes plaintext (synthetic worlds); like every test mirror it is then encrypted with the
 * tests' key (`cx db encrypt`), unless `plaintext`.
 */
export function generatedMirror(accounts: number, opts: { notes?: number; seed?: string; plaintext?: boolean; misnamedChildren?: number } = {}): string {
  const out = join(tempDir('cx-generated-'), 'world.db');
  const args = [GENERATOR, '--accounts', String(accounts), '--departing-notes', String(opts.notes ?? 0), '--out', out];
  if (opts.seed) args.push('--seed', opts.seed);
  // Family children whose account a parent set up under their own name, date of birth or both (cx family flags them).
  if (opts.misnamedChildren) args.push('--misnamed-children', String(opts.misnamedChildren));
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`generating the mirror failed (${r.status}): ${r.stderr}`);
  if (!opts.plaintext) {
    const encrypted = cx(['db', 'encrypt'], { db: out });
    if (encrypted.code !== 0) throw new Error(`encrypting the generated mirror failed (${encrypted.code}): ${encrypted.stderr}`);
  }
  return out;
}

/** mulberry32: the same sequence on every run, so a failure names points that can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

/**
 * The fast way to change a large file without quoted fields (a generated accounts.csv): line by line,
 * each row as a record of its columns. Throws on a line with a quote.
 */
export function editPlainExport(dir: string, file: string, edit: (row: CsvRow, index: number) => CsvRow[] | CsvRow | false): number {
  const path = join(dir, file);
  const lines = readFileSync(path, 'utf8').split('\n');
  const columns = lines[0]!.split(',');
  const out = [lines[0]!];
  let rows = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    if (line.includes('"')) throw new Error(`${file}:${i + 1} has quoted fields: use editExport`);
    const values = line.split(',');
    const row = Object.fromEntries(columns.map((c, k) => [c, values[k] ?? '']));
    const edited = edit(row, i - 1);
    for (const r of edited === false ? [] : Array.isArray(edited) ? edited : [edited]) {
      out.push(columns.map((c) => r[c] ?? '').join(','));
      rows += 1;
    }
  }
  writeFileSync(path, `${out.join('\n')}\n`);
  return rows;
}

/**
 * Values of an exported world that must never be in clear in a file cx writes beside the mirror: addresses
 * (current and former), last names, note titles' and bodies' text. Long enough never to occur by chance.
 */
export function knownValues(dir: string): string[] {
  const accounts = readCsv(join(dir, 'accounts.csv'));
  const values = new Set<string>();
  accounts.filter((_, i) => i % 25 === 0).forEach((a) => values.add(a.email!));
  accounts.filter((a) => a.last_name!.length >= 8).slice(0, 15).forEach((a) => values.add(a.last_name!));
  readCsv(join(dir, 'former_emails.csv')).slice(0, 10).forEach((f) => values.add(f.email!));
  readCsv(join(dir, 'progress_notes.csv')).filter((_, i) => i % 10 === 0).forEach((n) => {
    values.add(n.body!.slice(0, 40));
    values.add(n.body!.slice(-40));
  });
  return [...values].filter((v) => v.length >= 8);
}

/** A batch file of `n` tickets drawn from an exported world: resets, deactivations, lookups and one notes export. */
export function ticketsFromWorld(dir: string, out: string, n: number): string {
  const rnd = seededRandom(7);
  const accounts = readCsv(join(dir, 'accounts.csv')).filter((a) => a.status === 'active');
  const clients = accounts.filter((a) => a.role === 'client');
  const lines = ['ticket_id,type,email', 'W-notes,notes_export,departing.provider@example.com'];
  for (let i = 0; i < n; i++) {
    const x = rnd();
    const type = x < 0.4 ? 'password_reset' : x < 0.6 ? 'deactivate_client' : 'lookup';
    lines.push(`W-${i},${type},${clients[Math.floor(rnd() * clients.length)]!.email}`);
  }
  writeFileSync(out, `${lines.join('\n')}\n`);
  return out;
}
