import { describe, it, expect } from 'vitest';
import { nameKey, splitFullName } from '../../src/rules/names.js';

describe('nameKey', () => {
  it.each([
    ['Zoë', 'zoe'],
    ['O’Neil', 'oneil'],
    ["O'Neil", 'oneil'],
    ['Zoë O’Neil', 'zoeoneil'],
    ['Jean-Luc', 'jeanluc'],
    ['ZOE', 'zoe'],
    ['Straße', 'strasse'],
    ['Ærø', 'aero'],
    ['Søren', 'soren'],
    ['Łukasz Wałęsa', 'lukaszwalesa'],
    ['Œuvre', 'oeuvre'],
    ['İstanbul', 'istanbul'],
    ['Ｊａｎｅ', 'jane'], // fullwidth letters, folded by NFKD
    ['Mary-Kate 2nd', 'marykate2nd'],
    ['李小龍', ''], // no Latin form: callers treat '' as unusable
  ])('%s -> %j', (input, key) => {
    expect(nameKey(input)).toBe(key);
  });

  it('makes the typed and the stored spelling meet', () => {
    expect(nameKey('Zoe') + nameKey('Oneil')).toBe(nameKey('Zoë') + nameKey('O’Neil'));
  });
});

describe('splitFullName', () => {
  it.each([
    ['Zoë O’Neil', { first: 'Zoë', last: 'O’Neil' }],
    ['  Jane   van der Berg ', { first: 'Jane', last: 'van der Berg' }],
    ['Jane\u00a0Doe', { first: 'Jane', last: 'Doe' }],
    ['Jane - Doe', { first: 'Jane', last: 'Doe' }],
    ['李 小龍', { first: '李', last: '小龍' }],
  ])('%j -> %j', (full, parts) => {
    expect(splitFullName(full)).toEqual(parts);
  });

  it.each(['Jane', '  ', '', 'Jane .'])('%j -> null (fewer than two words)', (full) => {
    expect(splitFullName(full)).toBeNull();
  });
});
