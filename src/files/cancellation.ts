// Ctrl-C (SIGINT), SIGTERM and SIGHUP (the terminal closed) while cx holds temporary files or does work it
// can stop cleanly (issue 10, section 2). Two pieces:
// - every temporary file cx creates is tracked here from the moment it exists, and a signal removes them
//   all at once, whatever the command was doing (a prompt, a zip, a batch chunk);
// - a command that can stop cleanly opens a Cancellable: the signal then aborts its AbortSignal and the work
//   stops at its next check, keeping what it committed. Without one (e.g. at a prompt, before anything was
//   applied) cx dies of the signal as it would without a handler, after removing its temporary files.
// A signal that arrives inside a critical section (an audit row committed and its file not yet renamed) is
// held until the section ends: the hand-over is never cut in half.
import { unlinkSync } from 'node:fs';
import { CancelledError } from '../errors.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type Signal = (typeof SIGNALS)[number];

const temps = new Set<string>();
const scopes: AbortController[] = [];
let criticalDepth = 0;
let held: Signal | null = null;
let installed = false;

/** A temporary file that must not outlive a signal. */
export function trackTemp(path: string): void {
  temps.add(path);
  install();
}

export function untrackTemp(path: string): void {
  temps.delete(path);
  uninstallIfIdle();
}

export interface Cancellable {
  /** Aborted (with a CancelledError as its reason) once a signal arrives outside a critical section. */
  readonly signal: AbortSignal;
  /** Throws the CancelledError when a signal arrived. */
  throwIfCancelled(): void;
  /** Runs `work` with signals held until it ends; one that arrived meanwhile is delivered right after. */
  critical<T>(work: () => Promise<T>): Promise<T>;
  /** The work is over: signals no longer go to it. */
  end(): void;
}

/** Opens a scope for work that stops cleanly at its next check when a signal arrives. */
export function cancellable(): Cancellable {
  const controller = new AbortController();
  scopes.push(controller);
  install();
  return {
    signal: controller.signal,
    throwIfCancelled: () => controller.signal.throwIfAborted(),
    critical,
    end() {
      const at = scopes.indexOf(controller);
      if (at >= 0) scopes.splice(at, 1);
      uninstallIfIdle();
    },
  };
}

async function critical<T>(work: () => Promise<T>): Promise<T> {
  install();
  criticalDepth++;
  try {
    return await work();
  } finally {
    criticalDepth--;
    if (criticalDepth === 0 && held !== null) {
      const signal = held;
      held = null;
      deliver(signal);
    }
    uninstallIfIdle();
  }
}

function onSignal(signal: Signal): void {
  if (criticalDepth > 0) {
    held ??= signal;
    return;
  }
  deliver(signal);
}

function deliver(signal: Signal): void {
  removeTemps();
  const scope = scopes[scopes.length - 1];
  if (scope && !scope.signal.aborted) {
    scope.abort(new CancelledError(`cancelled (${signal})`));
    return;
  }
  // Nothing can stop cleanly (a prompt is waiting, or this is the second signal): end as if cx had no
  // handler, so the shell sees the signal. The temporary files are gone already.
  uninstall();
  process.kill(process.pid, signal);
}

function removeTemps(): void {
  for (const path of temps) {
    try {
      unlinkSync(path);
    } catch {
      // already renamed into place or removed
    }
  }
  temps.clear();
}

function install(): void {
  if (installed) return;
  for (const s of SIGNALS) process.on(s, onSignal);
  installed = true;
}

function uninstallIfIdle(): void {
  if (temps.size === 0 && scopes.length === 0 && criticalDepth === 0) uninstall();
}

function uninstall(): void {
  if (!installed) return;
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  installed = false;
}
