// Family hygiene (src/rules/family-hygiene.ts): in one mailbox, the clients that repeat the holder's name,
// date of birth or both; the holder is the client at the mailbox's own address, else the oldest client.
import { describe, expect, it } from 'vitest';
import { accountHolder, familyFlags, type MailboxMember } from '../../src/rules/family-hygiene.js';

let n = 0;
function member(email: string, name: string, dob: string | null, over: Partial<MailboxMember> = {}): MailboxMember {
  const [first_name = '', last_name = ''] = name.split(' ');
  n += 1;
  return { id: String(n), email, email_key: email.toLowerCase(), role: 'client', first_name, last_name, dob, created_at: `2024-01-${String(n).padStart(2, '0')}T00:00:00Z`, ...over };
}

const issues = (members: MailboxMember[]) => familyFlags(members).map((f) => [f.account.email, f.issue, f.holder.email]);

describe('accountHolder', () => {
  it("the client at the mailbox's own address, even when a +alias account is older", () => {
    const sam = member('jane.doe+sam@gmail.com', 'Sam Doe', '2012-03-09', { created_at: '2020-01-01T00:00:00Z' });
    const jane = member('jane.doe@gmail.com', 'Jane Doe', '1984-06-12');
    expect(accountHolder([sam, jane])).toBe(jane);
  });

  it('without one, the oldest client; a provider is never the holder', () => {
    const provider = member('dr.doe+work@gmail.com', 'Jane Doe', null, { role: 'provider', created_at: '2019-01-01T00:00:00Z' });
    const lily = member('jane.doe+lily@gmail.com', 'Lily Doe', '2007-05-21', { created_at: '2023-01-16T18:10:00Z' });
    const sam = member('jane.doe+sam@gmail.com', 'Sam Doe', '2012-03-09', { created_at: '2023-01-16T18:05:00Z' });
    expect(accountHolder([provider, lily, sam])).toBe(sam);
    expect(accountHolder([provider])).toBeUndefined();
  });
});

describe('familyFlags', () => {
  const jane = () => member('jane.doe@gmail.com', 'Jane Doe', '1984-06-12');

  it('a family with its own names and dates: nothing to ask', () => {
    expect(issues([jane(), member('jane.doe+sam@gmail.com', 'Sam Doe', '2012-03-09'), member('jane.doe+lily@gmail.com', 'Lily Doe', '2007-05-21')])).toEqual([]);
  });

  it("a child's account under the holder's name and date of birth, the name alone, the date alone", () => {
    expect(issues([jane(), member('jane.doe+sam@gmail.com', 'Jane Doe', '1984-06-12')])).toEqual([['jane.doe+sam@gmail.com', 'holder_name_and_dob', 'jane.doe@gmail.com']]);
    expect(issues([jane(), member('jane.doe+sam@gmail.com', 'Jane Doe', '2012-03-09')])).toEqual([['jane.doe+sam@gmail.com', 'holder_name', 'jane.doe@gmail.com']]);
    expect(issues([jane(), member('jane.doe+sam@gmail.com', 'Sam Doe', '1984-06-12')])).toEqual([['jane.doe+sam@gmail.com', 'holder_dob', 'jane.doe@gmail.com']]);
  });

  it('names compare as lookup folds them: case, accents, punctuation', () => {
    const zoe = member('zoe.oneil@gmail.com', 'Zoë O’Neil', '1988-10-19');
    expect(issues([zoe, member('zoe.oneil+kid@gmail.com', 'ZOE ONeil', '2015-02-02')]).map((f) => f[1])).toEqual(['holder_name']);
  });

  it('a missing date of birth matches nothing; a name without Latin letters matches nothing', () => {
    expect(issues([member('a@gmail.com', 'Ann Bee', null), member('a+b@gmail.com', 'Bo Bee', null)])).toEqual([]);
    expect(issues([member('c@gmail.com', '王 芳', '1980-01-01'), member('c+d@gmail.com', '王 芳', '2010-01-01')])).toEqual([]);
  });

  it('a provider in the mailbox is not in care: never flagged', () => {
    expect(issues([jane(), member('jane.doe+work@gmail.com', 'Jane Doe', null, { role: 'provider' })])).toEqual([]);
  });

  it('the mailbox stored under two spellings: the older one holds it, the other repeats it', () => {
    const first = member('jane.doe@gmail.com', 'Jane Doe', '1984-06-12');
    const second = member('janedoe@gmail.com', 'Jane Doe', '1984-06-12');
    expect(issues([second, first])).toEqual([['janedoe@gmail.com', 'holder_name_and_dob', 'jane.doe@gmail.com']]);
  });
});
