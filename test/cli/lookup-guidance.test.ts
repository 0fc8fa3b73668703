// What a lookup tells the agent to say and do, for every path that finds an account (issue 21, part 1):
// the address they gave, a former address, the same Gmail mailbox written another way, a +tag dropped or
// added, a name, a typo's suggestions, an unverified account. The rule behind the words: the reply never
// names an address the person did not give until they have shown who they are (name and date of birth, as
// the seed identifies the person in care); the agent is shown the address and the check. In-process runs
// on the demo mirror (fixtures/demo/README.md says who is who).
import { beforeAll, describe, expect, it } from 'vitest';
import { demoMirror } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';

let db: string;
beforeAll(() => {
  db = demoMirror();
});

const CONFIRM = 'confirm who they are before you tell them which address';
// The ticket the lookup was given goes with every command it suggests (the read is audited under it).
const CHECK_NAME_AND_DOB = "cx lookup --name '<their full name>' --dob <YYYY-MM-DD> --ticket T-21";

/** The card's advice: the lines from the first "Tell"/"Next" on; `tell` the text of its Tell lines. */
async function advised(address: string, ticket = 'T-21') {
  const r = await cxIn(['lookup', address, '--ticket', ticket], { db });
  expect(r.code, r.stderr).toBe(0);
  const lines = r.stdout.split('\n');
  const from = lines.findIndex((l) => /^(Tell|Next)\b/.test(l));
  expect(from, r.stdout).toBeGreaterThan(0);
  const advice = lines.slice(from).join('\n');
  const tell = lines.filter((l) => l.startsWith('Tell ')).join('\n');
  const commands = lines.slice(from).filter((l) => l.startsWith('  cx ')).map((l) => l.trim());
  return { advice, tell, commands };
}

