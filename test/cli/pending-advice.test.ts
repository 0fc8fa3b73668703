// "Tell the person: the email is on its way" is true only once `cx sync push` has sent it (issue 21,
// part 1). Until then every change's advice says that it goes out with the next push, and how to push;
// the words for the person follow, to be said once it is sent. In-process runs on the demo mirror; the
// push that delivers goes to the platform stand-in on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoMirror } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { push, standIn } from '../helpers/sync.js';
import type { StandIn } from '../support/platform-stand-in.js';

const T = ['--ticket', 'T-P', '--yes'];
const PUSH = '\n  cx sync push\n';

let platform: StandIn;
beforeAll(async () => {
  platform = await standIn();
});
afterAll(async () => {
  await platform.close();
});

describe('a change waits for the next push: the advice says so', () => {
  it('a reset: push first, then tell them it is on its way; once delivered, a repeat says it is on its way', async () => {
    const db = demoMirror();
    const done = await cxIn(['reset', 'aaliyah.johnson@gmail.com', ...T], { db });
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/^Next: The email goes out with the next push to the platform \(until then it is pending\); send it now:$/m);
    expect(done.stdout).toContain(PUSH);
    expect(done.stdout).toMatch(/^Tell the person, once it is sent: a password reset email is on its way to aaliyah\.johnson@gmail\.com\./m);
    expect(done.stdout).not.toMatch(/^Tell the person: .*on its way/m);

    const pending = await cxIn(['reset', 'aaliyah.johnson@gmail.com', ...T], { db });
    expect(pending.stdout).toMatch(/^already done: /m);
    expect(pending.stdout).toMatch(/^Next: It has not gone out yet: it goes with the next push to the platform; send it now:$/m);
    expect(pending.stdout).toContain(PUSH);

    expect((await push(db, platform)).code).toBe(0);
    const delivered = await cxIn(['reset', 'aaliyah.johnson@gmail.com', ...T], { db });
    expect(delivered.stdout).toMatch(/^Tell the person: the email queued today .* is on its way to aaliyah\.johnson@gmail\.com/m);
    expect(delivered.stdout).not.toContain(PUSH);
    const json = await cxIn(['reset', 'aaliyah.johnson@gmail.com', ...T, '--json'], { db });
    expect(json.json()).toMatchObject({ outcome: 'already_done', email_status: 'delivered' });
  });

  it('a resubscribe, a deactivation and its next-steps email, an offboarding', async () => {
    const db = demoMirror();
    const lifted = await cxIn(['resubscribe', 'priya.raman@hotmail.com', ...T], { db });
    expect(lifted.stdout).toMatch(/^Next: The change reaches the platform with the next push; send it now:$/m);
    expect(lifted.stdout).toMatch(/^Tell the person, once it is sent: priya\.raman@hotmail\.com will get Headway email again/m);
    expect(lifted.stdout).toContain(PUSH);

    const closed = await cxIn(['deactivate', 'hannah.schafer@gmail.com', ...T], { db });
    expect(closed.stdout).toMatch(/^Next: The deactivation reaches the platform with the next push \(until then they can still sign in there\); send it now:$/m);
    expect(closed.stdout).toMatch(/^Tell the person, once it is sent: their account is closed/m);
    expect(closed.stdout).toMatch(/^A "next steps" email goes to hannah\.schafer@gmail\.com with the same push\.$/m);
    expect(closed.stdout).not.toMatch(/is on its way/);

    const ended = await cxIn(['offboard', 'm.okafor@brightpathcounseling.com', ...T], { db });
    // Down a pipe the caseload table is stdout's alone: the advice is on stderr.
    expect(ended.stderr).toMatch(/^Next: The termination reaches the platform with the next push; send it now:$/m);
    expect(ended.stderr).toMatch(/^Tell the provider, once it is sent: the contract is terminated/m);
  });

  it('a batch that made changes ends by saying they wait for the push', async () => {
    const db = demoMirror();
    const r = await cxIn(['batch', '-', '--yes'], { db, input: 'ticket_id,type,email\nP1,password_reset,aaliyah.johnson@gmail.com\nP2,lookup,jane.doe@gmail.com\n' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^Next: 1 change of this batch waits for the next push to the platform: send it before you reply on the tickets:$/m);
    expect(r.stderr).toContain(PUSH);
    // Changes already waiting in the mirror: the batch says its own count, then the mirror's.
    const again = await cxIn(['batch', '-', '--yes'], { db, input: 'ticket_id,type,email\nP4,password_reset,m.okafor@brightpathcounseling.com\nP5,deactivate_client,hannah.schafer@gmail.com\n' });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/^Next: 3 changes of this batch wait for the next push to the platform \(4 in all\): send them before you reply on the tickets:$/m);
    const lookups = await cxIn(['batch', '-', '--yes'], { db: demoMirror(), input: 'ticket_id,type,email\nP3,lookup,jane.doe@gmail.com\n' });
    expect(lookups.stderr).not.toContain('cx sync push');
  });
});
