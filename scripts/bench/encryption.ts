// Encryption bench (issue 19): the same work on a plaintext and an encrypted mirror, in one run, as a table
// with the ratio of each:
//   - `cx db import` of 1,000,000 accounts (a generated accounts.csv) into an empty mirror: wall time, peak RSS;
//   - `cx batch` of 100,000 mixed tickets (batch-tickets.ts) on the generated 1,000,000-account world;
//   - a lookup process (`cx lookup <address> --json`), median of BENCH_RUNS;
//   - `cx notes export` of a provider's 20,000 notes, median of 5;
//   - `cx db doctor --strict` on the 1,000,000-account world.
// The encrypted copies are made from the plaintext ones by `cx db encrypt` (its time is reported too), with the
// run's own CX_DB_KEY. Aims: import and batch within 1.25x, the lookup within 1.1x, the import's peak RSS under
// 250 MiB. Needs the generated world (BENCH_BIG_DB, default /tmp/big.db; `npm run gen -- --accounts 1000000
// --out /tmp/big.db`); the CSV and the copies go beside it (BENCH_TMP for the CSV) and are removed.
// Standalone: node build/scripts/bench/encryption.js
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeTickets, ticketsCsv } from './batch-tickets.js';
import { median } from './measure.js';
import { CX, GENERATOR, REPO } from '../paths.js';

const HOOK = pathToFileURL(join(import.meta.dirname, 'rss-hook.js')).href;
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const NOTES = 20_000;
const IMPORT_ACCOUNTS = Number(process.env.BENCH_ENCRYPTION_ACCOUNTS ?? 1_000_000);
const TICKETS = Number(process.env.BENCH_BATCH_TICKETS ?? 100_000);
const PROVIDER = 'departing.provider@example.com';

interface Measured {
  ms: number;
  rssMiB: number;
}

type Variant = 'plaintext' | 'encrypted';
const VARIANTS: Variant[] = ['plaintext', 'encrypted'];

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const seconds = (ms: number) => (ms < 10_000 ? `${fmt(ms, 0)} ms` : `${fmt(ms / 1000, 1)} s`);

/** A cx process to its end: wall time and the child's own peak RSS (rss-hook.ts). Exit 0 (5 for a batch). */
function cxRun(args: string[], db: string, ok: number[] = [0]): Measured {
  const rssFile = join(tmpdir(), `cx-bench-rss-${process.pid}`);
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', HOOK, CX, ...args], {
    cwd: REPO, env: { ...process.env, CX_DB: db, NO_COLOR: '1', CX_AGENT: 'bench', BENCH_RSS_FILE: rssFile }, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (!ok.includes(r.status ?? -1)) throw new Error(`cx ${args.join(' ')} on ${db} failed (${r.status}): ${r.stderr}`);
  const rssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
  rmSync(rssFile, { force: true });
  return { ms, rssMiB };
}

