// checkAddress takes a shortcut for plain ASCII addresses (an import checks millions); the shortcut must
// give exactly the answers of the full check, on hostile shapes and at every length limit.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAddress, checkAddressFully } from '../../src/rules/email-syntax.js';
import { DEMO, REPO } from '../helpers/cx.js';

const PIECES = ['a', 'Z', '0', '9', '.', '..', '-', '_', '+', '@', '"', '(', ')', ' ', '<', '>', ':', 'mailto:', 'xn--', '\t', '\n',
  'é', 'ß', '\u200b', '[1.2.3.4]', '!#$%&\'*/=?^`{|}~', 'example', 'com', '123', 'x'.repeat(61), 'y'.repeat(62), 'z'.repeat(63)];

function* shapes(): Generator<string> {
  let seed = 42;
  const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 30_000; i++) {
    const n = 1 + Math.floor(next() * 8);
    let s = '';
    for (let k = 0; k < n; k++) s += PIECES[Math.floor(next() * PIECES.length)];
    yield s;
    // The same with an address shape around it.
    yield `${s}@example.com`;
    yield `jane.${s}@${s}.org`;
  }
  for (const local of [63, 64, 65]) yield `${'l'.repeat(local)}@example.com`;
  for (const label of [62, 63, 64]) yield `a@${'d'.repeat(label)}.com`;
  for (const total of [253, 254, 255, 256]) yield `${'l'.repeat(60)}@${'d.'.repeat(Math.floor((total - 65) / 2))}${'c'.repeat(4 + ((total - 65) % 2))}`;
  yield* ['a@b', 'a@b.c0m', 'a@b.123', 'a@-b.com', 'a@b-.com', '.a@b.com', 'a.@b.com', 'A@B.COM', ' a@b.com', 'a@b.com '];
}

describe('checkAddress on plain addresses', () => {
  it('answers exactly as the full check, shortcut or not', () => {
    let shortcut = 0;
    for (const s of shapes()) {
      const full = checkAddressFully(s);
      expect(checkAddress(s), JSON.stringify(s)).toEqual(full);
      if (full.ok && /^[\x21-\x7e]+$/.test(s)) shortcut += 1;
    }
    expect(shortcut).toBeGreaterThan(1000);
  });

  it('on the demo world and the address corpora', () => {
    const addresses = readFileSync(join(DEMO, 'accounts.csv'), 'utf8').split('\n').slice(1).map((l) => l.split(',')[1] ?? '');
    const corpora = process.env.CX_CORPORA ?? resolve(REPO, '../shared/corpora');
    const xml = join(corpora, 'isemail-sayers', 'tests.xml');
    if (existsSync(xml)) {
      for (const m of readFileSync(xml, 'utf8').matchAll(/<address>([^<]*)<\/address>/g)) addresses.push(m[1]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>'));
    }
    for (const s of addresses) expect(checkAddress(s), JSON.stringify(s)).toEqual(checkAddressFully(s));
  });
});
