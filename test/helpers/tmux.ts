// cx in a real terminal that the test drives key by key: a tmux pane on a private tmux server (its own
// socket in a temporary folder, no config file), read back with capture-pane. waitFor() polls the screen until a pattern shows up
// below the last thing waited for (the screen only grows: prompts redraw their own lines), so a test says
// what it expects to see, never how long to wait for it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { baseEnv, CX, REPO, tempDir } from './cx.js';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;

/** A private tmux server with one session, read back with capture-pane. */
class TmuxSession {
  private readonly socket = join(tempDir('cx-tmux-'), 'socket');
  /** Lines of the screen already matched by waitFor: later waits look below them. */
  private seen = 0;

  protected start(command: string, env: NodeJS.ProcessEnv, vars: string[] = [], size = { columns: 200, rows: 50 }): void {
    const r = this.tmux(['new-session', '-d', '-x', String(size.columns), '-y', String(size.rows), '-s', 'desk', ...vars, command], env);
    if (r.status !== 0) throw new Error(`tmux new-session failed: ${r.stderr}`);
  }

  private tmux(args: string[], env?: NodeJS.ProcessEnv) {
    return spawnSync('tmux', ['-S', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env });
  }

  /** The whole screen and its history, wrapped lines joined. */
  screen(): string {
    return this.tmux(['capture-pane', '-p', '-J', '-S', '-', '-t', 'desk']).stdout;
  }

  /** Text typed as it is. */
  type(text: string): void {
    this.tmux(['send-keys', '-t', 'desk', '-l', text]);
  }

  /** Keys by tmux name: Enter, Escape, Down, Up, C-c, Tab. */
  keys(...keys: string[]): void {
    for (const k of keys) this.tmux(['send-keys', '-t', 'desk', k]);
  }

  /** Waits until the pattern shows up below what was matched before; returns the match. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const lines = this.screen().split('\n');
      const below = lines.slice(this.seen).join('\n');
      const m = pattern.exec(below);
      if (m) {
        this.seen += below.slice(0, m.index + m[0].length).split('\n').length - 1;
        // The prompt that printed it may still be drawing itself: a moment before keys go to it.
        await new Promise((r) => setTimeout(r, 60));
        return m;
      }
      if (Date.now() > until) throw new Error(`not on the screen after ${timeoutMs} ms: ${pattern}\n--- screen ---\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** A tmux format about the pane, e.g. '#{pane_tty}'. */
  display(format: string): string {
    return this.tmux(['display-message', '-p', '-t', 'desk', format]).stdout.trim();
  }

  close(): void {
    this.tmux(['kill-server']);
  }
}

/** cx in the pane, then the shell's `EXIT=<code>`. */
export class Pane extends TmuxSession {
  constructor(db: string, args: string[], env: Record<string, string | undefined> = {}, size: { columns: number; rows: number } = { columns: 200, rows: 50 }) {
    super();
    const full = baseEnv(db, { PAGER: 'cat', COLUMNS: undefined, LINES: undefined, ...env });
    // The shell survives a Ctrl-C as an agent's interactive shell does (a trap, not an ignore: cx gets the
    // signal as it would), so the exit code is still printed and what is left running can be seen.
    const command = `trap 'true' INT; cd ${quote(REPO)} && ${[process.execPath, CX, ...args].map(quote).join(' ')}; echo EXIT=$?; sleep 600`;
    // A new server takes its environment from this process; -e sets cx's settings in the session as well.
    const vars = ['CX_DB', 'CX_DB_KEY', 'NODE_OPTIONS', 'CX_AGENT', 'NO_COLOR', 'XDG_CONFIG_HOME', 'PAGER', 'TZ', 'CX_PAGER', 'CX_LOCK_WAIT_MS'].flatMap((k) => (full[k] === undefined ? [] : ['-e', `${k}=${full[k]}`]));
    this.start(command, full, vars, size);
  }

  /** The exit code cx ended with (the shell prints it). */
  async exitCode(): Promise<number> {
    return Number((await this.waitFor(/EXIT=(\d+)/))[1]);
  }
}

/** An interactive bash (no rc files) in `cwd`, for what only readline does: completion on Tab. */
export class ShellPane extends TmuxSession {
  constructor(cwd: string) {
    super();
    this.start(`cd ${quote(cwd)} && PS1='$ ' exec bash --norc --noprofile -i`, { ...process.env, HOME: cwd });
  }

  /** A command line, run. */
  run(line: string): void {
    this.type(line);
    this.keys('Enter');
  }

  /** Types `line`, presses Tab (a single match completes), then Enter. */
  complete(line: string): void {
    this.type(line);
    this.keys('Tab', 'Enter');
  }
}
