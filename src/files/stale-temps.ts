// Temporary files a killed cx left behind (kill -9, a power cut: no handler ran). The next cx run that writes
// into the same folder removes them, but only its own user's regular files, and only once they are a day
// old: a younger one may belong to a run still going (its writes keep the time fresh), another user's is
// none of cx's business.
import { lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

/** Short, so that no target name, however long, makes the temporary name too long for the folder. */
export const TEMP_PREFIX = '.cx-tmp-';
export const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

/** Folders already swept by this process: a batch writing a zip per row reads each folder once. */
const swept = new Set<string>();

export function removeStaleTemps(dir: string, now = Date.now()): void {
  if (swept.has(dir)) return;
  swept.add(dir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // creating the temporary file will say what is wrong with the folder
  }
  const me = process.getuid?.();
  for (const name of names) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const path = join(dir, name);
    try {
      const st = lstatSync(path);
      if (!st.isFile() || st.uid !== me || now - st.mtimeMs <= STALE_AFTER_MS) continue;
      unlinkSync(path); // unlink never follows a symlink: at worst it removes a name, never what it points to
    } catch {
      // gone meanwhile (another run swept it)
    }
  }
}

/**
 * Temporary files named for the process that made them (`<prefix>.<pid>.<suffix>`, e.g. an import's scratch
 * database, and SQLite's -journal, -wal and -shm beside it) whose process is gone: a kill -9 left them. This user's regular files only; one of a run still
 * going is left alone whatever its age.
 */
export function removeOrphans(dir: string, prefix: string, suffix: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const me = process.getuid?.();
  for (const name of names) {
    // SQLite's own files beside one (a -journal, -wal, -shm) go with it.
    const base = name.replace(/-(journal|wal|shm)$/, '');
    if (!base.startsWith(`${prefix}.`) || !base.endsWith(`.${suffix}`)) continue;
    const pid = Number(base.slice(prefix.length + 1, -(suffix.length + 1)));
    if (!Number.isSafeInteger(pid) || pid <= 0 || alive(pid)) continue;
    try {
      const st = lstatSync(join(dir, name));
      if (st.isFile() && st.uid === me) unlinkSync(join(dir, name));
    } catch {
      // gone meanwhile
    }
  }
}

/** Whether a process with this id is running (EPERM: it is, as another user's). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}
