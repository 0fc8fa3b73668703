// The files an --out may never name: the mirror and the files SQLite keeps beside it. Replacing any of them
// with a results CSV would lose the accounts, the audit log and the processed tickets at once.
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Protected } from './target.js';

const COMPANIONS: ReadonlyArray<[suffix: string, what: string]> = [
  ['', 'the mirror'],
  ['-wal', "the mirror's write-ahead log"],
  ['-shm', "the mirror's shared-memory file"],
  ['-journal', "the mirror's journal"],
];

/** The mirror at `dbPath`, by the path given and by its real path (SQLite puts its -wal beside the latter). */
export function mirrorFiles(dbPath: string): Protected[] {
  const bases = new Set([resolve(dbPath)]);
  try {
    bases.add(realpathSync(dbPath));
  } catch {
    // no mirror yet: the path given is all there is
  }
  return [...bases].flatMap((base) => COMPANIONS.map(([suffix, what]) => ({ path: `${base}${suffix}`, what })));
}
