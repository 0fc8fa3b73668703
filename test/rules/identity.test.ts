// Who is asking (src/rules/identity.ts): an address shows an account is theirs when it is one of its own,
// or the same mailbox written another way; a +alias sibling is another person; a date of birth matches only
// one on record.
import { describe, expect, it } from 'vitest';
import { dobMatches, requesterRelation } from '../../src/rules/identity.js';

describe('requesterRelation', () => {
  const own = ['jane.doe@gmail.com', 'jane@oldjob.example'];

  it('the current or a former address, as typed or as the same mailbox written another way, is the account\'s own', () => {
    expect(requesterRelation(own, 'jane.doe@gmail.com')).toBe('own');
    expect(requesterRelation(own, 'jane@oldjob.example')).toBe('own');
    expect(requesterRelation(own, 'janedoe@gmail.com')).toBe('own'); // Gmail ignores dots
    expect(requesterRelation(own, 'j.a.n.e.d.o.e@googlemail.com')).toBe('own');
  });

  it('another +alias of the same mailbox is a family member, not the account holder', () => {
    expect(requesterRelation(own, 'jane.doe+sam@gmail.com')).toBe('family_alias');
    expect(requesterRelation(['jane.doe+sam@gmail.com'], 'jane.doe@gmail.com')).toBe('family_alias');
    expect(requesterRelation(['jane.doe+sam@gmail.com'], 'jane.doe+lily@gmail.com')).toBe('family_alias');
  });

  it('anything else is unrelated, including a look-alike on another domain and a Yahoo -keyword', () => {
    expect(requesterRelation(own, 'jane.doe@gmial.com')).toBe('unrelated');
    expect(requesterRelation(own, 'jane.doe@outlook.com')).toBe('unrelated');
    expect(requesterRelation(['rosa.delgado@yahoo.com'], 'rosa.delgado-mia@yahoo.com')).toBe('unrelated');
    expect(requesterRelation([], 'jane.doe@gmail.com')).toBe('unrelated');
  });
});

describe('dobMatches', () => {
  it('the same date matches; another, or none on record, does not', () => {
    expect(dobMatches('1984-06-12', '1984-06-12')).toBe(true);
    expect(dobMatches(' 1984-06-12', '1984-06-12 ')).toBe(true);
    expect(dobMatches('1984-06-12', '1984-12-06')).toBe(false);
    expect(dobMatches(null, '1984-06-12')).toBe(false);
    expect(dobMatches('', '')).toBe(false);
  });
});
