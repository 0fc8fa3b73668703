// The import's progress bar: on stderr, only when stderr is a terminal and the files are large enough to
// take a while (nothing animated in logs or pipes). Rows per second, and the time left from the share of
// bytes read; after reading, the bar says which step runs (the checks and the apply report no progress).
import type { ImportProgress } from '../../actions/import-mirror.js';
import type { IO } from '../../io.js';

/** Smaller imports take about a second: no bar. */
const MIN_BYTES = 4 * 1024 * 1024;

export interface ImportBar {
  update(progress: ImportProgress): void;
  stop(): void;
}

const NONE: ImportBar = { update: () => {}, stop: () => {} };

export async function importBar(io: IO, totalBytes: () => number): Promise<ImportBar> {
  if (!io.stderrIsTTY) return NONE;
  const { SingleBar, Presets } = await import('cli-progress');
  let bar: InstanceType<typeof SingleBar> | undefined;
  const started = performance.now();
  const payload = (p: ImportProgress) => {
    const seconds = (performance.now() - started) / 1000;
    const steps = { reading: 'reading', checking: 'checking against the mirror', applying: 'writing the changes' };
    return { rows: p.rows.toLocaleString('en-US'), rate: seconds > 0 ? Math.round(p.rows / seconds).toLocaleString('en-US') : '-', step: steps[p.phase] };
  };
  return {
    update(p) {
      if (!bar) {
        if (totalBytes() < MIN_BYTES) return;
        bar = new SingleBar(
          {
            stream: io.stderr as NodeJS.WritableStream,
            format: 'import [{bar}] {percentage}% | {rows} rows | {rate} rows/s | {eta_formatted} left | {step}',
            hideCursor: true,
            clearOnComplete: true,
            etaBuffer: 50,
            fps: 5,
          },
          Presets.shades_classic,
        );
        bar.start(p.bytesTotal, 0, payload(p));
      }
      bar.update(p.bytesRead, payload(p));
      // The checks and the apply hold the thread: draw their step now, not at the next tick.
      if (p.phase !== 'reading') bar.render();
    },
    stop() {
      bar?.stop();
    },
  };
}
