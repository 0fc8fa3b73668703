// Bench section "small" (issue 22): the runs an agent waits for, as whole processes on the generated
// 1,000,000-account world, on an encrypted copy and a plaintext copy of it, against `node -e 0` measured in
// the same rounds:
//   - a human `cx lookup <address>` (aim: within 1.3x of node -e 0) and its --json (the plain path);
//   - `cx lookup --name "<first last>"`, human and --json (through commander; aim 1.5x);
//   - a lookup that finds nothing and exits 3 (the plain path's failure);
//   - a one-ticket `cx batch` (a lookup ticket, a new id each run; aim: within 1.3x of the lookup --json process).
// The commands take turns, round after round, so a busy machine slows them all alike. The copies are made
// beside the world (BENCH_BIG_DB, default /tmp/big.db) and removed; the encrypted one by `cx db encrypt`.
// Standalone: node build/scripts/bench/small.js   Env: BENCH_RUNS (rounds, default 21).
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { openMirror } from '../../src/store/db.js';
import { median } from './measure.js';
import { CX, benchKeys } from '../paths.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 21);

interface Job {
  label: string;
  argv: string[];
  /** stdin, made anew for each run (a batch's ticket file with a new ticket id). */
  input?: () => string;
  /** What the figure is held against, and the aim: [index of the job it is divided by, aim]. */
  aim?: [number, number];
  /** Variables taken out of the environment for this command. */
  without?: string[];
}

type Variant = 'encrypted' | 'plaintext';

export async function benchSmall(): Promise<void> {
  const big = resolve(process.env.BENCH_BIG_DB ?? '/tmp/big.db');
  console.log('\n## small runs: lookups and a one-ticket batch, whole processes (1,000,000-account world)');
  if (!existsSync(big)) {
    console.log(`skipped: no generated mirror at ${big}. Make one (a few minutes), then run again:\n  npm run gen -- --accounts 1000000 --out ${big}     (or set BENCH_BIG_DB)`);
    return;
  }
  const dir = mkdtempSync(join(dirname(big), 'cx-bench-small-'));
  try {
    const sample = sampleAccount(big);
    const copies: Record<Variant, string> = { plaintext: copyOf(big, join(dir, 'plaintext.db')), encrypted: copyOf(big, join(dir, 'encrypted.db')) };
    const encrypt = spawnSync(process.execPath, [CX, '--db', copies.encrypted, 'db', 'encrypt'], { encoding: 'utf8' });
    if (encrypt.status !== 0) throw new Error(`cx db encrypt failed (${encrypt.status}): ${encrypt.stderr}`);
    for (const path of Object.values(copies)) openMirror(path, { keys: benchKeys() }).close(); // at the current schema
    for (const variant of ['encrypted', 'plaintext'] as const) {
      const load = loadavg()[0]!.toFixed(2);
      const jobs = jobsFor(copies[variant], sample);
      printTable(`${variant} mirror`, jobs, timeRounds(jobs, RUNS), load);
    }
    console.log(`(${RUNS} rounds, each command once per round, medians of wall time; the load average is the machine's 1-minute figure as the variant began)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function jobsFor(db: string, s: { address: string; name: string }): Job[] {
  const node = process.execPath;
  const cx = (...args: string[]) => [node, CX, '--db', db, ...args];
  let ticket = 0;
  // Node reads the certificates NODE_EXTRA_CA_CERTS names at every start, node -e 0 too: a start-up far
  // slower than an agent's machine has, which lowers every ratio against it. Shown beside it when set.
  const bareStart: Job[] = process.env.NODE_EXTRA_CA_CERTS
    ? [{ label: 'node -e 0 without NODE_EXTRA_CA_CERTS', argv: [node, '-e', '0'], without: ['NODE_EXTRA_CA_CERTS'] }]
    : [];
  return [
    { label: 'node -e 0', argv: [node, '-e', '0'] },
    { label: 'cx lookup <address> --json', argv: cx('lookup', s.address, '--json'), aim: [0, 1.3] },
    { label: 'cx lookup <address> (human)', argv: cx('lookup', s.address), aim: [0, 1.3] },
    { label: 'cx lookup <typo> (human, exit 3)', argv: cx('lookup', `zz${s.address}`), aim: [0, 1.3] },
    { label: 'cx lookup --name "<first last>" --json', argv: cx('lookup', '--name', s.name, '--json'), aim: [0, 1.5] },
    { label: 'cx lookup --name "<first last>" (human)', argv: cx('lookup', '--name', s.name), aim: [0, 1.5] },
    {
      label: 'cx batch, one lookup ticket',
      argv: cx('batch', '-', '--yes'),
      input: () => `ticket_id,type,email\nSMALL-${process.pid}-${++ticket},lookup,${s.address}\n`,
      aim: [1, 1.3],
    },
    ...bareStart,
  ];
}

/** One warm-up each, then `runs` rounds in which every job runs once. */
function timeRounds(jobs: Job[], runs: number): number[] {
  const once = (job: Job): number => {
    const start = process.hrtime.bigint();
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CX_AGENT: 'bench' };
    for (const name of job.without ?? []) delete env[name];
    const r = spawnSync(job.argv[0]!, job.argv.slice(1), { input: job.input?.() ?? '', env, stdio: ['pipe', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0 && r.status !== 3) throw new Error(`${job.label} failed (${r.status}): ${r.stderr}`);
    return ms;
  };
  for (const job of jobs) once(job);
  const samples = jobs.map((): number[] => []);
  for (let round = 0; round < runs; round++) jobs.forEach((job, i) => samples[i]!.push(once(job)));
  return samples.map(median);
}

function printTable(title: string, jobs: Job[], medians: number[], load: string): void {
  console.log(`\n${title} (load average ${load})`);
  console.log(`${'what'.padEnd(44)} ${'median'.padStart(10)} ${'vs node'.padStart(8)} ${'figure'.padStart(22)} ${'aim'.padStart(6)}`);
  jobs.forEach((job, i) => {
    const figure = job.aim ? `${(medians[i]! / medians[job.aim[0]]!).toFixed(2)}x ${job.aim[0] === 0 ? 'node -e 0' : 'lookup --json'}` : '';
    const aim = job.aim ? `${job.aim[1].toFixed(1)}x` : '';
    console.log(`${job.label.padEnd(44)} ${`${medians[i]!.toFixed(1)} ms`.padStart(10)} ${`${(medians[i]! / medians[0]!).toFixed(2)}x`.padStart(8)} ${figure.padStart(22)} ${aim.padStart(6)}`);
  });
}

/** An account of the world with a plain address and a name shared by a few accounts (a --name lookup lists them). */
function sampleAccount(world: string): { address: string; name: string } {
  const db = new Database(world, { readonly: true });
  try {
    const row = db.prepare("SELECT email_key, first_key, last_key FROM accounts WHERE rowid >= 12345 AND email_key GLOB '[a-z]*@*' LIMIT 1").get() as
      | { email_key: string; first_key: string; last_key: string }
      | undefined;
    if (!row) throw new Error(`no account to look up in ${world}`);
    return { address: row.email_key, name: `${row.first_key} ${row.last_key}` };
  } finally {
    db.close();
  }
}

/** A copy of `from`, on disk before it is timed (else the first checkpoint's fsync writes the whole copy out). */
function copyOf(from: string, to: string): string {
  copyFileSync(from, to);
  const fd = openSync(to, 'r+');
  fsyncSync(fd);
  closeSync(fd);
  return to;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await benchSmall();