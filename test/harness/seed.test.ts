// Randomized tests can be replayed: CX_TEST_SEED makes testRandom() draw the same numbers again.
import { afterEach, describe, expect, it } from 'vitest';
import { seedFrom, testRandom } from '../helpers/seed.js';

const saved = process.env.CX_TEST_SEED;
afterEach(() => {
  if (saved === undefined) delete process.env.CX_TEST_SEED;
  else process.env.CX_TEST_SEED = saved;
});

describe('testRandom', () => {
  it('draws the same numbers for the same seed, other numbers for another', () => {
    process.env.CX_TEST_SEED = '12345';
    const a = testRandom();
    const b = testRandom();
    expect(a.seed).toBe(12345);
    const draws = (r: () => number) => Array.from({ length: 5 }, r);
    const first = draws(a.random);
    expect(draws(b.random)).toEqual(first);
    for (const x of first) expect(x >= 0 && x < 1).toBe(true);
    process.env.CX_TEST_SEED = '54321';
    expect(draws(testRandom().random)).not.toEqual(first);
  });

  it('without CX_TEST_SEED, a fresh seed each time; a bad one is refused', () => {
    delete process.env.CX_TEST_SEED;
    const seeds = new Set(Array.from({ length: 5 }, () => testRandom().seed));
    expect(seeds.size).toBeGreaterThan(1);
    for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
    expect(seedFrom('7')).toBe(7);
    for (const bad of ['x', '-1', '1.5', String(2 ** 32)]) expect(() => seedFrom(bad), bad).toThrow(/CX_TEST_SEED must be a whole number/);
  });
});
