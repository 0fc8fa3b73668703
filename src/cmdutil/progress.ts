// Progress bars for the commands that take a while (cx batch, cx sync push, cx db import, cx notes export): on
// stderr, only when stderr is a terminal (nothing animated in logs, pipes or cron mail). cli-progress is
// imported only then, so scripted runs do not pay for it. Each drawing fits the terminal's width as it is
// then (barLine): cli-progress turns line wrapping off while it draws, so a longer line would lose its end.
import type { GenericFormatter, Options, Params, SingleBar } from 'cli-progress';
import type { ImportProgress } from '../actions/import-mirror.js';
import type { IO } from '../io.js';
import { displayWidth, truncate } from '../render/text.js';
import { thousands } from '../rules/plural.js';
import { loadCliProgress } from '../packages.js';

/** A piece of the line after the bar; `drop`: the higher, the sooner it goes when the line is too long. */
export interface BarPiece {
  text: string;
  drop?: number;
}

interface Look {
  /** The word before the bar (`batch [=====   ]`) and the pieces after it, from cli-progress's values. */
  label: string;
  pieces: (params: Params, payload: Record<string, string>, time: (seconds: number) => string) => BarPiece[];
  /** How many recent updates the time left is estimated from: more for steadier, slower-changing work. */
  etaBuffer: number;
  /** Redraws a second at the most. */
  fps: number;
}

type MakeBar = (look: Look) => SingleBar;

const MAX_BAR = 40;
const MIN_BAR = 10;

/**
 * `label [bar] piece | piece`, at most `width` columns: the bar takes what the text leaves, from 10 to 40
 * columns; while even a 10-column bar does not fit, the piece with the highest `drop` goes (the first
 * piece, the count, stays); a line still too long is cut.
 */
export function barLine(label: string, pieces: readonly BarPiece[], width: number, bar: (size: number) => string): string {
  let kept = [...pieces];
  for (;;) {
    const text = kept.map((p) => p.text).join(' | ');
    const room = width - displayWidth(`${label} [] ${text}`);
    const droppable = kept.filter((p) => p !== kept[0] && p.drop !== undefined);
    if (room >= MIN_BAR || droppable.length === 0) return truncate(`${label} [${bar(Math.max(0, Math.min(MAX_BAR, room)))}] ${text}`, width);
    const worst = droppable.reduce((a, b) => (b.drop! > a.drop! ? b : a));
    kept = kept.filter((p) => p !== worst);
  }
}

/** A maker of bars when stderr is a terminal (cli-progress is loaded now), else null. */
async function barMaker(io: IO): Promise<MakeBar | null> {
  if (!io.stderrIsTTY) return null;
  // A CommonJS package: Node finds SingleBar and Presets as named exports but not Format (an object literal
  // inside module.exports); its default export is the whole module.
  const { SingleBar, Presets, Format } = (await loadCliProgress()).default;
  return (look) => {
    // Drawn one column short of the width: a character in the last column leaves some terminals' cursor past it.
    const format: GenericFormatter = (options: Options, params: Params, payload: Record<string, string>) =>
      barLine(look.label, look.pieces(params, payload, (t) => Format.TimeFormat(t, options, 5)), Math.max(1, params.maxWidth - 1), (size) =>
        Format.BarFormat(params.progress, { ...options, barsize: size }),
      );
    return new SingleBar(
      { stream: io.stderr as NodeJS.WritableStream, format, barsize: MAX_BAR, etaBuffer: look.etaBuffer, fps: look.fps, hideCursor: true, clearOnComplete: true },
      Presets.shades_classic,
    );
  };
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
  if (spec.total === 0) return NO_COUNT; // cli-progress not even loaded
  return (await laterCountBar(io, spec))(spec.total);
}

/**
 * A count bar started once the total is known (a notes export counts its notes when it starts): ready to
 * draw now (cli-progress loaded), started by the function it returns; nothing for no work.
 */
export async function laterCountBar(io: IO, spec: Omit<CountSpec, 'total'>): Promise<(total: number) => CountBar> {
  const make = await barMaker(io);
  return (total) => (make && total > 0 ? startCountBar(make, { ...spec, total }) : NO_COUNT);
}

function startCountBar(make: MakeBar, spec: CountSpec): CountBar {
  const bar = make({
    label: spec.label,
    pieces: (params, payload, time) => [
      { text: `${thousands(params.value)}/${thousands(params.total)} ${spec.noun}` },
      { text: `${payload.rate ?? '-'}/s`, drop: 2 },
      { text: `${time(params.eta)} left`, drop: 1 },
    ],
    etaBuffer: spec.etaBuffer,
    fps: 10,
  });
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
        bar = make({
          label: 'import',
          pieces: (params, payload, time) => [
            { text: `${Math.floor(params.progress * 100)}%` },
            { text: `${payload.rows} rows`, drop: 2 },
            { text: `${payload.rate} rows/s`, drop: 3 },
            { text: `${time(params.eta)} left`, drop: 1 },
            { text: payload.step ?? '', drop: 0 },
          ],
          etaBuffer: 50,
          fps: 5,
        });
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
