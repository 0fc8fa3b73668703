// Once per test run, before any test file: dist/ built from the sources as they are (process tests run
// bin/cx.js, that is dist/cli/).
import { resolve } from 'node:path';
import { ensureBuilt } from './dist-stamp.js';

export default function setup(): void {
  const build = ensureBuilt(resolve(import.meta.dirname, '../..'));
  if (build.built) console.log(`dist/ rebuilt: ${build.why}`);
}
