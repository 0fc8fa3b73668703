// Who holds a lease on a change: `<host>:<pid>:<random>`, one per push run. A lease ends at its time; a
// holder on this machine whose process is gone gives it up at once (kill -9 leaves no one to release it).
// The mirror is a local file, so its pushes run on this host; a holder elsewhere keeps its lease until it
// ends.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

export function newOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;
}

export function isDeadOwner(owner: string, self: string): boolean {
  if (owner === self) return false;
  const m = /^(.*):(\d+):([0-9a-f]+)$/.exec(owner);
  if (!m || m[1] !== hostname()) return false;
  const pid = Number(m[2]);
  // Our own process, another run: that run is over (a process runs one push at a time).
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // EPERM: alive, another user's. ESRCH: gone.
    return (err as { code?: string }).code === 'ESRCH';
  }
}
