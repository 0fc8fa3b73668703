import { beforeAll, describe, expect, it } from 'vitest';
import { demoMirror, snapshot } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';

let db: string;
beforeAll(() => {
  db = demoMirror();
});

const family = async (...args: string[]) => await cxIn(['family', ...args], { db });
const familyJson = async (...args: string[]) => {
  const r = await cxIn(['family', '--json', ...args], { db });
  return { ...r, body: r.json() };
};

describe('cx family', () => {
  it('lists the accounts sharing the mailbox, in the JSON shape of the reference', async () => {
    const r = await familyJson('jane.doe@gmail.com');
    expect(r.code).toBe(0);
    expect(Object.keys(r.body)).toEqual(expect.arrayContaining(['mailbox', 'accounts', 'suggestion', 'plus_addressing']));
    expect(r.body.mailbox).toBe('janedoe@gmail.com');
    expect(r.body.accounts.map((a: any) => a.id)).toEqual(['1001', '1003', '1002']); // the mailbox's own address first
    for (const a of r.body.accounts) expect(Object.keys(a)).toEqual(expect.arrayContaining(['id', 'email']));
    expect(r.body.suggestion).toBeNull();
    expect(r.body.plus_addressing).toBe(true);
  });

  it('says its outcome as every command does: done with accounts, not_found (exit 3) without', async () => {
    expect((await familyJson('jane.doe@gmail.com')).body).toMatchObject({ outcome: 'done', detail: '3 accounts at the mailbox janedoe@gmail.com' });
    const none = await familyJson('nobody.here@gmail.com');
    expect(none.code).toBe(3);
    expect(none.body).toMatchObject({ outcome: 'not_found', detail: 'no account uses the mailbox nobodyhere@gmail.com', accounts: [] });
  });

  it("a child's +alias address, or the mailbox written another way, gives the same family", async () => {
    const ids = async (q: string) => (await familyJson(q)).body.accounts.map((a: any) => a.id).sort();
    expect(await ids('jane.doe+sam@gmail.com')).toEqual(['1001', '1002', '1003']);
    expect(await ids(' J.A.N.E.D.O.E@GoogleMail.com ')).toEqual(['1001', '1002', '1003']);
  });

  it('--suggest proposes name+tag on the parent address, lower-case ASCII without spaces', async () => {
    const r = await familyJson('jane.doe@gmail.com', '--suggest', 'Max');
    expect(r.body.suggestion).toBe('jane.doe+max@gmail.com');
    expect((await familyJson('jane.doe@gmail.com', '--suggest', 'Zoë O’Neil')).body.suggestion).toBe('jane.doe+zoeoneil@gmail.com');
    const human = await family('jane.doe@gmail.com', '--suggest', 'Max');
    // Piped: the accounts as tab-separated rows; the suggestion is a message on stderr.
    expect(human.stdout.split('\n')[0]).toBe('id\temail\tname');
    expect(human.stderr).toContain('Suggested address for Max: jane.doe+max@gmail.com');
    expect(human.stderr).not.toMatch(/already has an account/);
  });

  it('--suggest says so when that person already has an account at the mailbox', async () => {
    const r = await familyJson('jane.doe@gmail.com', '--suggest', 'Sam');
    expect(r.body.same_name).toEqual([{ id: '1002', email: 'jane.doe+sam@gmail.com', name: 'Sam Doe' }]);
    expect((await familyJson('jane.doe@gmail.com', '--suggest', 'sam doe')).body.same_name.map((a: any) => a.id)).toEqual(['1002']);
    const human = await family('jane.doe@gmail.com', '--suggest', 'Sam');
    expect(human.stderr).toMatch(/^Sam Doe already has an account at this mailbox: 1002 jane\.doe\+sam@gmail\.com\. Check with the person/m);
  });

  it('--suggest for a name that has an account: what to tell says to check that account first, never simply to sign up', async () => {
    const human = await family('jane.doe@gmail.com', '--suggest', 'Sam Doe');
    const told = human.stderr.split('\n').filter((l) => l.startsWith('Tell the person:'));
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/^Tell the person: there is already an account for Sam Doe at this mailbox \(Sam Doe, jane\.doe\+sam@gmail\.com\): ask whether it is theirs before signing up again\. Only if it is not, Sam Doe can sign up with jane\.doe\+samdoe@gmail\.com/);
    expect(human.stderr).not.toMatch(/^Tell the person: Sam Doe can sign up/m);
    // A name with no account at the mailbox: the sign-up, as before.
    expect((await family('jane.doe@gmail.com', '--suggest', 'Max')).stderr).toMatch(/^Tell the person: Max can sign up with jane\.doe\+max@gmail\.com/m);
  });

  it('a taken name gets a number, checked against the mailbox however it is written', async () => {
    expect((await familyJson('jane.doe@gmail.com', '--suggest', 'Sam')).body.suggestion).toBe('jane.doe+sam2@gmail.com');
    // janedoe+sam@gmail.com is the same Gmail mailbox as 1002's jane.doe+sam@gmail.com.
    expect((await familyJson('janedoe@gmail.com', '--suggest', 'sam')).body.suggestion).toBe('janedoe+sam2@gmail.com');
    expect((await familyJson('jane.doe+lily@gmail.com', '--suggest', 'Lily')).body.suggestion).toBe('jane.doe+lily2@gmail.com');
  });

  it('Hotmail, Outlook and iCloud are supported too', async () => {
    expect((await familyJson('priya.raman@hotmail.com', '--suggest', 'Ravi')).body.suggestion).toBe('priya.raman+ravi@hotmail.com');
    expect((await familyJson('noah.kim@icloud.com', '--suggest', 'Ji')).body.suggestion).toBe('noah.kim+ji@icloud.com');
  });

  it('any other domain: no suggestion, and the family member needs an address of their own', async () => {
    const r = await familyJson('rosa.delgado@yahoo.com', '--suggest', 'Mia');
    expect(r.code).toBe(0);
    expect(r.body).toMatchObject({ suggestion: null, plus_addressing: false });
    expect(r.body.accounts.map((a: any) => a.id)).toEqual(['1004']); // rosa.delgado-mia is not family
    const human = await family('rosa.delgado@yahoo.com', '--suggest', 'Mia');
    expect(human.stderr).toMatch(/needs an email address of their own/);
    // Fastmail delivers +tags, but the platform's guidance names only the four providers.
    expect((await familyJson('zoe.oneil@fastmail.com', '--suggest', 'Kid')).body).toMatchObject({ suggestion: null, plus_addressing: false });
  });

  it("a former address: the family and suggestion are at the account's current address", async () => {
    const r = await familyJson('ben.hartley@brightlane-logistics.com', '--suggest', 'Kid');
    expect(r.body.mailbox).toBe('benjaminhartley@gmail.com');
    expect(r.body.accounts.map((a: any) => a.id)).toEqual(['1015']);
    expect(r.body.suggestion).toBe('benjamin.hartley+kid@gmail.com');
  });

  it('exit 3 when no account uses the mailbox; exit 2 for a bad address or a name without letters', async () => {
    const none = await familyJson('nobody.here@gmail.com');
    expect(none.code).toBe(3);
    expect(none.body.accounts).toEqual([]);
    expect((await family('jane.doe@@gmail.com')).code).toBe(2);
    const name = await family('jane.doe@gmail.com', '--suggest', '!!!');
    expect(name.code).toBe(2);
    expect(name.stderr).toMatch(/--suggest/);
  });

  it('proposes only: writes nothing', async () => {
    const before = snapshot(db);
    await family('jane.doe@gmail.com', '--suggest', 'Max');
    expect(snapshot(db)).toEqual(before);
  });
});