describe('cx lookup: what to tell the person on every path', () => {
  it('the address they gave: they sign in with it; a reset if they cannot, as a complete command', async () => {
    const { tell, commands } = await advised('JANE.DOE@GMAIL.COM');
    expect(tell).toMatch(/^Tell the person: they sign in with jane\.doe@gmail\.com, the address they gave\./m);
    // No terminal here: the command carries --yes, or it would stop at its confirmation.
    expect(commands).toEqual(['cx reset jane.doe@gmail.com --ticket T-21 --yes']);
  });

  it('a former address: the agent sees the current one and the check; the reply does not name it', async () => {
    const { advice, tell, commands } = await advised('ben.hartley@brightlane-logistics.com');
    expect(advice).toContain(`They sign in with benjamin.hartley@gmail.com now (ben.hartley@brightlane-logistics.com is a former address of the account) — ${CONFIRM}`);
    expect(commands[0]).toBe(CHECK_NAME_AND_DOB);
    expect(tell).toMatch(/^Tell the person: their account now uses a newer address/m);
    expect(tell).not.toContain('benjamin.hartley@gmail.com');
    expect(commands).toContain('cx reset benjamin.hartley@gmail.com --ticket T-21 --yes');
  });

  it('the same Gmail mailbox written with dots: the exact address, after the check', async () => {
    const { advice, tell, commands } = await advised('j.a.n.e.d.o.e@gmail.com');
    expect(advice).toContain(`They sign in with jane.doe@gmail.com: the same mailbox as j.a.n.e.d.o.e@gmail.com, written another way (Gmail ignores dots, and googlemail.com is gmail.com) — ${CONFIRM}`);
    expect(commands[0]).toBe(CHECK_NAME_AND_DOB);
    expect(tell).toMatch(/same Gmail mailbox written another way/);
    expect(tell).not.toContain('jane.doe@gmail.com');
  });

  it('an address whose +tag was dropped: maybe a family member with no account; ask who it is for', async () => {
    const { advice, tell, commands } = await advised('jane.doe+max@gmail.com');
    expect(advice).toContain("No account uses jane.doe+max@gmail.com; the mailbox's own account is jane.doe@gmail.com (Jane Doe)");
    expect(advice).toMatch(/ask who the account is for/);
    expect(commands).toEqual(expect.arrayContaining([CHECK_NAME_AND_DOB, "cx family jane.doe@gmail.com --suggest '<their name>' --ticket T-21"]));
    expect(tell).toMatch(/no account uses jane\.doe\+max@gmail\.com itself/);
    expect(tell).not.toContain('jane.doe@gmail.com');
  });

  it('an address whose account has a +tag (marcus): the exact address, which a change needs', async () => {
    const { advice, tell, commands } = await advised('marcus.reyes@outlook.com');
    expect(advice).toContain('The account at this mailbox is marcus.reyes+headway@outlook.com (Marcus Reyes, a +headway address)');
    expect(advice).toContain('a change needs that exact address');
    expect(commands).toEqual(expect.arrayContaining([CHECK_NAME_AND_DOB, 'cx reset marcus.reyes+headway@outlook.com --ticket T-21 --yes']));
    expect(tell).toMatch(/a \+alias form of marcus\.reyes@outlook\.com/);
    expect(tell).not.toContain('+headway');
  });

  it('an unverified account: the command that sends the verification email', async () => {
    const { advice, tell, commands } = await advised('noah.kim@icloud.com');
    expect(tell).toMatch(/not verified yet, so they cannot sign in until they verify it/);
    expect(advice).toMatch(/^Next: Send the verification email/m);
    expect(commands).toEqual(['cx reset noah.kim@icloud.com --ticket T-21 --yes']);
  });

  it('a closed account and a suppressed one say what they said before', async () => {
    expect((await advised('olivia.marsh@gmail.com')).tell).toMatch(/their account was closed and cannot sign in\. cx cannot reopen it/);
    const unsubscribed = await advised('priya.raman@hotmail.com');
    expect(unsubscribed.tell).toMatch(/they unsubscribed from Headway email on 2026-09-14/);
    expect(unsubscribed.commands).toEqual(['cx reset priya.raman@hotmail.com --resubscribe --ticket T-21 --yes']);
  });

  it('by name alone: ask for the date of birth first; with it, the address they sign in with', async () => {
    const r = await cxIn(['lookup', '--name', 'Zoe Oneil', '--ticket', 'T-21'], { db });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Found by name alone: ${CONFIRM}`);
    expect(r.stdout).toContain("\n  cx lookup --name 'Zoe Oneil' --dob <YYYY-MM-DD> --ticket T-21\n");
    expect(r.stdout).not.toMatch(/^Tell the person: .*zoe\.oneil@fastmail\.com/m);
    const dob = await cxIn(['lookup', '--name', 'Zoe Oneil', '--dob', '1988-10-19', '--ticket', 'T-21'], { db });
    expect(dob.stdout).toMatch(/^Tell the person: they sign in with zoe\.oneil@fastmail\.com \(the name and date of birth they gave match the account\)\./m);
    // Two people of that name: the same search narrowed by the date of birth, as a command (a table down a pipe: stderr).
    const two = await cxIn(['lookup', '--name', 'maria garcia'], { db });
    expect(two.stderr).toContain("\n  cx lookup --name 'maria garcia' --dob <YYYY-MM-DD>\n");
  });

  it('a typo: the reply asks for the address, and the suggestions are for the agent to check, not to read out', async () => {
    const r = await cxIn(['lookup', 'jane.doe@gmial.com'], { db });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^Tell the person: no account uses jane\.doe@gmial\.com\. Check the spelling with them/m);
    expect(r.stderr).toMatch(/^Next: Did you mean one of these\? Ask them which address they signed up with rather than reading these out/m);
    expect(r.stderr).toContain('\n  cx lookup jane.doe@gmail.com   # account 1001 uses this address\n');
  });

  it('--json: the outcome object (done, or not_found with exit 3) with every key it had', async () => {
    const found = await cxIn(['lookup', 'jane.doe@gmail.com', '--json'], { db });
    expect(found.json()).toMatchObject({ outcome: 'done', account_id: '1001', detail: expect.stringContaining('1 account'), query: 'jane.doe@gmail.com' });
    expect(Object.keys(found.json())).toEqual(expect.arrayContaining(['query', 'matches', 'family', 'suggestions']));
    const two = await cxIn(['lookup', '--name', 'maria garcia', '--json'], { db });
    expect(two.json()).toMatchObject({ outcome: 'done', account_id: null, detail: expect.stringContaining('2 accounts') });
    const none = await cxIn(['lookup', 'jane.doe@gmial.com', '--json'], { db });
    expect(none.code).toBe(3);
    expect(none.json()).toMatchObject({ outcome: 'not_found', account_id: null, suggestions: ['jane.doe@gmail.com'] });
  });
});

describe('cx lookup after a reset was queued: it has not gone out until a push sends it', () => {
  it('a pending reset: push it, tell them once it is sent; no second reset is offered', async () => {
    const mirror = demoMirror();
    const reset = await cxIn(['reset', 'jane.doe@gmail.com', '--ticket', 'T-20', '--yes'], { db: mirror });
    expect(reset.code, reset.stderr).toBe(0);
    const r = await cxIn(['lookup', 'jane.doe@gmail.com', '--ticket', 'T-21'], { db: mirror });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}email queued +password reset \(T-20\), today \d\d:\d\d, just now: not sent yet$/m);
    expect(r.stdout).toMatch(/^Next: The client password-reset email queued under ticket T-20 has not gone out yet: it goes with the next push to the platform; send it now:\n {2}cx sync push$/m);
    expect(r.stdout).toMatch(/^Tell the person, once it is sent: a password reset email is on its way to jane\.doe@gmail\.com\./m);
    expect(r.stdout).not.toContain('cx reset');
    const json = await cxIn(['lookup', 'jane.doe@gmail.com', '--json'], { db: mirror });
    expect(json.json().matches[0].pending_email).toEqual({
      outbox_id: expect.any(Number), template: 'client_password_reset', subject: 'Reset your Headway password', to: 'jane.doe@gmail.com',
      ticket: 'T-20', queued_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('a pending verification email of an unverified account: the same, with the verification words', async () => {
    const mirror = demoMirror();
    const unverified = 'noah.kim@icloud.com';
    expect((await cxIn(['reset', unverified, '--ticket', 'T-20', '--yes'], { db: mirror })).code).toBe(0);
    const r = await cxIn(['lookup', unverified], { db: mirror });
    expect(r.stdout).toMatch(/^Next: The verification email queued under ticket T-20 has not gone out yet/m);
    expect(r.stdout).toMatch(/^Tell the person, once it is sent: their address noah\.kim@icloud\.com is not verified yet/m);
    expect(r.stdout).not.toContain('cx reset');
  });

  it('no pending email: pending_email is null and the reset is offered', async () => {
    const r = await cxIn(['lookup', 'jane.doe@gmail.com', '--json'], { db });
    expect(r.json().matches[0].pending_email).toBeNull();
  });
});

describe('cx lookup and cx reset agree on marcus.reyes@outlook.com', () => {
  it('the reset leads with the address it would use, and names the command with it', async () => {
    const mirror = demoMirror();
    const r = await cxIn(['reset', 'marcus.reyes@outlook.com', '--ticket', 'T-21', '--yes'], { db: mirror });
    // The family-safety rule holds (src/actions/common.ts changeAccountOf): nothing is changed through a
    // +alias the account does not use; the message starts with the account lookup found.
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^cx: marcus\.reyes\+headway@outlook\.com \(account 1007\) is the account at this mailbox/);
    expect(r.stderr).toContain('\n  cx reset marcus.reyes+headway@outlook.com --ticket T-21 --yes\n');
    const json = await cxIn(['reset', 'marcus.reyes@outlook.com', '--ticket', 'T-21', '--yes', '--json'], { db: mirror });
    expect(json.json()).toMatchObject({ outcome: 'not_found', try_address: 'marcus.reyes+headway@outlook.com' });
    const exact = await cxIn(['reset', 'marcus.reyes+headway@outlook.com', '--ticket', 'T-21', '--yes'], { db: mirror });
    expect(exact.code, exact.stderr).toBe(0);
  });
});

describe('cx family --suggest: what to tell the family', () => {
  it('a free +alias address: the member signs up with it, under their own name and date of birth', async () => {
    const r = await cxIn(['family', 'jane.doe@gmail.com', '--suggest', 'Max Doe'], { db });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^Tell the person: Max Doe can sign up with jane\.doe\+maxdoe@gmail\.com: mail to it arrives in the same mailbox as jane\.doe@gmail\.com\. The account must carry Max Doe's own name and date of birth, even for a child\./m);
    expect(r.stderr).toMatch(/^Next: Nothing to create in cx: they sign up on the platform with that address\./m);
  });

  it('a provider without +alias addresses: an address of their own', async () => {
    const r = await cxIn(['family', 'rosa.delgado@yahoo.com', '--suggest', 'Mia'], { db });
    expect(r.stderr).toMatch(/^Tell the person: family \+alias addresses do not work at yahoo\.com: Mia needs an email address of their own to sign up/m);
  });
});
