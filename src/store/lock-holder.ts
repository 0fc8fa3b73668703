// Who holds the mirror's write lock, when it is a long writer (a batch, an import, a sync push): they say so
// in a small file beside the mirror, so that another agent's command that gave up waiting can name them
// ("the mirror is busy (Dana's cx batch, since 14:05)"). SQLite itself cannot tell. The file holds no PHI:
// the agent's name, the command, the process id and when it started. Best effort: never an error.
import { closeSync, openSync, readFileSync, rmSync, writeSync, constants } from 'node:fs';
import { alive } from '../files/stale-temps.js';

export interface LockHolder {
  agent: string;
  command: string;
  pid: number;
  since: string;
}

function holderPath(dbPath: string): string {
  return `${dbPath}-cx-holder`;
}

/** Say that this process is a long writer of the mirror; returns how to take it back. */
export function announceHolder(dbPath: string, holder: Omit<LockHolder, 'pid'>): () => void {
  const path = holderPath(dbPath);
  try {
    rmSync(path, { force: true });
    const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      writeSync(fd, JSON.stringify({ ...holder, pid: process.pid }));
    } finally {
      closeSync(fd);
    }
  } catch {
    return () => undefined; // another writer announced itself at the same moment, or the folder is read-only
  }
  return () => {
    if (readHolder(dbPath)?.pid === process.pid) rmSync(path, { force: true });
  };
}

export function readHolder(dbPath: string): LockHolder | null {
  try {
    const h = JSON.parse(readFileSync(holderPath(dbPath), 'utf8')) as Partial<LockHolder>;
    if (typeof h.agent !== 'string' || typeof h.command !== 'string' || typeof h.pid !== 'number' || typeof h.since !== 'string') return null;
    return alive(h.pid) ? (h as LockHolder) : null;
  } catch {
    return null;
  }
}

/** "dana's cx batch, pid 4242, since 2026-11-27T14:05:00.000Z", or undefined when nobody announced. */
export function describeHolder(dbPath: string): string | undefined {
  const h = readHolder(dbPath);
  return h ? `held by ${JSON.stringify(h.agent)}'s ${h.command}, pid ${h.pid}, since ${h.since}` : undefined;
}
