// What looks like a secret where a setting wants something else (src/rules/secret-shape.ts): never echoed.
import { describe, expect, it } from 'vitest';
import { looksLikeSecret, shownValue, withoutUserInfo } from '../../src/rules/secret-shape.js';

describe('secret shapes', () => {
  it.each([
    ['whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM=', true],
    ['  whsec_abc\n', true],
    ['/home/dana/whsec_abc', true],
    ['5f1c0a93e2d84b67a1c9f03e7d52b8c4e6a0d3f19b27c85e4d6f0a1b3c5e7d92', true],
    ['/home/dana/.config/cx/keys/0123456789abcdef0123456789abcdef.key', false],
    ['/srv/cx/platform.secret', false],
    ['zendesk', false],
    ['2026-11-27T12:00:00Z', false],
    ['15', false],
  ])('%j looks like a secret: %s', (value, secret) => {
    expect(looksLikeSecret(value)).toBe(secret);
  });

  it('an error quotes a value, unless it looks like a secret', () => {
    expect(shownValue('abc')).toBe('"abc"');
    expect(shownValue('whsec_abc')).toBe('(a value that looks like a secret: not shown)');
  });

  it("a URL's user name and password are masked; the rest stays", () => {
    expect(withoutUserInfo('https://dana:pw@platform.example.com/base/', '***')).toBe('https://***:***@platform.example.com/base/');
    expect(withoutUserInfo('https://token@platform.example.com', '***')).toBe('https://***@platform.example.com/');
    expect(withoutUserInfo('https://platform.example.com', '***')).toBe('https://platform.example.com');
    expect(withoutUserInfo('not a url', '***')).toBe('not a url');
  });
});
