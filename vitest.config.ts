import { defineConfig } from 'vitest/config';

// The fast tier (`npm test`): every rule and action, most of them in-process against a real SQLite file
// (test/helpers/in-process.ts), and the process tests of the contracts. The soak tier (kill -9 loops,
// signals, scale, ZIP64, the long crash runs) is test/soak/, run by `npm run test:soak` (vitest.soak.config.ts).
export const shared = {
  // dist/ rebuilt when its sources changed (process tests run it), the demo world seeded once.
  globalSetup: ['test/helpers/global-setup.ts'],
  // Process-level tests spawn bin/cx and build real SQLite files: give them room on a 2-core machine.
  testTimeout: 60_000,
  hookTimeout: 60_000,
  pool: 'forks' as const,
  // Two at a time: much of a process test's time is a cx process working while its test file waits, so
  // one file at a time leaves a core idle (vitest's default here is one less than the cores).
  maxWorkers: 2,
};

export default defineConfig({
  test: {
    ...shared,
    include: ['test/**/*.test.ts'],
    exclude: ['test/soak/**', '**/node_modules/**'],
  },
});
