// The shared resolver, on a real SQLite file: the order of trust, and whose family is whose.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountForChange } from '../../src/actions/common.js';
import { familyOf, findByAddress, withFound } from '../../src/actions/find-account.js';
import { lookupName } from '../../src/actions/lookup.js';
import { nameKeyPairs } from '../../src/actions/lookup-name.js';
import { nearbyAddresses, suggestAddresses } from '../../src/actions/lookup-suggest.js';
import { openMirror, type Db } from '../../src/store/db.js';
import { demoMirror } from '../helpers/cx.js';
import { TEST_KEYS } from '../helpers/sqlite.js';

let db: Db;
beforeAll(() => {
  db = openMirror(demoMirror(), { keys: TEST_KEYS });
  // Extra accounts for the edge cases the demo world does not have.
  const insert = db.prepare(
    `INSERT INTO accounts (id, email, email_key, mailbox_key, base_key, email_rev, role, status, created_at)
     VALUES (@id, @email, @email, @mailbox, @base, @rev, 'client', 'active', '2026-01-01T00:00:00Z')`,
  );
  const add = (id: string, email: string, mailbox: string, base: string) =>
    insert.run({ id, email, mailbox, base, rev: [...email].reverse().join('') });
  // A mailbox with two +alias accounts and no account at its base address.
  add('x1', 'kids.only+ann@gmail.com', 'kidsonly+ann@gmail.com', 'kidsonly@gmail.com');
  add('x2', 'kids.only+bob@gmail.com', 'kidsonly+bob@gmail.com', 'kidsonly@gmail.com');
  // An account whose former address is on a plus-addressing domain with its own family.
  add('x3', 'new.home@outlook.com', 'new.home@outlook.com', 'new.home@outlook.com');
  add('x4', 'new.home+kid@outlook.com', 'new.home+kid@outlook.com', 'new.home@outlook.com');
  add('x5', 'old.home+kid@outlook.com', 'old.home+kid@outlook.com', 'old.home@outlook.com');
  db.prepare(`INSERT INTO former_emails (account_id, email, email_key, changed_at) VALUES ('x3', 'old.home@outlook.com', 'old.home@outlook.com', '2025-01-01T00:00:00Z')`).run();
});
afterAll(() => db?.close());

const ids = (list: Array<{ id: string }>) => list.map((a) => a.id).sort();

describe('findByAddress', () => {
  it('stops at the first step that finds something', () => {
    const exact = findByAddress(db, 'jane.doe@gmail.com');
    expect(exact).toMatchObject({ kind: 'found', matchedBy: 'email' });
    if (exact.kind === 'found') expect(ids(exact.accounts)).toEqual(['1001']);
  });

  it('a former address wins over the same mailbox', () => {
    const r = findByAddress(db, 'old.home@outlook.com');
    expect(r).toMatchObject({ kind: 'found', matchedBy: 'former_email' });
    if (r.kind === 'found') expect(ids(r.accounts)).toEqual(['x3']);
  });

  it('an untagged address finds every +alias account of a mailbox with no account at its base', () => {
    const r = findByAddress(db, 'kidsonly@gmail.com');
    expect(r).toMatchObject({ kind: 'found', matchedBy: 'mailbox' });
    if (r.kind === 'found') expect(ids(r.accounts)).toEqual(['x1', 'x2']);
    // ...which a change refuses as ambiguous rather than guess.
    const change = accountForChange(db, 'kidsonly@gmail.com');
    expect('refusal' in change && change.refusal.outcome).toBe('refused');
  });

  it('a +tag that no account uses does not match a sibling tag', () => {
    expect(findByAddress(db, 'kids.only+cat@gmail.com').kind).toBe('not_found');
  });

  it('invalid and not found keep the query and say why', () => {
    expect(findByAddress(db, ' a@@b ')).toMatchObject({ kind: 'invalid', query: ' a@@b ', reason: expect.any(String) });
    expect(findByAddress(db, 'Nobody@Example.com ')).toEqual({ kind: 'not_found', query: 'Nobody@Example.com ', address: 'nobody@example.com' });
  });
});

describe('familyOf', () => {
  it("is read at the match's own address, not at the former address that found it", () => {
    const r = findByAddress(db, 'old.home@outlook.com');
    if (r.kind !== 'found') throw new Error('expected a match');
    expect(ids(familyOf(db, r.address, r.accounts))).toEqual(['x4']); // not x5, the old mailbox's alias
  });

  it('never lists a match as family; with no match, the typed mailbox', () => {
    const r = findByAddress(db, 'jane.doe@gmail.com');
    if (r.kind !== 'found') throw new Error('expected a match');
    expect(ids(familyOf(db, r.address, r.accounts))).toEqual(['1002', '1003']);
    expect(ids(familyOf(db, 'kids.only+cat@gmail.com', []))).toEqual(['x1', 'x2']);
  });
});

