import { describe, it, expect } from 'vitest';
import { comparePlainNames, nameKey, nameOrder, splitFullName } from '../../src/rules/names.js';
import { testRandom } from '../helpers/seed.js';

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

describe('the order of names in a listing', () => {
  const english = (a: string, b: string) => Math.sign(a.localeCompare(b, 'en'));

  it("plain names (letters, spaces, hyphens, apostrophes) are ordered as the collator orders them", () => {
    const { random } = testRandom();
    const alphabet = "aAbBmMyYzZ '-";
    const name = () => Array.from({ length: Math.floor(random() * 7) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    const differ: string[] = [];
    for (let i = 0; i < 50_000; i++) {
      const [a, b] = [name(), name()];
      if (comparePlainNames(a, b) !== english(a, b)) differ.push(`${JSON.stringify(a)} ${JSON.stringify(b)}`);
    }
    expect(differ.slice(0, 5)).toEqual([]);
  });

  it('a list with one name that is not plain is ordered by the collator whole', () => {
    const names = ['Zoë Adams', 'Zoe Baker', 'zoe adams', "O'Neil", 'Oneil', 'O Neil', 'Ólafur Arnalds'];
    expect([...names].sort(nameOrder(names))).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    const plain = names.filter((n) => /^[A-Za-z '-]*$/.test(n));
    expect([...plain].sort(nameOrder(plain))).toEqual(['O Neil', "O'Neil", 'Oneil', 'zoe adams', 'Zoe Baker']);
  });
});
