// Where cx is installed, found from this module's own file (src/config/ under vitest, dist/config/ when
// built, dist/cli/ in the bundle: each two folders down), never from the current folder: an agent runs cx
// from wherever their shell happens to be. Other modules find their files from here, not from their own
// place, which the bundle changes.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repo's (or the installed package's) top folder. */
export const INSTALL_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The default mirror: the top-level `data/` folder of the install (docs/reference.md#settings). */
export const DEFAULT_DB_PATH = join(INSTALL_ROOT, 'data', 'mirror.db');

/** A file tsc compiled into dist/ that runs on its own (a worker's entry), wherever the caller was bundled. */
export function compiledFile(path: string): string {
  return join(INSTALL_ROOT, 'dist', path);
}
