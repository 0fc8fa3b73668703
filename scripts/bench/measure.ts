// Timing whole processes: medians over repeated runs, always against a baseline measured in the same run.
import { spawnSync } from 'node:child_process';

export interface Timing {
  label: string;
  medianMs: number;
  runs: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Run a command `runs` times (after one warm-up) and keep the median wall time. */
export function timeProcess(label: string, argv: string[], runs: number, env: NodeJS.ProcessEnv = process.env): Timing {
  const once = (): number => {
    const start = process.hrtime.bigint();
    const r = spawnSync(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0 && r.status !== 3) throw new Error(`${label} failed (${r.status}): ${r.stderr}`);
    return ms;
  };
  once();
  const samples = Array.from({ length: runs }, once);
  return { label, medianMs: median(samples), runs };
}

export function report(title: string, baseline: Timing, others: Timing[]): void {
  console.log(`\n## ${title}`);
  console.log(`${'what'.padEnd(44)} ${'median'.padStart(10)} ${'ratio'.padStart(8)}`);
  for (const t of [baseline, ...others]) {
    const ratio = t.medianMs / baseline.medianMs;
    console.log(`${t.label.padEnd(44)} ${`${t.medianMs.toFixed(1)} ms`.padStart(10)} ${`${ratio.toFixed(2)}x`.padStart(8)}`);
  }
  console.log(`(${baseline.runs} runs each, medians; ratios against "${baseline.label}" measured in this run)`);
}
