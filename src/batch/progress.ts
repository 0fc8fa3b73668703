// The progress bar: on stderr, only when stderr is a terminal (nothing animated in logs or pipes).
// cli-progress is imported only then, so scripted runs do not pay for it.
import type { IO } from '../io.js';

export interface Progress {
  tick(rowsDone: number): void;
  stop(): void;
}

const SILENT: Progress = { tick: () => {}, stop: () => {} };

/** Redraw at most this often (rows): a bar update is cheap, but not free at 20,000 rows a second. */
const EVERY = 100;

export async function progressBar(io: IO, total: number): Promise<Progress> {
  if (!io.stderrIsTTY || total === 0) return SILENT;
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = new SingleBar(
    {
      stream: io.stderr as NodeJS.WritableStream,
      format: 'batch [{bar}] {value}/{total} tickets | {rate}/s | {eta_formatted} left',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 2000,
      fps: 10,
    },
    Presets.shades_classic,
  );
  const started = performance.now();
  const rate = (done: number) => {
    const seconds = (performance.now() - started) / 1000;
    return seconds > 0 ? Math.round(done / seconds).toLocaleString('en-US') : '-';
  };
  bar.start(total, 0, { rate: '-' });
  return {
    tick(done) {
      if (done % EVERY === 0 || done === total) bar.update(done, { rate: rate(done) });
    },
    stop() {
      bar.stop();
    },
  };
}