function run(argv: string[], what: string): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${r.stderr}`);
}

/** A copy of `from`, on disk before it is timed (else the first checkpoint's fsync writes the whole copy out). */
function copyOf(from: string, to: string): string {
  copyFileSync(from, to);
  const fd = openSync(to, 'r+');
  fsyncSync(fd);
  closeSync(fd);
  return to;
}

/** The plaintext file and an encrypted copy of it (`cx db encrypt`, timed). */
function pair(plain: string, dir: string, name: string): { files: Record<Variant, string>; encryptMs: number } {
  const plaintext = copyOf(plain, join(dir, `${name}-plaintext.db`));
  const encrypted = copyOf(plain, join(dir, `${name}-encrypted.db`));
  const { ms } = cxRun(['db', 'encrypt'], encrypted);
  return { files: { plaintext, encrypted }, encryptMs: ms };
}

interface Row {
  work: string;
  plaintext: string;
  encrypted: string;
  ratio: string;
  aim: string;
}

const ratioOf = (m: Record<Variant, number>) => `${fmt(m.encrypted / m.plaintext, 2)}x`;

export async function benchEncryption(): Promise<void> {
  const big = resolve(process.env.BENCH_BIG_DB ?? '/tmp/big.db');
  console.log('\n## encryption: the same work on a plaintext and an encrypted mirror (same run)');
  if (!existsSync(big)) {
    console.log(`skipped: no generated mirror at ${big}. Make one (a few minutes), then run again:\n  npm run gen -- --accounts 1000000 --out ${big}     (or set BENCH_BIG_DB)`);
    return;
  }
  process.env.CX_DB_KEY ??= randomBytes(32).toString('hex');
  const rows: Row[] = [];
  const extra: string[] = [];
  const dir = mkdtempSync(join(dirname(big), 'cx-bench-encryption-'));
  const csvRoot = mkdtempSync(join(process.env.BENCH_TMP ?? tmpdir(), 'cx-bench-encryption-csv-'));
  try {
    // Import: accounts.csv into an empty mirror, plaintext then encrypted.
    const csv = join(csvRoot, 'world');
    mkdirSync(csv);
    run([process.execPath, GENERATOR, '--accounts', String(IMPORT_ACCOUNTS), '--csv', csv, '--csv-tables', 'accounts'], 'the generator (CSV)');
    const imported: Record<Variant, Measured> = {} as Record<Variant, Measured>;
    for (const v of VARIANTS) {
      const db = join(dir, `import-${v}.db`);
      run([process.execPath, CX, '--db', db, 'db', 'init', ...(v === 'plaintext' ? ['--plaintext'] : [])], 'cx db init');
      imported[v] = cxRun(['db', 'import', csv], db);
      rmSync(db, { force: true });
    }
    rmSync(csvRoot, { recursive: true, force: true });
    rows.push({ work: `db import, ${fmt(IMPORT_ACCOUNTS)} accounts`, plaintext: seconds(imported.plaintext.ms), encrypted: seconds(imported.encrypted.ms), ratio: ratioOf({ plaintext: imported.plaintext.ms, encrypted: imported.encrypted.ms }), aim: '<= 1.25x' });
    rows.push({ work: '  its peak memory (RSS)', plaintext: `${fmt(imported.plaintext.rssMiB)} MiB`, encrypted: `${fmt(imported.encrypted.rssMiB)} MiB`, ratio: ratioOf({ plaintext: imported.plaintext.rssMiB, encrypted: imported.encrypted.rssMiB }), aim: '< 250 MiB' });

    // Notes: a 20,000-note provider in a small generated world.
    const notesWorld = join(dir, 'notes-source.db');
    run([process.execPath, GENERATOR, '--accounts', '20000', '--departing-notes', String(NOTES), '--out', notesWorld], 'the generator (notes)');
    const notes = pair(notesWorld, dir, 'notes');
    const exportMs: Record<Variant, number> = { plaintext: 0, encrypted: 0 };
    for (const v of VARIANTS) {
      const out = join(dir, `notes-${v}.zip`);
      const samples = Array.from({ length: 5 }, (_, i) => cxRun(['notes', 'export', PROVIDER, '--ticket', `BENCH-N${i}`, '--yes', '--force', '--out', out], notes.files[v]).ms);
      exportMs[v] = median(samples);
    }
    rows.push({ work: `notes export, ${fmt(NOTES)} notes (median of 5)`, plaintext: seconds(exportMs.plaintext), encrypted: seconds(exportMs.encrypted), ratio: ratioOf(exportMs), aim: '' });

    // The 1,000,000-account world: batch, lookup, doctor.
    const world = pair(big, dir, 'world');
    extra.push(`cx db encrypt of the ${fmt(statSize(big) / 1e9, 2)} GB generated world: ${seconds(world.encryptMs)}; of the notes world: ${seconds(notes.encryptMs)}`);
    const tickets = makeTickets(big, TICKETS);
    const ticketFile = join(dir, 'tickets.csv');
    writeFileSync(ticketFile, ticketsCsv(tickets.rows));
    const batch: Record<Variant, Measured> = {} as Record<Variant, Measured>;
    for (const v of VARIANTS) batch[v] = cxRun(['batch', ticketFile, '--yes', '--out', join(dir, `results-${v}.csv`), '--force'], world.files[v], [0, 5]);
    rows.push({ work: `batch, ${fmt(TICKETS)} mixed tickets`, plaintext: seconds(batch.plaintext.ms), encrypted: seconds(batch.encrypted.ms), ratio: ratioOf({ plaintext: batch.plaintext.ms, encrypted: batch.encrypted.ms }), aim: '<= 1.25x' });
    rows.push({ work: '  its peak memory (RSS)', plaintext: `${fmt(batch.plaintext.rssMiB)} MiB`, encrypted: `${fmt(batch.encrypted.rssMiB)} MiB`, ratio: ratioOf({ plaintext: batch.plaintext.rssMiB, encrypted: batch.encrypted.rssMiB }), aim: '' });

    // The lookup process, the two variants interleaved run by run (the machine's load shifts both alike).
    const address = tickets.rows.find((t) => t.type === 'lookup' && /^[^ A-Z]+@[a-z0-9.-]+$/.test(t.email))?.email ?? tickets.rows[0]!.email;
    const lookups: Record<Variant, number[]> = { plaintext: [], encrypted: [] };
    for (const v of VARIANTS) cxRun(['lookup', address, '--json'], world.files[v], [0, 3]); // warm-up
    for (let i = 0; i < RUNS; i++) for (const v of VARIANTS) lookups[v].push(cxRun(['lookup', address, '--json'], world.files[v], [0, 3]).ms);
    const lookup = { plaintext: median(lookups.plaintext), encrypted: median(lookups.encrypted) };
    rows.push({ work: `lookup process (median of ${RUNS})`, plaintext: seconds(lookup.plaintext), encrypted: seconds(lookup.encrypted), ratio: ratioOf(lookup), aim: '<= 1.10x' });

    const doctor = {
      plaintext: cxRun(['db', 'doctor', '--strict', '--allow-plaintext'], world.files.plaintext).ms,
      encrypted: cxRun(['db', 'doctor', '--strict'], world.files.encrypted).ms,
    };
    rows.push({ work: 'db doctor --strict, the 1M world', plaintext: seconds(doctor.plaintext), encrypted: seconds(doctor.encrypted), ratio: ratioOf(doctor), aim: '' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(csvRoot, { recursive: true, force: true });
  }
  const widths = { work: 44, plaintext: 12, encrypted: 12, ratio: 8, aim: 10 };
  console.log(`${'work'.padEnd(widths.work)} ${'plaintext'.padStart(widths.plaintext)} ${'encrypted'.padStart(widths.encrypted)} ${'ratio'.padStart(widths.ratio)} ${'aim'.padStart(widths.aim)}`);
  for (const r of rows) {
    console.log(`${r.work.padEnd(widths.work)} ${r.plaintext.padStart(widths.plaintext)} ${r.encrypted.padStart(widths.encrypted)} ${r.ratio.padStart(widths.ratio)} ${r.aim.padStart(widths.aim)}`);
  }
  for (const line of extra) console.log(line);
  console.log('(whole cx processes, wall time; one run each unless a median is said; peak RSS from the process itself; encrypted = ChaCha20-Poly1305, kdf_iter 1, 64 MB page caches for import and batch)');
}

function statSize(path: string): number {
  return statSync(path).size;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await benchEncryption();
