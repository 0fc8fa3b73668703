// cx in a real terminal: `script` gives it a pseudo-terminal (stdin and stdout are TTYs, as for an agent),
// and the test answers each prompt when its text appears. Keys are bytes: '\r' Enter, '\x03' Ctrl-C,
// '\x1b' Esc, '\x1b[B' arrow down; { signal } sends cx a signal instead (as `kill` from elsewhere would).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseEnv, CX, REPO, tempDir } from './cx.js';

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

/** What a step does once its text is on the screen: keys typed, or a signal sent to cx. */
export type Step = [RegExp, string | { signal: NodeJS.Signals }];

export function inTerminal(db: string, args: string[], steps: Step[], opts: TerminalOptions = {}): Promise<TerminalRun> {
  const command = [process.execPath, CX, ...args].map(quote).join(' ');
  const stty = opts.columns ? `stty cols ${opts.columns} rows 50; ` : '';
  // The exit code goes to a file as well as the screen: `script` may lose the last output of a shell that ends
  // as it is read. Ctrl-C reaches the shell as well as cx: the trap keeps the shell alive to write the code
  // (cx still starts with SIGINT at its default, as under an agent's shell).
  const codeFile = join(tempDir('cx-terminal-'), 'exit-code');
  const shell = `trap true INT; ${stty}${command}; code=$?; echo $code > ${quote(codeFile)}; echo EXIT=$code`;
  const child = spawn('script', ['-qec', shell, '/dev/null'], { cwd: REPO, env: baseEnv(db, opts.env) });
  let screen = '';
  const plain = () => screen.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
  opts.started?.();
  return new Promise((done) => {
    const timeoutMs = opts.timeoutMs ?? 50_000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill();
    }, timeoutMs);
    child.stdout.on('data', (d) => {
      screen += d;
      const next = steps[0];
      if (next && next[0].test(plain())) {
        steps.shift();
        // A moment for the prompt to be ready for keys after it has drawn itself.
        const act = next[1];
        setTimeout(() => (typeof act === 'string' ? child.stdin.write(act) : signalCx(child.pid!, act.signal)), 50);
      }
    });
    child.on('close', () => {
      clearTimeout(timer);
      const text = plain() + (timedOut ? `\n[test: the terminal was closed after ${timeoutMs} ms, cx still running]` : '');
      const code = existsSync(codeFile) ? Number(readFileSync(codeFile, 'utf8')) : -1;
      done({ screen: text, code });
    });
  });
}

/** Sends the signal to the cx process `script` started (through its shell), found among its descendants. */
function signalCx(scriptPid: number, signal: NodeJS.Signals): void {
  const cx = cxUnder(scriptPid);
  if (cx === undefined) throw new Error(`no cx process under ${scriptPid} to send ${signal} to`);
  process.kill(cx, signal);
}

/**
 * The cx process among `pid`'s descendants, found by its command line: under `script` a shell may sit between
 * (dash, CI's /bin/sh when SHELL is unset, forks rather than execs), and a signal to that shell leaves cx running.
 */
export function cxUnder(pid: number): number | undefined {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  for (const child of children) {
    if (readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').includes(CX)) return child;
    const below = cxUnder(child);
    if (below !== undefined) return below;
  }
  return undefined;
}
