// The process's streams, wrapped so tests and commands share one notion of "interactive".
import type { Readable, Writable } from 'node:stream';

export interface IO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Prompts only when both stdin and stdout are terminals (docs/reference.md#how-every-command-behaves). */
  interactive: boolean;
  /** stderr is a terminal: progress bars and spinners may animate there. */
  stderrIsTTY: boolean;
  /** stdout is a terminal: tables are fitted to its width and long listings paged; else they are piped text. */
  stdoutIsTTY?: boolean;
  /** The width of a stream that is a terminal, read when output is drawn (the window may have changed). */
  columns?: (stream: 'stdout' | 'stderr') => number | undefined;
  env: NodeJS.ProcessEnv;
  /** The system clock; absent, the operating system's. Only a test's own process gives another (a fixed one). */
  clock?: () => Date;
}

export function processIO(): IO {
  return {
    // Made on first use: building process.stdin loads Node's stream machinery (~8 ms), and most commands
    // never read it. For the same reason stdout is asked first: piped output is never interactive.
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    interactive: Boolean(process.stdout.isTTY && process.stdin.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    columns: (stream) => (stream === 'stdout' ? process.stdout.columns : process.stderr.columns) || undefined,
    env: process.env,
  };
}
