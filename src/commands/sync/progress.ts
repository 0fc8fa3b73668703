// The push's progress bar: on stderr, only when stderr is a terminal (nothing animated in logs, pipes or
// cron mail); cli-progress is imported only then.
import type { IO } from '../../io.js';

export interface SyncBar {
  tick(): void;
  stop(): void;
}

const NONE: SyncBar = { tick: () => {}, stop: () => {} };

export async function syncBar(io: IO, total: number): Promise<SyncBar> {
  if (!io.stderrIsTTY || total === 0) return NONE;
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = new SingleBar(
    {
      stream: io.stderr as NodeJS.WritableStream,
      format: 'sync [{bar}] {value}/{total} changes | {rate}/s | {eta_formatted} left',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 200,
      fps: 10,
    },
    Presets.shades_classic,
  );
  const started = performance.now();
  let done = 0;
  bar.start(total, 0, { rate: '-' });
  return {
    tick() {
      done += 1;
      // Changes made while the push runs are sent too: the total grows with them.
      if (done > bar.getTotal()) bar.setTotal(done);
      const seconds = (performance.now() - started) / 1000;
      bar.update(done, { rate: seconds > 0 ? Math.round(done / seconds).toLocaleString('en-US') : '-' });
    },
    stop: () => bar.stop(),
  };
}