describe('name keys and suggestions', () => {
  it('tries every split of the words, both ways round', () => {
    expect(nameKeyPairs('Zoë O’Neil')).toEqual([
      { first: 'zoe', last: 'oneil' },
      { first: 'oneil', last: 'zoe' },
    ]);
    expect(nameKeyPairs('Anna van der Berg')).toContainEqual({ first: 'anna', last: 'vanderberg' });
    expect(nameKeyPairs('van der Berg Anna')).toContainEqual({ first: 'anna', last: 'vanderberg' });
    expect(nameKeyPairs('Madonna')).toEqual([]);
    expect(nameKeyPairs('- -')).toEqual([]);
  });

  it('a very common name lists NAME_MATCH_LIMIT accounts and says there are more', () => {
    const insert = db.prepare(
      `INSERT INTO accounts (id, email, email_key, mailbox_key, base_key, email_rev, role, first_name, last_name, first_key, last_key, dob, status, created_at)
       VALUES (@id, @email, @email, @email, @email, @email, 'client', 'John', 'Smith', 'john', 'smith', @dob, 'active', '2026-01-01T00:00:00Z')`,
    );
    for (let i = 0; i < 30; i++) insert.run({ id: `js${i}`, email: `john.smith${i}@example.com`, dob: i === 7 ? '1990-01-01' : '1980-01-01' });
    const deps = { db, now: new Date('2026-11-27T12:00:00Z') };
    const all = lookupName(deps, 'John Smith', null);
    if (all.kind !== 'report') throw new Error('expected a report');
    expect(all.report.matches).toHaveLength(20);
    expect(all.report.truncated).toBe(true);
    const one = lookupName(deps, 'smith john', '1990-01-01');
    if (one.kind !== 'report') throw new Error('expected a report');
    expect(one.report.matches.map((m) => m.id)).toEqual(['js7']);
    expect(one.report.truncated).toBe(false);
  });

  it('finds neighbours through either half of the local part, within two edits', () => {
    expect([...nearbyAddresses(db, 'priya.ramen@hotmail.com')]).toEqual([['priya.raman@hotmail.com', 1]]);
    expect([...nearbyAddresses(db, 'pryia.raman@hotmail.com')]).toEqual([['priya.raman@hotmail.com', 2]]);
    // The documented limit of reading two index ranges: one edit in each half is not found.
    expect(nearbyAddresses(db, 'xriya.ramen@hotmail.com').size).toBe(0);
    expect(nearbyAddresses(db, 'priya.raman@hotmail.co').size).toBe(0); // another domain is the typo rule's job
  });

  it('puts the domain fix first and never suggests the typed address itself', () => {
    expect(suggestAddresses(db, 'jane.doe@gmial.com')[0]).toBe('jane.doe@gmail.com');
    expect(suggestAddresses(db, 'jane.doe@gmail.com')).not.toContain('jane.doe@gmail.com');
  });
});

describe('withFound (a batch hands the key search to the action)', () => {
  it('the first search of the same address gets the answer found before; only once, only that address, only until a write', () => {
    const handed = findByAddress(db, 'jane.doe@gmail.com');
    withFound(db, handed, () => {
      expect(findByAddress(db, 'jane.doe@gmail.com')).toBe(handed);
      const again = findByAddress(db, 'jane.doe@gmail.com'); // taken once: searched afresh
      expect(again).not.toBe(handed);
      expect(again).toEqual(handed);
    });
    withFound(db, handed, () => {
      expect(findByAddress(db, 'JANE.DOE@gmail.com')).not.toBe(handed); // another text: searched
      expect(findByAddress(db, 'jane.doe@gmail.com')).not.toBe(handed); // and the answer was dropped
    });
    withFound(db, handed, () => {
      db.prepare("UPDATE accounts SET status = status WHERE id = 'x1'").run(); // any write on the connection
      expect(findByAddress(db, 'jane.doe@gmail.com')).not.toBe(handed);
    });
    withFound(db, handed, () => undefined);
    expect(findByAddress(db, 'jane.doe@gmail.com')).not.toBe(handed); // forgotten when the work returned
  });
});
