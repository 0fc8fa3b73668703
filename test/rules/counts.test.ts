// Counts as people read them (issue 21, part 4): every count with a thousands separator, in one style, from
// one helper; JSON, CSV and piped tables keep plain numbers.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/env.js';
import { plural, thousands } from '../../src/rules/plural.js';

describe('counts people read', () => {
  it('one style: a comma between thousands', () => {
    expect(thousands(0)).toBe('0');
    expect(thousands(999)).toBe('999');
    expect(thousands(1234)).toBe('1,234');
    expect(thousands(1234567)).toBe('1,234,567');
    expect(plural(20000, 'ticket')).toBe('20,000 tickets');
    expect(plural(1, 'ticket')).toBe('1 ticket');
  });

  it("whole numbers are grouped without ICU, exactly as ICU's en-US formatting groups them", () => {
    const samples = [0, -0, 7, -7, 10, 999, 1000, -1000, 12_345, 999_999, 1_000_000, -9_876_543, 2 ** 31, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
    for (let k = 1; k < 16; k++) samples.push(10 ** k - 1, 10 ** k, 10 ** k + 1);
    for (const n of samples) expect(thousands(n), String(n)).toBe(n.toLocaleString('en-US', { maximumFractionDigits: 1 }));
    // Not whole: ICU's rounding and grouping, as before.
    expect(thousands(1234.56)).toBe('1,234.6');
    expect(thousands(0.25)).toBe('0.3');
  });

  it('every number formatted for people goes through the one helper (src/rules/plural.ts)', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
      });
    const elsewhere = files(join(REPO, 'src'))
      .filter((f) => !f.endsWith(join('rules', 'plural.ts')))
      .filter((f) => /toLocaleString\(|Intl\.NumberFormat/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(REPO, f));
    expect(elsewhere).toEqual([]);
  });
});
