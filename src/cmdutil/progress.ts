// Progress bars for the commands that take a while (cx batch, cx sync push, cx db import): on stderr, only
// when stderr is a terminal (nothing animated in logs, pipes or cron mail). cli-progress is imported only
// then, so scripted runs do not pay for it.
import type { SingleBar } from 'cli-progress';
import type { ImportProgress } from '../actions/import-mirror.js';
import type { IO } from '../io.js';
import { thousands } from '../rules/plural.js';

interface Look {
  /** cli-progress's format: `{bar}`, `{value}`, `{total}`, `{eta_formatted}` and the fields a bar passes. */
  format: string;
  /** How many recent updates the time left is estimated from: more for steadier, slower-changing work. */
  etaBuffer: number;
  /** Redraws a second at the most. */
  fps: number;
}

type MakeBar = (look: Look) => SingleBar;

/** A maker of bars when stderr is a terminal (cli-progress is loaded now), else null. */
async function barMaker(io: IO): Promise<MakeBar | null> {
  if (!io.stderrIsTTY) return null;
  const { SingleBar, Presets } = await import('cli-progress');
  return (look) =>
    new SingleBar({ stream: io.stderr as NodeJS.WritableStream, ...look, hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
}

/** So many a second since `started` (a performance.now() time), as people read it; '-' before any time. */
function perSecond(count: number, started: number): string {
  const seconds = (performance.now() - started) / 1000;
  return seconds > 0 ? thousands(Math.round(count / seconds)) : '-';
}

export interface CountBar {
  /** One more done. */
  tick(): void;
  stop(): void;
}

const NO_COUNT: CountBar = { tick: () => {}, stop: () => {} };

export interface CountSpec {
  /** The command's word at the bar's start: `batch [=====   ]`. */
  label: string;
  /** What is counted, plural: `12/40 tickets`. */
  noun: string;
  total: number;
  etaBuffer: number;
  /** Redraw every this many (always at the end): an update is cheap, but not free at 20,000 a second. */
  redrawEvery?: number;
}

/** A bar that counts things done toward a total, with the rate and the time left; nothing for no work. */
export async function countBar(io: IO, spec: CountSpec): Promise<CountBar> {
  if (spec.total === 0) return NO_COUNT;
  const make = await barMaker(io);
  if (!make) return NO_COUNT;
  const bar = make({ format: `${spec.label} [{bar}] {value}/{total} ${spec.noun} | {rate}/s | {eta_formatted} left`, etaBuffer: spec.etaBuffer, fps: 10 });
  const every = spec.redrawEvery ?? 1;
  const started = performance.now();
  let done = 0;
  bar.start(spec.total, 0, { rate: '-' });
  return {
    tick() {
      done += 1;
      // Work that arrives while it runs counts too (changes made during a push are sent): the total grows.
      if (done > bar.getTotal()) bar.setTotal(done);
      if (done % every === 0 || done === bar.getTotal()) bar.update(done, { rate: perSecond(done, started) });
    },
    stop: () => bar.stop(),
  };
}

export interface ImportBar {
  update(progress: ImportProgress): void;
  stop(): void;
}

const NO_IMPORT: ImportBar = { update: () => {}, stop: () => {} };

/** Smaller imports take about a second: no bar. */
const MIN_IMPORT_BYTES = 4 * 1024 * 1024;

const IMPORT_STEPS: Record<ImportProgress['phase'], string> = { reading: 'reading', checking: 'checking against the mirror', applying: 'writing the changes' };

/**
 * The import's bar, once the files are large enough to take a while: rows per second, and the time left
 * from the share of bytes read; after reading, the bar says which step runs (the checks and the apply
 * report no progress).
 */
export async function importBar(io: IO, totalBytes: () => number): Promise<ImportBar> {
  const make = await barMaker(io);
  if (!make) return NO_IMPORT;
  let bar: SingleBar | undefined;
  const started = performance.now();
  const fields = (p: ImportProgress) => ({ rows: thousands(p.rows), rate: perSecond(p.rows, started), step: IMPORT_STEPS[p.phase] });
  return {
    update(p) {
      if (!bar) {
        if (totalBytes() < MIN_IMPORT_BYTES) return;
        bar = make({ format: 'import [{bar}] {percentage}% | {rows} rows | {rate} rows/s | {eta_formatted} left | {step}', etaBuffer: 50, fps: 5 });
        bar.start(p.bytesTotal, 0, fields(p));
      }
      bar.update(p.bytesRead, fields(p));
      // The checks and the apply hold the thread: draw their step now, not at the next tick.
      if (p.phase !== 'reading') bar.render();
    },
    stop() {
      bar?.stop();
    },
  };
}
