// Where the developer scripts find the product and each other. They run compiled, from build/scripts/
// (scripts/tsconfig.json: scripts/, the src/ modules they import and the test stand-in they start, all
// under build/), never from dist/, which holds the product alone.
import { join, resolve } from 'node:path';
import { mirrorKeys } from '../src/config/mirror-key.js';
import type { MirrorKeys } from '../src/store/cipher.js';

/** The repository's top folder (this file runs as build/scripts/paths.js). */
export const REPO = resolve(import.meta.dirname, '../..');

/** The command-line program as an agent runs it. */
export const CX = join(REPO, 'bin/cx.js');

/** The world generator (`npm run gen`). */
export const GENERATOR = join(REPO, 'build/scripts/tools/generate.js');

/** The platform stand-in, started as its own process by the sync bench (test/support/platform-stand-in.ts). */
export const STAND_IN = join(REPO, 'build/test/support/platform-stand-in.js');

/**
 * The keys of the mirrors the scripts open themselves: the settings' (`npm run bench` gives every run its own
 * CX_DB_KEY, so no key of a bench mirror lands in the developer's credential store); generated worlds are
 * plaintext (synthetic data), which needs no key.
 */
export function benchKeys(): MirrorKeys {
  return mirrorKeys(process.env);
}
