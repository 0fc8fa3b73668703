// Benchmark mirror generator: `npm run gen -- --accounts 1000000 --out /tmp/big.db [--seed S]
// [--departing-notes 20000] [--force] [--check]`. Deterministic: the same seed writes the same rows. The file is
// built beside --out under a temporary name and renamed into place only when complete.
// `--csv DIR [--csv-tables accounts,...]` writes the same world as the platform's CSV exports instead, the
// input of `cx db import` (the import's tests and bench).
import { existsSync, rmSync, renameSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { seedFromText } from './generate-random.js';
import { CsvSink } from './generate-csv-sink.js';
import { MirrorSink, TABLES, checkMirror, type TableName } from './generate-sink.js';
import { World } from './generate-world.js';

const USAGE =
  'usage: node build/scripts/tools/generate.js --accounts N --out FILE [--seed S] [--departing-notes 20000] [--misnamed-children 0.3] [--force] [--check]\n' +
  '  --check  run PRAGMA foreign_key_check and integrity_check on the result (slow on big files)\n' +
  "  --misnamed-children  the share (0 to 1, default 0) of family children whose account carries the parent's name, date of birth or both\n" +
  '   or: node build/scripts/tools/generate.js --accounts N --csv DIR [--csv-tables accounts,appointments] [--seed S] [--departing-notes N]\n' +
  '  --csv    write the CSV exports `cx db import` reads into DIR (an existing folder) instead of a mirror';

class Usage extends Error {}

interface Options {
  accounts: number;
  out: string;
  csv: string | undefined;
  csvTables: TableName[];
  seed: string;
  departingNotes: number;
  misnamedChildren: number;
  force: boolean;
  check: boolean;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      accounts: { type: 'string' },
      out: { type: 'string' },
      csv: { type: 'string' },
      'csv-tables': { type: 'string' },
      seed: { type: 'string', default: '1' },
      'departing-notes': { type: 'string', default: '20000' },
      'misnamed-children': { type: 'string', default: '0' },
      force: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) throw new Usage(USAGE);
  const count = (name: string, text: string | undefined, min: number): number => {
    if (text === undefined || !/^\d+$/.test(text.replace(/_/g, '')) || Number(text.replace(/_/g, '')) < min) {
      throw new Usage(`--${name} must be a whole number of at least ${min} (got ${text ?? 'nothing'})`);
    }
    return Number(text.replace(/_/g, ''));
  };
  if (!values.out && !values.csv) throw new Usage('--out FILE (or --csv DIR) is required');
  const misnamed = Number(values['misnamed-children']);
  if (!/^\d*\.?\d+$/.test(values['misnamed-children']) || !(misnamed >= 0 && misnamed <= 1)) {
    throw new Usage(`--misnamed-children must be a share from 0 to 1 (got ${values['misnamed-children']})`);
  }
  const csvTables = (values['csv-tables'] ?? TABLES.join(',')).split(',').map((t) => t.trim());
  const unknown = csvTables.filter((t) => !(TABLES as string[]).includes(t));
  if (unknown.length) throw new Usage(`--csv-tables: unknown table ${unknown.join(', ')} (tables: ${TABLES.join(', ')})`);
  return {
    accounts: count('accounts', values.accounts, 2),
    out: resolve(values.out ?? ''),
    csv: values.csv === undefined ? undefined : resolve(values.csv),
    csvTables: csvTables as TableName[],
    seed: values.seed,
    departingNotes: count('departing-notes', values['departing-notes'], 0),
    misnamedChildren: misnamed,
    force: values.force,
    check: values.check,
  };
}

function checkTarget(o: Options): void {
  if (!existsSync(dirname(o.out))) throw new Usage(`the folder for --out does not exist: ${dirname(o.out)}`);
  if (existsSync(o.out) && statSync(o.out).isDirectory()) throw new Usage(`--out is a folder: ${o.out}`);
  if (existsSync(o.out) && !o.force) throw new Usage(`${o.out} exists; add --force to replace it`);
}

function removeDb(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
}

