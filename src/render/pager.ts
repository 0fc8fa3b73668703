// Long listings (cx audit, cx outbox, cx retention) go through the agent's pager when stdout is a terminal,
// as gh does: $CX_PAGER, else $PAGER, else `less -FRX` (quit at once when it fits one screen, keep colours,
// leave the text on the screen). An empty value or `cat` means no pager; so does --no-pager.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { IO } from '../io.js';

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

/**
 * Show `text` through the pager and wait for the agent to leave it. Quitting the pager early is fine (its
 * end of the pipe closes); if the pager cannot be started at all, the text goes to stdout.
 */
export async function page(io: IO, text: string, command: string): Promise<void> {
  const env = { ...io.env, LESS: io.env.LESS ?? 'FRX', LV: io.env.LV ?? '-c' };
  // Loaded here, not at the top: child_process (with net and dgram) is ~10 ms of every run's start-up.
  const { spawn } = await import('node:child_process');
  const started = await new Promise<boolean>((done) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'inherit', 'inherit'], env });
    child.on('error', () => done(false));
    child.stdin.on('error', () => {}); // EPIPE: the agent quit before the end
    child.on('spawn', () => child.stdin.end(text));
    child.on('close', () => done(true));
  });
  if (!started) io.stdout.write(text);
}
