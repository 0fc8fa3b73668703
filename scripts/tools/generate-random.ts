// A small seeded PRNG (mulberry32) and the draws the generator needs. Same seed, same sequence:
// nothing here reads the clock or Math.random, so a run is reproducible byte for byte.

/** FNV-1a over the seed's text: `--seed 7` and `--seed demo` both give a 32-bit state. */
export function seedFromText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Eight lower-case hex digits. */
  hex8(): string {
    return (Math.floor(this.next() * 4294967296) >>> 0).toString(16).padStart(8, '0');
  }

  /** A version-4-shaped UUID, the form some platform ids take. */
  uuid(): string {
    const a = this.hex8();
    const b = this.hex8();
    const c = this.hex8();
    const d = this.hex8();
    const variant = '89ab'[this.int(0, 3)]!;
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }

  /** Forks an independent stream, so one part of the world can change without reshuffling the rest. */
  fork(label: string): Rng {
    return new Rng(seedFromText(`${this.hex8()}:${label}`));
  }
}

/** Picks from fixed weights in O(log n): built once, drawn millions of times. */
export class Weighted<T> {
  private readonly items: T[];
  private readonly cumulative: number[];

  constructor(table: ReadonlyArray<readonly [T, number]>) {
    this.items = table.map(([item]) => item);
    let sum = 0;
    this.cumulative = table.map(([, w]) => (sum += w));
    this.cumulative = this.cumulative.map((c) => c / sum);
  }

  draw(rng: Rng): T {
    const u = rng.next();
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (u < this.cumulative[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]!;
  }
}

/** `k` distinct integers from [0, n), in increasing order (Floyd's sampling: O(k), no array of n). */
export function sampleIndexes(rng: Rng, n: number, k: number): number[] {
  const chosen = new Set<number>();
  for (let j = n - Math.min(k, n); j < n; j++) {
    const t = rng.int(0, j);
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen].sort((a, b) => a - b);
}
