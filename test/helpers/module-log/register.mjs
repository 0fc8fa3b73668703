// `node --import <this file> bin/cx.js …`: every ES module the run loads is appended, one URL a line, to the
// file named by $CX_TEST_MODULE_LOG. Tests use it to show what a start-up loads (test/cli/lookup-plain.test.ts).
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
