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
