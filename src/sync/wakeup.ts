// How the push's loop sleeps until something happens (an attempt or a claim ends, a wait is over, the run
// stops): one wake-up function, called by whatever happened. Cheaper than Promise.race over every request
// in flight at each turn, which adds a reaction to each of them.
export interface Wakeup {
  /** Resolves at the next nudge, or after `ms` (null: only a nudge). */
  sleep(ms: number | null): Promise<void>;
  nudge(): void;
}

export function wakeup(): Wakeup {
  let wake: (() => void) | null = null;
  const nudge = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  return {
    nudge,
    sleep: (ms) =>
      new Promise((resolve) => {
        const timer = ms === null ? null : setTimeout(nudge, Math.max(0, ms));
        wake = () => {
          if (timer) clearTimeout(timer);
          resolve();
        };
      }),
  };
}
