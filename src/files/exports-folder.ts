// Where the guided desk puts a zip of progress notes when the agent names no file: `exports/` beside the
// mirror (for the default mirror, the install's data/exports), a folder only its owner can open, never the
// folder the agent's shell happens to be in (the repo root, in the trial). The zip itself is 0600 as always.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function exportsFolder(dbPath: string): string {
  return join(dirname(dbPath), 'exports');
}

/** Make the folder (0700) if it is missing; one that exists is used as it is. */
export function makeExportsFolder(folder: string): void {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
}
