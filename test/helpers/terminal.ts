// cx in a real terminal: `script` gives it a pseudo-terminal (stdin and stdout are TTYs, as for an agent),
// and the test answers each prompt when its text appears. Keys are bytes: '\r' Enter, '\x03' Ctrl-C,
// '\x1b' Esc, '\x1b[B' arrow down.
import { spawn } from 'node:child_process';
import { baseEnv, CX, REPO } from './cx.js';

export interface TerminalRun {
  /** Everything the terminal showed, with cx's colour and cursor sequences taken out. */
  screen: string;
  /** The exit code of cx, read from the shell after it ended. */
  code: number;
}

export interface TerminalOptions {
  env?: Record<string, string | undefined>;
  /** Columns of the terminal (stty), e.g. 80 or 200. */
  columns?: number;
  /** Called once cx has started, e.g. to release a lock after a moment. */
  started?: () => void;
  timeoutMs?: number;
}

const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;

export function inTerminal(db: string, args: string[], steps: Array<[RegExp, string]>, opts: TerminalOptions = {}): Promise<TerminalRun> {
  const command = [process.execPath, CX, ...args].map(quote).join(' ');
  const stty = opts.columns ? `stty cols ${opts.columns} rows 50; ` : '';
  const child = spawn('script', ['-qec', `${stty}${command}; echo EXIT=$?`, '/dev/null'], { cwd: REPO, env: baseEnv(db, opts.env) });
  let screen = '';
  const plain = () => screen.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
  opts.started?.();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill(), opts.timeoutMs ?? 50_000);
    child.stdout.on('data', (d) => {
      screen += d;
      const next = steps[0];
      if (next && next[0].test(plain())) {
        steps.shift();
        // A moment for the prompt to be ready for keys after it has drawn itself.
        setTimeout(() => child.stdin.write(next[1]), 50);
      }
    });
    child.on('close', () => {
      clearTimeout(timer);
      const text = plain();
      const m = /EXIT=(\d+)/.exec(text);
      done({ screen: text, code: m ? Number(m[1]) : -1 });
    });
  });
}
