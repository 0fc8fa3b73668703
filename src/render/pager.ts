// Long listings (cx audit, cx outbox, cx retention) go through the agent's pager when stdout is a terminal,
// as gh does: $CX_PAGER, else $PAGER, else `less -FRX` (quit at once when it fits one screen, keep colours,
// leave the text on the screen). An empty value or `cat` means no pager; so does --no-pager. While the pager
// runs it is in charge of the terminal, as with git and gh: Ctrl-C reaches the whole foreground group, and
// less takes it as "stop what you are doing", so cx must not die under it (less would be left running,
// orphaned, with the shell's prompt drawn over it). cx waits for the pager, then ends as Ctrl-C ends it.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { IO } from '../io.js';
import { loadChildProcess } from '../packages.js';

const DEFAULT_PAGER = 'less -FRX';

/** The pager command to run, or null to write straight to stdout. */
export function pagerCommand(env: NodeJS.ProcessEnv): string | null {
  const chosen = env.CX_PAGER ?? env.PAGER;
  if (chosen !== undefined) return chosen.trim() === '' || chosen.trim() === 'cat' ? null : chosen;
  // The default only where less is installed: a missing pager must not swallow the output.
  return onPath('less', env.PATH) ? DEFAULT_PAGER : null;
}

function onPath(name: string, path: string | undefined): boolean {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

/** The shell's status for a command it could not run (not found, not executable). */
const COULD_NOT_RUN = new Set([126, 127]);

export interface PageOptions {
  /**
   * Inside the guided desk: Ctrl-C while the pager runs is the pager's alone, and the session goes on after
   * it (its next question has Esc and Ctrl-C to go back), rather than ending cx.
   */
  inSession?: boolean;
}

/**
 * Show `text` through the pager and wait for the agent to leave it. Quitting the pager early is fine (its
 * end of the pipe closes); if the pager cannot be started at all, the text goes to stdout. Ctrl-C while it
 * runs is the pager's; once it has exited, cx ends with the signal too (exit 130), as git does.
 */
export async function page(io: IO, text: string, command: string, options: PageOptions = {}): Promise<void> {
  const env = { ...io.env, LESS: io.env.LESS ?? 'FRX', LV: io.env.LV ?? '-c' };
  const { spawn } = await loadChildProcess();
  const interrupt = holdInterrupts();
  let ended: { ran: boolean; status: number | null; signal: NodeJS.Signals | null };
  try {
    ended = await new Promise((done) => {
      const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'inherit', 'inherit'], env });
      child.on('error', () => done({ ran: false, status: null, signal: null }));
      child.stdin.on('error', () => {}); // EPIPE: the agent quit before the end
      child.on('spawn', () => child.stdin.end(text));
      child.on('close', (status, signal) => done({ ran: true, status, signal }));
    });
  } finally {
    interrupt.release();
  }
  if (!ended.ran || (ended.status !== null && COULD_NOT_RUN.has(ended.status))) io.stdout.write(text);
  if (!options.inSession && (interrupt.held || ended.signal === 'SIGINT')) process.kill(process.pid, 'SIGINT');
}

/**
 * Ctrl-C set aside while the pager runs: every SIGINT listener taken off (cx's own, such as the clean-up of
 * temporary files, come back after) and one that only notes it, so Node does not end the process.
 */
function holdInterrupts(): { readonly held: boolean; release(): void } {
  const others = process.listeners('SIGINT');
  for (const l of others) process.removeListener('SIGINT', l);
  let held = false;
  const note = () => {
    held = true;
  };
  process.on('SIGINT', note);
  return {
    get held() {
      return held;
    },
    release() {
      process.removeListener('SIGINT', note);
      for (const l of others) process.on('SIGINT', l as NodeJS.SignalsListener);
    },
  };
}
