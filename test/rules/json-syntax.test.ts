// Where a settings file's JSON goes wrong, said by line and column without quoting the text
// (src/rules/json-syntax.ts): JSON.parse's own message quotes it, and the file may hold a pasted secret.
import { describe, expect, it } from 'vitest';
import { jsonErrorPlace } from '../../src/rules/json-syntax.js';

describe('jsonErrorPlace', () => {
  it.each([
    ['{ "tz": "UTC", ', { line: 1, column: 16 }],
    ['{"a": whsec_abcdef}', { line: 1, column: 7 }],
    ['whsec_secretvalue', { line: 1, column: 1 }],
    ['{"a":1}}', { line: 1, column: 8 }],
    ['', { line: 1, column: 1 }],
    ['{\n  "db": "x",\n  "desk": zendesk\n}', { line: 3, column: 11 }],
    ['{"a": "tab\there"}', { line: 1, column: 11 }],
    ['{"a": "\\q"}', { line: 1, column: 8 }],
    ['[1, 2,]', { line: 1, column: 7 }],
    ['{"a" 1}', { line: 1, column: 6 }],
    ['01', { line: 1, column: 2 }],
  ])('%j goes wrong at %j', (text, place) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(jsonErrorPlace(text)).toEqual(place);
  });

  it('agrees with JSON.parse on every cut of valid documents: no place for valid text, a place for any other', () => {
    const docs = [
      JSON.stringify({ db: '~/cx/mirror.db', desk: 'zendesk', tz: 'America/Chicago', n: [1, -2.5e3, true, false, null, { x: 'a"b\\c\u0001é' }] }, null, 2),
      '  [ {}, [], "", 0, 1e-7 ]  ',
    ];
    for (const doc of docs) {
      expect(jsonErrorPlace(doc)).toBeNull();
      for (let cut = 0; cut < doc.length; cut++) {
        const text = doc.slice(0, cut);
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(jsonErrorPlace(text) === null, JSON.stringify(text)).toBe(valid);
      }
    }
  });
});
