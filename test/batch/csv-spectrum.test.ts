// The csv-spectrum corpus read with the same reader (and csv-parse options) that parseTickets uses.
import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCsvRecords } from '../../src/batch/input.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const corpora = process.env.CX_CORPORA ?? resolve(repo, '../shared/corpora');
const dir = join(corpora, 'csv-spectrum');
const found = existsSync(join(dir, 'csvs')) && existsSync(join(dir, 'json'));
const names = found ? readdirSync(join(dir, 'csvs')).filter((f) => f.endsWith('.csv')).map((f) => f.slice(0, -4)).sort() : [];
// Upstream defect (SOURCE.md): its JSON is a bare object with another phone number.
const BROKEN = 'location_coordinates';

describe.skipIf(!found)(found ? `csv-spectrum (${dir})` : `csv-spectrum — skipped: corpora not found at ${dir}`, () => {
  it('has the 12 cases SOURCE.md lists', () => {
    expect(names).toHaveLength(12);
    expect(names).toContain(BROKEN);
  });

  it.each(names.filter((n) => n !== BROKEN))('%s parses to its JSON', (name) => {
    const table = readCsvRecords(readFileSync(join(dir, 'csvs', `${name}.csv`)));
    const expected = JSON.parse(readFileSync(join(dir, 'json', `${name}.json`), 'utf8')) as Array<Record<string, string>>;
    expect(table.records.map((r) => r.values)).toEqual(expected);
    expect(table.header).toEqual(Object.keys(expected[0] ?? {}));
  });

  it('location_coordinates parses: 1 record, 4 columns, U+FFFD in the coordinates', () => {
    const table = readCsvRecords(readFileSync(join(dir, 'csvs', `${BROKEN}.csv`)));
    expect(table.header).toEqual(['Contact Phone Number', 'Location Coordinates', 'Cities', 'Counties']);
    expect(table.records).toHaveLength(1);
    expect(Object.keys(table.records[0]?.values ?? {})).toHaveLength(4);
    expect(table.records[0]?.values['Location Coordinates']).toContain('\uFFFD');
    expect(table.records[0]?.values['Location Coordinates']).toContain('37.8"N');
  });
});
