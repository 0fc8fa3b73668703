import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cx, cxAsync, demoMirror, query, snapshot } from '../helpers/cx.js';
import { auditChainHolds, cxIn } from '../helpers/in-process.js';
import { openDb } from '../helpers/sqlite.js';
import { inTerminal } from '../helpers/terminal.js';

const outbox = (db: string) => query(db, 'SELECT * FROM outbox ORDER BY id');
const audits = (db: string) => query(db, "SELECT * FROM audit_log WHERE action <> 'db.seed' AND outcome <> 'read' ORDER BY id");
const suppressed = (db: string, key: string) => query(db, 'SELECT * FROM suppressions WHERE email_key = ?', key).length > 0;

/** The platform received the queued emails (as a push records it), without one. */
function markDelivered(db: string): void {
  const conn = openDb(db);
  try {
    conn.prepare(`UPDATE changes SET state = 'delivered', delivered_at = created_at WHERE state = 'pending'`).run();
  } finally {
    conn.close();
  }
}

describe('cx reset: an email is queued', () => {
  it('a verified client gets the client reset email (human output says what to tell the person)', async () => {
    const db = demoMirror();
    const r = await cxIn(['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'T-1', '--yes'], { db });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^done: queued the client password-reset email to aaliyah\.johnson@gmail\.com\n/);
    expect(r.stdout).toMatch(/spam and promotions folders/);
    expect(r.stdout).toMatch(/link in it expires/);
    expect(r.stdout).not.toMatch(/https?:|token/i);
    const rows = outbox(db);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      to_email: 'aaliyah.johnson@gmail.com',
      template: 'client_password_reset',
      subject: 'Reset your Headway password',
      account_id: '1032',
      ticket: 'T-1',
      created_at: '2026-11-27T12:00:00.000Z',
      status: 'pending',
    });
    expect(rows[0].idempotency_key).toBeTruthy();
    expect(audits(db)).toMatchObject([{ action: 'reset', ticket: 'T-1', account_id: '1032', outcome: 'done', agent: 'test-agent' }]);
    expect(await auditChainHolds(db)).toBe(true);
  });

  it('a verified provider gets "Please Verify Your Headway Account" (--json)', async () => {
    const db = demoMirror();
    const r = await cxIn(['reset', 'M.Okafor@BrightPathCounseling.com', '--ticket', 'T-2', '--yes', '--json'], { db });
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({
      outcome: 'done',
      account_id: 'p201',
      template: 'provider_password_reset',
      to: 'm.okafor@brightpathcounseling.com',
      subject: 'Please Verify Your Headway Account',
    });
    expect(outbox(db)).toMatchObject([{ template: 'provider_password_reset', subject: 'Please Verify Your Headway Account', account_id: 'p201' }]);
    expect(audits(db)).toMatchObject([{ action: 'reset', account_id: 'p201', outcome: 'done' }]);
    expect(await auditChainHolds(db)).toBe(true);
  });

  it('the provider title says so in human output, with the brand from CX_BRAND', async () => {
    const db = demoMirror();
    const r = await cxIn(['reset', 'm.okafor@brightpathcounseling.com', '--ticket', 'T-2', '--yes'], { db, env: { CX_BRAND: 'Lighthouse' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/an email titled "Please Verify Your Lighthouse Account" is on its way/);
    expect(outbox(db)[0].subject).toBe('Please Verify Your Lighthouse Account');
  });

  it.each([
    ['noah.kim@icloud.com', '1011', 'client'],
    ['t.nguyen@harborlighttherapy.com', 'p203', 'provider'],
  ])('an unverified account (%s) gets the verification email instead, and the detail says so', async (email, id) => {
    const db = demoMirror();
    const human = await cxIn(['reset', email, '--ticket', 'T-3', '--yes'], { db });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/queued the verification email .* instead of a reset: the account has not verified its address/);
    expect(human.stdout).toMatch(/must verify it before they can reset/);
    expect(outbox(db)).toMatchObject([{ template: 'email_verification', account_id: id, to_email: email }]);
    const json = await cxIn(['reset', email, '--ticket', 'T-3b', '--yes', '--json'], { db });
    expect(json.json()).toMatchObject({ outcome: 'already_done', template: 'email_verification', to: email });
    expect(await auditChainHolds(db)).toBe(true);
  });

  it("goes to the account's current address when found by a former address or another spelling, and says so", async () => {
    const db = demoMirror();
    const former = await cxIn(['reset', 'ben.hartley@brightlane-logistics.com', '--ticket', 'T-4', '--yes', '--json'], { db });
    expect(former.code).toBe(0);
    expect(former.json()).toMatchObject({ outcome: 'done', account_id: '1015', to: 'benjamin.hartley@gmail.com' });
    expect(former.json().detail).toMatch(/found by ben\.hartley@brightlane-logistics\.com, a former address.*current address benjamin\.hartley@gmail\.com/);
    const mailbox = await cxIn(['reset', 'tombecker@gmail.com', '--ticket', 'T-5', '--yes'], { db });
    expect(mailbox.stdout).toMatch(/queued the client password-reset email to Tom\.Becker@googlemail\.com \(found by tombecker@gmail\.com/);
    expect(outbox(db).map((r) => r.to_email)).toEqual(['benjamin.hartley@gmail.com', 'Tom.Becker@googlemail.com']);
    expect(await auditChainHolds(db)).toBe(true);
  });
});

describe('cx reset: nothing is queued', () => {
  // [what, arguments, exit code, the detail (human and JSON), the next step under it (human, stderr)]
  const refusals: Array<[string, string[], number, RegExp, RegExp | null]> = [
    ['an unsubscribe', ['priya.raman@hotmail.com'], 4, /unsubscribed from Headway email on 2026-09-14.*so the reset email would never arrive$/, /^ {2}cx reset priya\.raman@hotmail\.com --resubscribe --ticket T-9 --yes$/m],
    ['a bounce', ['grace.whitaker@aol.com'], 4, /address does not work/, /Check the address with them[\s\S]*^ {2}cx resubscribe grace\.whitaker@aol\.com --force --reason "<why>" --ticket T-9 --yes$/m],
    ['a complaint', ['tyler.brooks@yahoo.com'], 4, /reported a Headway email as spam/, /^ {2}cx resubscribe tyler\.brooks@yahoo\.com --force --reason "<why>" --ticket T-9 --yes$/m],
    ['a complaint, even with --resubscribe', ['tyler.brooks@yahoo.com', '--resubscribe'], 4, /--resubscribe lifts only an unsubscribe, not a complaint/, /--force --reason/],
    ['a bounce, even with --resubscribe', ['grace.whitaker@aol.com', '--resubscribe'], 4, /--resubscribe lifts only an unsubscribe, not a bounce/, /--force --reason/],
    ['a deactivated client', ['olivia.marsh@gmail.com'], 4, /account 1012 is deactivated/, /^Tell the person: their account was closed and cannot sign in\. cx cannot reopen it/m],
    ['a terminated provider (by a former address)', ['r.castellanos.lcsw@gmail.com'], 4, /account p202 is a terminated provider/, /^Tell the person: this provider's contract with the platform has ended/m],
    ['no account', ['nobody.here@example.com'], 3, /no account uses nobody\.here@example\.com/, /^ {2}cx lookup nobody\.here@example\.com --ticket T-9$/m],
    ['a bad address', ['jane.doe@gmail..com'], 2, /not a usable address/, null],
    ['an address pasted with a name', ['Tyler Brooks <Tyler.Brooks@yahoo.com>'], 2, /not a usable address: Type only the address/, /^ {2}cx reset tyler\.brooks@yahoo\.com --ticket T-9 --yes$/m],
  ];

  const cases = refusals.map(([name, args, code, message, next]) => ({ name, args, code, message, next }));
  it.each(cases)('$name: exit $code, writes nothing at all, in human and --json form', async ({ args, code, message, next }) => {
    const db = demoMirror();
    const before = snapshot(db);
    const human = await cxIn(['reset', ...args, '--ticket', 'T-9', '--yes'], { db });
    expect(human.code).toBe(code);
    expect(human.stdout).toBe('');
    const [first, ...rest] = human.stderr.split('\n');
    expect(first).toMatch(/^cx: /);
    expect(first).toMatch(message);
    if (next) expect(rest.join('\n')).toMatch(next);
    const json = await cxIn(['reset', ...args, '--ticket', 'T-9', '--yes', '--json'], { db });
    expect(json.code).toBe(code);
    expect(json.json().detail).toMatch(message);
    expect(json.json().detail).not.toContain('\n');
    expect(snapshot(db)).toEqual(before);
  });

  it('an address pasted with a name (a process): exit 2, the address alone in a command to paste, and as try_address', () => {
    const db = demoMirror();
    const before = snapshot(db);
    const human = cx(['reset', 'Tyler Brooks <tyler.brooks@yahoo.com>', '--ticket', '90001'], { db });
    expect(human.code).toBe(2);
    expect(human.stderr).toMatch(/^cx: not a usable address: Type only the address, without a name or angle brackets\.\n/);
    expect(human.stderr).toMatch(/^ {2}cx reset tyler\.brooks@yahoo\.com --ticket 90001 --yes$/m);
    const json = cx(['reset', 'Tyler Brooks <tyler.brooks@yahoo.com>', '--ticket', '90001', '--json'], { db });
    expect(json.code).toBe(2);
    expect(json.json()).toMatchObject({ outcome: 'invalid', account_id: null, try_address: 'tyler.brooks@yahoo.com' });
    expect(snapshot(db)).toEqual(before);
  });

  it('gives the exact fixing command as "fix" under --json', async () => {
    const db = demoMirror();
    const r = await cxIn(['reset', 'priya.raman@hotmail.com', '--ticket', 'T 10', '--json'], { db });
    expect(r.json()).toMatchObject({ outcome: 'refused', account_id: '1008', suppression: { reason: 'unsubscribe' }, fix: "cx reset priya.raman@hotmail.com --resubscribe --ticket 'T 10'" });
  });

  it('the same email within the window is already_done; nothing is queued twice', async () => {
    const db = demoMirror();
    expect((await cxIn(['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'T-1', '--yes'], { db })).code).toBe(0);
    const before = snapshot(db);
    const again = await cxIn(['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'T-1', '--yes'], { db });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^already done: the client password-reset email was already queued .* and has not gone out yet; not queued twice/);
    // In the agent's time zone, with how long ago (TZ picks the zone; JSON keeps UTC).
    // Not pushed yet: the words are for once it is sent, after the push it names.
    expect(again.stdout).toMatch(/^Tell the person, once it is sent: the email queued today 12:00 \(just now\) is on its way/m);
    // It cannot have arrived: the push that sends it comes first, and no second one is offered.
    expect(again.stdout).toMatch(/^Next: It has not gone out yet: it goes with the next push to the platform; send it now:\n {2}cx sync push$/m);
    expect(again.stdout).not.toMatch(/A new one can be queued/);
    const tokyo = await cxIn(['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'T-1', '--yes'], { db, env: { TZ: 'Asia/Tokyo' }, now: '2026-11-27T12:03:00Z' });
    expect(tokyo.stdout).toMatch(/queued today 21:00 \(3 min ago\) is on its way/);
    const json = await cxIn(['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'T-2', '--yes', '--json'], { db, now: '2026-11-27T12:14:59Z' });
    expect(json.json()).toMatchObject({ outcome: 'already_done', template: 'client_password_reset', to: 'aaliyah.johnson@gmail.com', outbox_id: 1 });
    expect(snapshot(db)).toEqual(before);
    // After the window, still unsent: a second one would only go out beside it at the same push.
    const unsent = await cxIn(['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'T-3', '--yes'], { db, now: '2026-11-27T14:00:00Z' });
    expect(unsent.stdout).toMatch(/^already done: .* \(outbox 1\) and has not gone out yet; not queued twice/);
    expect(snapshot(db)).toEqual(before);
    // Delivered (the platform sent it): within the window it is already_done, with when a new one can be asked for.
    markDelivered(db);
    const sent = await cxIn(['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'T-3', '--yes'], { db, now: '2026-11-27T12:10:00Z' });
    expect(sent.stdout).toMatch(/^already done: .* \(outbox 1\), within the last 15 minutes; not queued twice/);
    expect(sent.stdout).toMatch(/^Next: A new one can be queued after today 12:15 if it still has not arrived\.$/m);
    // After the window, a new one is queued.
    const later = await cxIn(['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'T-3', '--yes'], { db, now: '2026-11-27T12:15:01Z' });
    expect(later.stdout).toMatch(/^done:/);
    expect(outbox(db)).toHaveLength(2);
    expect(await auditChainHolds(db)).toBe(true);
  });

  it('honours CX_RESET_WINDOW_MINUTES and refuses a bad value with exit 2', async () => {
    const db = demoMirror();
    expect((await cxIn(['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'T-1', '--yes'], { db })).code).toBe(0);
    markDelivered(db);
    const env = { CX_RESET_WINDOW_MINUTES: '2' };
    expect((await cxIn(['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'T-2', '--yes'], { db, env, now: '2026-11-27T12:03:00Z' })).stdout).toMatch(/^done:/);
    const before = snapshot(db);
    for (const bad of ['abc', '0', '-5', '1.5', '99999']) {
      const r = await cxIn(['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'T-3', '--yes'], { db, env: { CX_RESET_WINDOW_MINUTES: bad } });
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toMatch(/CX_RESET_WINDOW_MINUTES/);
    }
    const brand = await cxIn(['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'T-3', '--yes'], { db, env: { CX_BRAND: 'Head\nway' } });
    expect(brand.code).toBe(2);
    expect(snapshot(db)).toEqual(before);
  });

  it('--dry-run reports planned and writes nothing (no ticket needed)', async () => {
    const db = demoMirror();
    const before = snapshot(db);
    const human = await cxIn(['reset', 'priya.raman@hotmail.com', '--resubscribe', '--dry-run'], { db });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^planned: would take priya\.raman@hotmail\.com off the suppression list \(unsubscribe since 2026-09-14\), then would queue the client password-reset email/);
    const json = await cxIn(['reset', 'wei.chen@gmail.com', '--dry-run', '--json'], { db });
    expect(json.json()).toMatchObject({ outcome: 'planned', template: 'client_password_reset', to: 'wei.chen@gmail.com' });
    expect(snapshot(db)).toEqual(before);
  });

  it('without a terminal: no ticket is exit 2, no --yes is exit 2, and nothing is written', async () => {
    const db = demoMirror();
    const before = snapshot(db);
    const noTicket = await cxIn(['reset', 'aaliyah.johnson@gmail.com', '--yes'], { db });
    expect(noTicket.code).toBe(2);
    expect(noTicket.stderr).toMatch(/--ticket is required/);
    const noYes = await cxIn(['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'T-1'], { db });
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toMatch(/--yes is required/);
    expect(noYes.stdout).toBe('');
    expect(snapshot(db)).toEqual(before);
  });
});

describe('cx reset --resubscribe', () => {
  it('lifts an unsubscribe and queues the email in one transaction, with both audit rows', async () => {
    const db = demoMirror();
    const r = await cxIn(['reset', 'priya.raman@hotmail.com', '--resubscribe', '--ticket', 'T-6', '--yes', '--json'], { db });
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ outcome: 'done', account_id: '1008', template: 'client_password_reset', to: 'priya.raman@hotmail.com', resubscribed: true });
    expect(suppressed(db, 'priya.raman@hotmail.com')).toBe(false);
    expect(outbox(db)).toMatchObject([{ account_id: '1008', ticket: 'T-6' }]);
    expect(audits(db)).toMatchObject([
      { action: 'resubscribe', ticket: 'T-6', account_id: '1008', outcome: 'done' },
      { action: 'reset', ticket: 'T-6', account_id: '1008', outcome: 'done' },
    ]);
    expect(await auditChainHolds(db)).toBe(true);
  });

  it('when the audit insert fails, neither the suppression change nor the email survives', async () => {
    const db = demoMirror();
    breakAuditInserts(db);
    const before = snapshot(db);
    const r = await cxIn(['reset', 'priya.raman@hotmail.com', '--resubscribe', '--ticket', 'T-6', '--yes'], { db });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/simulated crash/);
    expect(snapshot(db)).toEqual(before);
    expect(suppressed(db, 'priya.raman@hotmail.com')).toBe(true);
  });
});

describe('cx reset: two agents at once', () => {
  it('two processes started together for the same account queue exactly one email', async () => {
    const db = demoMirror();
    const args = ['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'T-1', '--yes', '--json'];
    const results = await Promise.all([cxAsync(args, { db }), cxAsync([...args.slice(0, 3), 'T-2', '--yes', '--json'], { db })]);
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    expect(results.map((r) => r.json().outcome).sort()).toEqual(['already_done', 'done']);
    expect(outbox(db)).toHaveLength(1);
    expect(audits(db)).toHaveLength(1);
    expect(await auditChainHolds(db)).toBe(true);
  });
});

describe('cx reset in a terminal', () => {
  const hasScript = spawnSync('script', ['--version']).status === 0;

  it.skipIf(!hasScript)('shows the account and the email, asks, and queues on "y"', async () => {
    const db = demoMirror();
    // Lines wider than the terminal are wrapped at a space, continuing two spaces further in.
    const r = (await inTerminal(db, ['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'T-1'], [[/Queue this email\?/, 'y\r']])).screen.replace(/\r?\n {2,}/g, ' ');
    expect(r).toMatch(/Account: 1032 Aaliyah Johnson <aaliyah\.johnson@gmail\.com>, client, active, verified/);
    expect(r).toMatch(/Will queue: Reset your Headway password \(client_password_reset\) to aaliyah\.johnson@gmail\.com/);
    expect(r).toMatch(/Queue this email\?/);
    expect(r).toMatch(/queued the client password-reset email/);
    expect(outbox(db)).toHaveLength(1);
    expect(await auditChainHolds(db)).toBe(true);
  });

  it.skipIf(!hasScript)('asks for the ticket, and "n" changes nothing', async () => {
    const db = demoMirror();
    const before = snapshot(db);
    const { screen: r, code } = await inTerminal(db, ['reset', 'priya.raman@hotmail.com', '--resubscribe'], [
      [/Ticket id for this change/, 'T-77\r'],
      [/queue this email\?/, 'n\r'],
    ]);
    expect(r).toMatch(/Ticket id for this change/);
    expect(r).toMatch(/Take priya\.raman@hotmail\.com off the unsubscribe list and queue this email\?/);
    expect(r).toMatch(/cx: cancelled, nothing changed/);
    expect(code).toBe(130);
    expect(snapshot(db)).toEqual(before);
  });
});

/** A trigger that makes every audit insert fail, as a crash between the change and its audit row would. */
function breakAuditInserts(db: string): void {
  const conn = openDb(db);
  conn.exec("CREATE TRIGGER test_audit_crash BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'simulated crash'); END;");
  conn.close();
}

