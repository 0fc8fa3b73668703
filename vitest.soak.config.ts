import { defineConfig } from 'vitest/config';
import { shared } from './vitest.config.js';

// The soak tier (`npm run test:soak`): kill -9 loops, signals, scale, ZIP64, the long crash runs, the
// package install. Randomized tests print their seed when they fail: CX_TEST_SEED=<seed> replays it.
export default defineConfig({
  test: {
    ...shared,
    include: ['test/soak/**/*.test.ts'],
  },
});
