import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // dist/ rebuilt when its sources changed: the process tests run it (test/helpers/dist-stamp.ts).
    globalSetup: ['test/helpers/global-setup.ts'],
    // Process-level tests spawn bin/cx and build real SQLite files: give them room on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two at a time: most of a test's time is a cx process working while its test file waits, so one file
    // at a time leaves a core idle (vitest's default here is one less than the cores).
    maxWorkers: 2,
  },
});
