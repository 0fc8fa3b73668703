// Whole-process timings for the lookup bench: `cx lookup` against `node -e 0`, a bare Node script running one
// prepared select, and the sqlite3 command-line tool running the same select. The commands take turns, run
// after run, so a busy machine slows them all alike instead of whichever happened to run during the spike.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Samples } from './lookup.js';
import { median, report, type Timing } from './measure.js';
import { CX, REPO } from '../paths.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 21);

interface Job {
  label: string;
  argv: string[];
  env?: NodeJS.ProcessEnv;
}

export function processTimes(path: string, s: Samples): void {
  const env = { ...process.env, CX_DB: path, NO_COLOR: '1' };
  const address = s.current[0]!.email_key;
  const node = process.execPath;
  const bareScript =
    `const D=require(${JSON.stringify(join(REPO, 'node_modules/better-sqlite3'))});` +
    `const db=new D(${JSON.stringify(path)},{readonly:true});` +
    `db.prepare('SELECT * FROM accounts WHERE email_key = ?').get(${JSON.stringify(address)});`;
  const cx = (label: string, ...args: string[]): Job => ({ label, argv: [node, CX, 'lookup', ...args], env });
  const jobs: Job[] = [
    { label: 'node -e 0', argv: [node, '-e', '0'] },
    { label: 'node: open mirror + one prepared select', argv: [node, '-e', bareScript] },
    { label: 'cx --version (shared start-up)', argv: [node, CX, '--version'] },
    cx('cx lookup <current address> --json', address, '--json'),
    cx('cx lookup <current address> (human)', address),
    { ...cx('cx lookup <current address> (human), no code cache', address), env: withoutCodeCache(env) },
    cx('cx lookup <gmail, dots dropped> --json', s.dotted[0] ?? address, '--json'),
    cx('cx lookup <typo: exit 3, suggestions> --json', s.nearMiss[0]!, '--json'),
    cx('cx lookup --name "<first last>" --json', '--name', `${s.current[0]!.first_key} ${s.current[0]!.last_key}`, '--json'),
  ];
  if (spawnSync('sqlite3', ['-version']).status === 0) {
    const q = `SELECT * FROM accounts WHERE email_key = '${address.replace(/'/g, "''")}';`;
    jobs.push({ label: 'sqlite3 CLI, the same select', argv: ['sqlite3', '-readonly', path, q] });
  } else {
    console.log('sqlite3 comparison skipped: the sqlite3 command-line tool is not installed (apt-get install sqlite3).');
  }
  const { timings, fastest } = timeInterleaved(jobs, RUNS);
  report('lookup: whole processes', timings[0]!, timings.slice(1));
  const ratio = (i: number): string => `${(fastest[i]! / fastest[0]!).toFixed(2)}x`;
  console.log(
    `fastest runs: node -e 0 ${fastest[0]!.toFixed(1)} ms; bare select ${ratio(1)}, cx --version ${ratio(2)}, ` +
      `cx lookup --json ${ratio(3)}, human ${ratio(4)} (the minimum is the least disturbed by other work on the machine)`,
  );
}

/**
 * The environment of a run without the code cache (src/code-cache.ts): its folder in a parent anyone can
 * write to, which cx does not use.
 */
function withoutCodeCache(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const open = mkdtempSync(join(tmpdir(), 'cx-bench-no-cache-'));
  chmodSync(open, 0o777);
  process.once('exit', () => rmSync(open, { recursive: true, force: true }));
  return { ...env, XDG_CACHE_HOME: open };
}

/** One warm-up each, then `runs` rounds in which every job runs once; medians and minimums per job. */
function timeInterleaved(jobs: Job[], runs: number): { timings: Timing[]; fastest: number[] } {
  const once = (job: Job): number => {
    const start = process.hrtime.bigint();
    const r = spawnSync(job.argv[0]!, job.argv.slice(1), { env: job.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0 && r.status !== 3) throw new Error(`${job.label} failed (${r.status}): ${r.stderr}`);
    return ms;
  };
  for (const job of jobs) once(job);
  const samples = jobs.map((): number[] => []);
  for (let round = 0; round < runs; round++) jobs.forEach((job, i) => samples[i]!.push(once(job)));
  return {
    timings: jobs.map((job, i) => ({ label: job.label, medianMs: median(samples[i]!), runs })),
    fastest: samples.map((times) => Math.min(...times)),
  };
}
