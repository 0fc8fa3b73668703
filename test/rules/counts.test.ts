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
