// The accounts a row keeps (issue 20 §2): how a detail lists them, and how the ids a read row written before
// migration 4 lists in its detail are read back for `cx audit --email`.
import { describe, expect, it } from 'vitest';
import { accountListHolds, idList, idsListedInOldRead, MAX_LISTED_IDS, withAccountList, withoutAccountList } from '../../src/rules/audit-accounts.js';

describe('idList', () => {
  it('lists every id up to the limit, then counts the rest as people read counts', () => {
    expect(idList(['1001', '1003', '1002'])).toBe('1001, 1003, 1002');
    const ids = Array.from({ length: MAX_LISTED_IDS + 2000 }, (_, i) => `a${i}`);
    const listed = idList(ids);
    expect(listed.endsWith(`, a${MAX_LISTED_IDS - 1} and 2,000 more`)).toBe(true);
    expect(listed.split(', ')).toHaveLength(MAX_LISTED_IDS);
  });
});

describe('idsListedInOldRead', () => {
  it.each([
    ['by address: showed 3 accounts: 1001, 1003, 1002', ['1001', '1003', '1002']],
    ['the outbox: showed 12 accounts: 1001, 10011 and 10 more', ['1001', '10011']],
    ['the outbox: showed 12,000 accounts: 1001, 10011 and 2,000 more', ['1001', '10011']],
    ['by address: showed 1 account: 1002', []], // its account_id names it
    ['by address: showed no account', []],
  ])('%s', (detail, ids) => {
    expect(idsListedInOldRead(detail)).toEqual(ids);
  });
});

describe('the list mark a detail ends with', () => {
  it('holds for the ids it was made from, in that order, and for no other list', () => {
    const detail = withAccountList('the outbox: showed 3 accounts: 1001, 1003, 1002', ['1001', '1003', '1002']);
    expect(accountListHolds(detail, ['1001', '1003', '1002'])).toBe(true);
    expect(accountListHolds(detail, ['1001', '1002', '1003'])).toBe(false);
    expect(accountListHolds(detail, ['1001', '1003'])).toBe(false);
    expect(accountListHolds('a row with no list', [])).toBe(true);
    expect(accountListHolds('a row with no list', ['1001'])).toBe(false);
  });

  it('text that merely ends like a mark (typed by an agent) gets a word after it', () => {
    const typed = withoutAccountList(`a path [account ids: 1, sha256 ${'0'.repeat(64)}]`);
    expect(typed.endsWith('(not a list of account ids)')).toBe(true);
    expect(accountListHolds(typed, [])).toBe(true);
  });
});