/** The temp file and the appointments worker's side file. */
function removeTemp(temp: string): void {
  removeDb(temp);
  removeDb(`${temp}.appointments`);
}

/** The world as CSV exports: no temp file, the folder is the caller's. */
function writeCsv(options: Options & { csv: string }): number {
  if (!existsSync(options.csv) || !statSync(options.csv).isDirectory()) throw new Usage(`--csv must name an existing folder: ${options.csv}`);
  const started = process.hrtime.bigint();
  const sink = new CsvSink(options.csv, options.csvTables);
  new World(sink, { accounts: options.accounts, departingNotes: options.departingNotes, seed: seedFromText(options.seed), misnamedChildren: options.misnamedChildren }).run();
  sink.finish();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const counts = Object.entries(sink.counts()).map(([t, n]) => `  ${`${t}.csv`.padEnd(19)} ${n.toLocaleString('en-US').padStart(12)}`);
  process.stderr.write(`wrote the exports into ${options.csv} in ${seconds.toFixed(1)} s, seed ${JSON.stringify(options.seed)}\n${counts.join('\n')}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(argv);
    if (options.csv !== undefined) return writeCsv({ ...options, csv: options.csv });
    checkTarget(options);
  } catch (err) {
    process.stderr.write(`${err instanceof Usage || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? (err as Error).message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  const started = process.hrtime.bigint();
  const temp = join(dirname(options.out), `.${basename(options.out)}.generating-${process.pid}`);
  removeTemp(temp);
  const cleanUp = (): void => removeTemp(temp);
  process.once('SIGINT', () => {
    cleanUp();
    process.exit(130);
  });
  let sink: MirrorSink | undefined;
  try {
    sink = new MirrorSink(temp);
    const summary = new World(sink, {
      accounts: options.accounts,
      departingNotes: options.departingNotes,
      seed: seedFromText(options.seed),
      misnamedChildren: options.misnamedChildren,
    }).run();
    const counts = sink.counts();
    await sink.finish();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    let verdict = '';
    if (options.check) {
      const checkStarted = process.hrtime.bigint();
      const { foreignKeyProblems, integrity } = checkMirror(temp);
      verdict = `check: ${foreignKeyProblems} rows fail foreign_key_check, integrity_check ${integrity} (${(Number(process.hrtime.bigint() - checkStarted) / 1e9).toFixed(1)} s)`;
      if (foreignKeyProblems || integrity !== 'ok') throw new Error(`generator bug: ${verdict}`);
    }
    checkTarget(options); // --out may have appeared while we worked
    removeDb(options.out); // a stale -wal beside a replaced file would be replayed into the new one
    renameSync(temp, options.out);
    const size = statSync(options.out).size;
    const n = (x: number): string => x.toLocaleString('en-US');
    const lines = [
      `wrote ${options.out} (${(size / 2 ** 20).toFixed(1)} MiB) in ${seconds.toFixed(1)} s, seed ${JSON.stringify(options.seed)}`,
      ...TABLES.map((t) => `  ${t.padEnd(15)} ${n(counts[t]).padStart(12)}`),
      `  (${n(summary.providers)} providers, ${n(summary.clients)} clients, ${n(summary.families)} families sharing a Gmail mailbox)`,
      ...(options.misnamedChildren > 0 ? [`  children's accounts under a parent's name and date of birth ${n(summary.misnamed.name_and_dob)}, name ${n(summary.misnamed.name)}, date of birth ${n(summary.misnamed.dob)}`] : []),
      `departing provider: ${summary.departing.email} (id ${summary.departing.id}; former address ${summary.departing.formerEmail}), ` +
        `${n(summary.departing.notes)} notes across ${n(summary.departing.clients)} clients`,
      ...(verdict ? [verdict] : []),
    ];
    process.stderr.write(lines.join('\n') + '\n');
    return 0;
  } catch (err) {
    await sink?.abandon().catch(() => {});
    cleanUp();
    if (err instanceof Usage) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    process.stderr.write(`generation failed: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
