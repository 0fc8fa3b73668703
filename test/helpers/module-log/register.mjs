// `node --import <this file> bin/cx.js …`: every module the run loaded is appended, one URL a line, to the
// file named by $CX_TEST_MODULE_LOG: ES modules as they load (hooks.mjs), CommonJS ones (the bundle,
// better-sqlite3's addon) from the require cache as the process exits. Tests use it to show what a start-up
// loads (test/cli/lookup-plain.test.ts).
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

register('./hooks.mjs', import.meta.url);

const requireCache = createRequire(import.meta.url).cache;
process.on('exit', () => {
  const log = process.env.CX_TEST_MODULE_LOG;
  if (log) appendFileSync(log, Object.keys(requireCache).map((file) => `${pathToFileURL(file).href}\n`).join(''));
});
