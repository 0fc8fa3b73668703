// The example date cx shows in hints and help is no one's date of birth in the demo data: at an identity
// question, "e.g. <a real date of birth>" reads as the answer. And no demo date of birth is written in src/.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO, REPO } from '../helpers/env.js';
import { DATE_HINT, EXAMPLE_DATE, isCalendarDate } from '../../src/rules/dates.js';

function demoDatesOfBirth(): string[] {
  const [header, ...rows] = readFileSync(join(DEMO, 'accounts.csv'), 'utf8').trimEnd().split('\n');
  const dob = header!.split(',').indexOf('dob');
  expect(dob).toBeGreaterThanOrEqual(0);
  return rows.map((r) => r.split(',')[dob]!).filter((d) => d !== '');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('the example date', () => {
  it('is a real date, and no demo account has it as its date of birth', () => {
    const dobs = demoDatesOfBirth();
    expect(dobs.length).toBeGreaterThan(10);
    expect(isCalendarDate(EXAMPLE_DATE)).toBe(true);
    expect(dobs).not.toContain(EXAMPLE_DATE);
    expect(DATE_HINT).toContain(EXAMPLE_DATE);
  });

  it('no demo date of birth is in the code of src/, only in comments (a hint or an example would read as the answer)', () => {
    const dobs = new Set(demoDatesOfBirth());
    const code = (file: string) => readFileSync(file, 'utf8').split('\n').filter((line) => !/^\s*(\/\/|\/?\*)/.test(line));
    const found = sourceFiles(join(REPO, 'src')).flatMap((file) =>
      code(file).flatMap((line) => [...line.matchAll(/\d{4}-\d{2}-\d{2}/g)].filter((m) => dobs.has(m[0])).map((m) => `${file.slice(REPO.length + 1)}: ${m[0]}`)),
    );
    expect(found).toEqual([]);
  });
});
