// Randomized tests draw from a seeded generator: the seed is printed when the test fails, and
// CX_TEST_SEED=<seed> makes the next run draw the same numbers (the same kill points, delays and picks;
// how far a process got by then still depends on the machine).
import { onTestFailed } from 'vitest';
import { seededRandom } from './world.js';

export interface TestRandom {
  seed: number;
  /** A number in [0, 1), as Math.random. */
  random: () => number;
}

/** For the running test: a generator seeded from CX_TEST_SEED, else from a fresh random seed. */
export function testRandom(): TestRandom {
  const seed = seedFrom(process.env.CX_TEST_SEED);
  onTestFailed(({ task }) => {
    const runner = task.file.name.startsWith('test/soak/') ? 'npm run test:soak --' : 'npx vitest run';
    const message = `seed ${seed}: replay with CX_TEST_SEED=${seed} ${runner} ${task.file.name} -t ${JSON.stringify(task.name)}`;
    console.error(message);
    // Also in the failure itself, which every reporter shows.
    for (const e of task.result?.errors ?? []) e.message = `${e.message}\n(${message})`;
  });
  return { seed, random: seededRandom(seed) };
}

export function seedFrom(raw: string | undefined): number {
  if (raw === undefined || raw === '') return Math.floor(Math.random() * 2 ** 32);
  const seed = Number(raw);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new Error(`CX_TEST_SEED must be a whole number from 0 to ${2 ** 32 - 1}: ${JSON.stringify(raw)}`);
  return seed;
}
