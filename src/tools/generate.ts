// Benchmark mirror generator: `npm run gen -- --accounts 1000000 --out /tmp/big.db [--seed S]
// [--departing-notes 20000] [--force] [--check]`. Deterministic: the same seed writes the same rows. The file is
// built beside --out under a temporary name and renamed into place only when complete.
import { existsSync, rmSync, renameSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { seedFromText } from './generate-random.js';
import { MirrorSink, TABLES, checkMirror } from './generate-sink.js';
import { World } from './generate-world.js';

const USAGE =
  'usage: node dist/tools/generate.js --accounts N --out FILE [--seed S] [--departing-notes 20000] [--force] [--check]\n' +
  '  --check  run PRAGMA foreign_key_check and integrity_check on the result (slow on big files)';

class Usage extends Error {}

interface Options {
  accounts: number;
  out: string;
  seed: string;
  departingNotes: number;
  force: boolean;
  check: boolean;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      accounts: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'departing-notes': { type: 'string', default: '20000' },
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
  if (!values.out) throw new Usage('--out FILE is required');
  return {
    accounts: count('accounts', values.accounts, 2),
    out: resolve(values.out),
    seed: values.seed,
    departingNotes: count('departing-notes', values['departing-notes'], 0),
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

async function main(argv: string[]): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(argv);
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
    }).run();
    const counts = sink.counts();
    await sink.finish();
    checkTarget(options); // --out may have appeared while we worked
    removeDb(options.out); // a stale -wal beside a replaced file would be replayed into the new one
    renameSync(temp, options.out);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    let verdict = '';
    if (options.check) {
      const { foreignKeyProblems, integrity } = checkMirror(options.out);
      verdict = `check: ${foreignKeyProblems} foreign key problems, integrity_check ${integrity}`;
      if (foreignKeyProblems || integrity !== 'ok') {
        process.stderr.write(`${verdict}\n`);
        return 1;
      }
    }
    const size = statSync(options.out).size;
    const n = (x: number): string => x.toLocaleString('en-US');
    const lines = [
      `wrote ${options.out} (${(size / 2 ** 20).toFixed(1)} MiB) in ${seconds.toFixed(1)} s, seed ${JSON.stringify(options.seed)}`,
      ...TABLES.map((t) => `  ${t.padEnd(15)} ${n(counts[t]).padStart(12)}`),
      `  (${n(summary.providers)} providers, ${n(summary.clients)} clients, ${n(summary.families)} families sharing a Gmail mailbox)`,
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
