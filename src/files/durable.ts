// Making a file, or a folder's entries (a rename, a new name), durable before the next step relies on them.
import { closeSync, fsyncSync, openSync } from 'node:fs';

/** fsync a file or a folder, where the file system can (some do not sync folders: the step is made either way). */
export function syncPath(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // a folder on a file system that does not sync folders
  } finally {
    closeSync(fd);
  }
}
