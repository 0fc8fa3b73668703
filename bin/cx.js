#!/usr/bin/env node
// The installed binary: the program is dist/cli/, bundled from tsc's dist/ by `npm ci` through the prepare
// script (npm run build). CommonJS like the bundle (rolldown.config.js says why): bin/package.json marks this
// folder's .js files as CommonJS in a package of ES modules.
'use strict';
const { join } = require('node:path');
const { installCodeCache, main } = require('../dist/cli/index.js');

// The chunks a run loads next come from V8's code cache when there is a safe one (src/code-cache.ts).
installCodeCache(join(__dirname, '../dist/cli'), process.env);

// `cx ... | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

main(process.argv).then((code) => {
  process.exitCode = code;
});
