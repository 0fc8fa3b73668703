// `cx sync push` against a real HTTP server on 127.0.0.1 standing in for the platform
// (test/support/platform-stand-in.ts): it verifies every signature with the standardwebhooks package, applies
// each key once, answers a repeat with 409, and fails requests on demand. After each scenario the platform,
// the mirror's change states and the audit log agree (test/helpers/sync.ts).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Arrival, Fault, StandIn } from '../support/platform-stand-in.js';
import { baseEnv, CX, demoMirror, query, snapshot } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { changes, expectAgreement, expectNoLeak, outputs, push, SECRET, standIn, syncEnv, write } from '../helpers/sync.js';

/** Nine changes of seven accounts: 1011 (a deactivation, then its email) and 1008 (a lift, then a reset) have two. */
const TICKETS = `ticket_id,type,email,until
S-1,password_reset,jane.doe@gmail.com,
S-2,deactivate_client,noah.kim@icloud.com,
S-3,password_reset,aaliyah.johnson@gmail.com,
S-4,resubscribe,priya.raman@hotmail.com,
S-5,password_reset,priya.raman@hotmail.com,
S-6,provider_termination,t.nguyen@harborlighttherapy.com,2026-12-31
S-7,password_reset,wei.chen@gmail.com,
S-8,password_reset,kai.nakamura@gmail.com,
`;

const mirrors: string[] = [];
async function mirrorWithChanges(): Promise<string> {
  const db = demoMirror();
  const r = await cxIn(['batch', '-', '--yes'], { db, input: TICKETS });
  if (r.code !== 0) throw new Error(`batch failed: ${r.stderr}`);
  mirrors.push(db);
  return db;
}

function keyOf(db: string, accountId: string, kind: string): string {
  return query<{ key: string }>(db, 'SELECT key FROM changes WHERE account_id = ? AND kind = ? ORDER BY id', accountId, kind)[0]!.key;
}

let platform: StandIn;
/** Every signature the platform received in this file (the leak check's needles). */
const signatures: string[] = [];
beforeAll(async () => {
  platform = await standIn();
});
beforeEach(() => {
  signatures.push(...platform.signatures);
  platform.reset();
  platform.setFault(undefined);
});
afterAll(async () => {
  await platform.close();
});

describe('cx sync push', () => {
  it('delivers every change, each account in order, keeps receipts, anchors the audit log; a second run sends nothing', async () => {
    const db = await mirrorWithChanges();
    // The first change of each two-change account is answered 503 once: its next change must wait for it.
    const firsts = new Set([keyOf(db, '1011', 'deactivate_client'), keyOf(db, '1008', 'lift_suppression')]);
    platform.setFault((a) => (firsts.has(a.id) && a.attempt === 1 ? { status: 503, retryAfter: '1' } : undefined));
    const r = await push(db, platform);
    expect(r.code, r.stderr).toBe(0);
    const summary = r.json();
    expect(Object.keys(summary).slice(0, 5)).toEqual(['sent', 'delivered', 'failed', 'pending', 'audit']);
    expect(summary).toMatchObject({ sent: 9, delivered: 9, failed: 0, pending: 0, attempts: 11 });
    const anchored = query<{ n: number }>(db, 'SELECT max(id) AS n FROM audit_log')[0]!.n;
    expect(summary.audit).toEqual({ anchored_id: anchored, unanchored_rows: 0 });
    expect(changes(db).every((c) => c.state === 'delivered' && c.attempts === (firsts.has(c.key) ? 2 : 1) && /^r-\d+$/.test(c.receipt!))).toBe(true);
    // One account's changes reach the platform in the order they were made.
    const order = (account: string) => platform.order.filter((k) => platform.applied.get(k)!.account_id === account);
    expect(order('1011')).toEqual([keyOf(db, '1011', 'deactivate_client'), keyOf(db, '1011', 'email')]);
    expect(order('1008')).toEqual([keyOf(db, '1008', 'lift_suppression'), keyOf(db, '1008', 'email')]);
    expect(platform.applied.get(keyOf(db, 'p203', 'terminate_provider'))!.body.data).toEqual({ effective: '2026-12-31' });
    const before = snapshot(db);
    const again = await push(db, platform);
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({ sent: 0, delivered: 0, failed: 0, pending: 0, audit: { anchored_id: anchored, unanchored_rows: 0 } });
    expect(snapshot(db)).toEqual(before); // nothing to do writes nothing, not even an audit row

    // The outbox shows the emails' delivery state (a read of PHI: one more audit row, not yet anchored).
    const outbox = (await cxIn(['outbox', '--json'], { db })).json();
    expect(outbox.map((o: { status: string }) => o.status)).toEqual(Array(6).fill('delivered'));
    expectAgreement(db, platform);
    const status = await cxIn(['sync', 'status', '--json'], { db });
    expect(status.code).toBe(0);
    const unanchored = query<{ n: number }>(db, 'SELECT count(*) AS n FROM audit_log WHERE id > ?', anchored)[0]!.n;
    expect(unanchored).toBeGreaterThan(0);
    expect(status.json()).toEqual({ pending: 0, delivered: 9, failed: 0, oldest_pending_at: null, failures: [], audit: { anchored_id: anchored, unanchored_rows: unanchored }, held_back: 0 });
  });

  it('retries 503 + Retry-After, 429 + an HTTP date, 500s, a dropped connection and a slow answer, then delivers each once', async () => {
    const db = await mirrorWithChanges();
    const k = {
      unavailable: keyOf(db, '1001', 'email'),
      limited: keyOf(db, '1032', 'email'),
      broken: keyOf(db, 'p203', 'terminate_provider'),
      dropped: keyOf(db, '1035', 'email'),
      slow: keyOf(db, 'b4c5d6e7-f8a9-4b0c-8d1e-2f3a4b5c6d7e', 'email'),
    };
    platform.setFault((a: Arrival): Fault | undefined => {
      if (a.id === k.unavailable && a.attempt === 1) return { status: 503, retryAfter: '1' };
      if (a.id === k.limited && a.attempt === 1) return { status: 429, retryAfter: new Date(Date.now() + 2000).toUTCString() };
      if (a.id === k.broken && a.attempt <= 2) return { status: 500 };
      if (a.id === k.dropped && a.attempt === 1) return { drop: true };
      // Applied on arrival, answered after the client gave up: the retry is told 409, and that is delivered.
      if (a.id === k.slow && a.attempt === 1) return { delayMs: 2500 };
      return undefined;
    });
    const r = await push(db, platform, { CX_PLATFORM_TIMEOUT_MS: '700' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ sent: 9, delivered: 9, failed: 0, pending: 0, attempts: 9 + 1 + 1 + 2 + 1 + 1 });
    const attempts = Object.fromEntries(changes(db).map((c) => [c.key, c.attempts]));
    expect([attempts[k.unavailable], attempts[k.limited], attempts[k.broken], attempts[k.dropped], attempts[k.slow]]).toEqual([2, 2, 3, 2, 2]);
    // Retry-After honoured: the second attempt came no sooner than it said (seconds, or the date).
    const arrivals = (key: string) => platform.arrivals.filter((a) => a.id === key);
    const [u1, u2] = arrivals(k.unavailable);
    expect(u2!.at - u1!.at).toBeGreaterThanOrEqual(950);
    const [l1, l2] = arrivals(k.limited);
    expect(l2!.at - l1!.at).toBeGreaterThanOrEqual(900);
    // Each attempt signed afresh: its own timestamp (and so its own signature).
    expect(Number(u2!.timestamp)).toBeGreaterThan(Number(u1!.timestamp));
    expect(platform.stats().repeats).toBe(1); // the slow one, applied once
    const slowRow = query<{ outcome: string; detail: string }>(db, `SELECT outcome, detail FROM audit_log WHERE action = 'sync.delivered' AND detail LIKE ?`, `%${k.slow}%`)[0]!;
    expect(slowRow.outcome).toBe('already_done');
    expect(slowRow.detail).toMatch(/HTTP 409.*attempt 2 of 8; earlier in this run: no answer within 700 ms/);
    expect(query(db, `SELECT detail FROM audit_log WHERE detail LIKE ?`, `%${k.broken}%`)).toEqual([{ detail: expect.stringMatching(/attempt 3 of 8; earlier in this run: HTTP 500, HTTP 500/) }]);
    expectAgreement(db, platform);
  });

  it('fails 400/404/422 with the platform\'s reason, holds that account\'s later changes, and delivers them after cx sync retry', async () => {
    const db = await mirrorWithChanges();
    const deactivation = keyOf(db, '1011', 'deactivate_client');
    const reset = keyOf(db, '1001', 'email');
    const lift = keyOf(db, '1008', 'lift_suppression');
    const refusals: Record<string, Fault> = {
      [deactivation]: { status: 422, body: { error: 'client has an open invoice' } },
      [reset]: { status: 400, body: { error: 'template\u001b[31m unknown' } },
      [lift]: { status: 404, body: { error: 'no such account' } },
    };
    platform.setFault((a) => refusals[a.id]);
    const r = await push(db, platform);
    expect(r.code).toBe(5);
    const summary = r.json();
    expect(summary).toMatchObject({ sent: 7, delivered: 4, failed: 3, pending: 2 });
    expect(summary.failures.map((f: { key: string; error: string }) => [f.key, f.error])).toEqual([
      [reset, 'HTTP 400: template\u001b[31m unknown'],
      [deactivation, 'HTTP 422: client has an open invoice'],
      [lift, 'HTTP 404: no such account'],
    ]);
    // The emails after the refused deactivation and the refused lift were never sent.
    expect(platform.arrivals.filter((a) => a.accountId === '1011' || a.accountId === '1008')).toHaveLength(2);
    const human = await cxIn(['sync', 'status'], { db });
    expect(human.code).toBe(5);
    expect(human.stdout).toContain('template\\x1b[31m unknown'); // shown visibly, not interpreted
    // Piped: the failures table alone on stdout; the counts and what to do next on stderr.
    expect(human.stderr).toContain('2 held behind a failed change');
    expect(human.stderr).toMatch(/^ {2}cx sync retry --failed$/m);
    expect(human.stdout).toMatch(new RegExp(`${deactivation}[^\\n]*deactivate_client[^\\n]*1011[^\\n]*S-2[^\\n]*HTTP 422: client has an open invoice`));
    expectAgreement(db, platform);

    // Nothing changes on the platform; a push now sends nothing (held), and says so.
    platform.setFault(undefined);
    const held = await push(db, platform);
    expect(held.code).toBe(5);
    expect(held.json()).toMatchObject({ sent: 0, pending: 2 });

    const dry = await cxIn(['sync', 'retry', '--failed', '--dry-run', '--json'], { db });
    expect(dry.json()).toMatchObject({ outcome: 'planned', changes: [{ key: reset }, { key: deactivation }, { key: lift }] });
    expect((await cxIn(['sync', 'retry', deactivation.slice(0, 12), '--json'], { db })).json()).toMatchObject({ outcome: 'done', account_id: '1011' });
    const rest = await cxIn(['sync', 'retry', '--failed', '--ticket', 'OPS-7'], { db });
    expect(rest.code).toBe(0);
    expect(rest.stderr).toMatch(/^done: 2 failed changes pending again/m);
    expect(query(db, `SELECT ticket, detail FROM audit_log WHERE action = 'sync.retry' ORDER BY id`).map((x: { ticket: string }) => x.ticket)).toEqual(['S-2', 'S-1', 'S-4']);
    expect(changes(db).filter((c) => c.state === 'pending').every((c) => c.attempts === 0 && c.last_error === null)).toBe(true);
    const done = await push(db, platform);
    expect(done.code, done.stderr).toBe(0);
    expect(done.json()).toMatchObject({ sent: 5, delivered: 5, failed: 0, pending: 0 });
    const order = platform.order.filter((key) => platform.applied.get(key)!.account_id === '1011');
    expect(order).toEqual([deactivation, keyOf(db, '1011', 'email')]);
    expectAgreement(db, platform);

    // A delivered change is not sent again; an unknown key is not found; a bad key is a usage error.
    expect((await cxIn(['sync', 'retry', deactivation], { db })).code).toBe(4);
    expect((await cxIn(['sync', 'retry', 'ffffffffffff'], { db })).code).toBe(3);
    expect((await cxIn(['sync', 'retry', 'xyz'], { db })).code).toBe(2);
  });

  it('stops at once on 401 (exit 4): nothing recorded as sent, no lease left, the secret not shown', async () => {
    const db = await mirrorWithChanges();
    platform.setFault(() => ({ status: 401, body: { error: 'unknown signing key' } }));
    const r = await push(db, platform);
    expect(r.code).toBe(4);
    expect(r.json()).toMatchObject({ delivered: 0, failed: 0, pending: 9, stopped: 'the platform refused the credentials (HTTP 401)' });
    expect(r.stderr).toMatch(/cx: the platform refused the credentials \(HTTP 401\); the run stopped\n.*CX_PLATFORM_SECRET/);
    // At most one request per lane got out before the stop.
    expect(platform.stats().requests).toBeLessThanOrEqual(8);
    expect(changes(db).every((c) => c.state === 'pending' && c.attempts === 0 && c.lease_owner === null)).toBe(true);
    expect(query(db, `SELECT action, outcome FROM audit_log WHERE action LIKE 'sync.%'`)).toEqual([{ action: 'sync.push', outcome: 'error' }]);
    expect(query(db, 'SELECT * FROM audit_anchor')).toEqual([]); // the audit log is not sent to a platform that refused us
    platform.setFault(() => ({ status: 403 }));
    expect((await push(db, platform)).code).toBe(4);
    // For people it is an error like any other: stdout stays empty, what the run did is said on stderr.
    const human = await cxIn(['sync', 'push'], { db, env: syncEnv(platform) });
    outputs.push(human.stdout, human.stderr);
    expect(human.code).toBe(4);
    expect(human.stdout).toBe('');
    expect(human.stderr).toMatch(/^cx: the platform refused the credentials \(HTTP 403\)/m);
    expect(human.stderr).toMatch(/^Audit log: not anchored yet/m);
  });

  it('caps attempts across runs, and leaves a wait over a minute for the next run', async () => {
    const db = await mirrorWithChanges();
    const key = keyOf(db, '1032', 'email');
    platform.setFault((a) => (a.id === key ? { status: 503, retryAfter: '120' } : undefined));
    const first = await push(db, platform, { CX_SYNC_MAX_ATTEMPTS: '3' });
    expect(first.code).toBe(5);
    expect(first.json()).toMatchObject({ sent: 9, delivered: 8, failed: 0, pending: 1, left_for_later: 1 });
    const waiting = changes(db).find((c) => c.key === key)!;
    expect(waiting).toMatchObject({ state: 'pending', attempts: 1, last_error: 'HTTP 503' });
    const wait = Date.parse(waiting.next_attempt_at!) - Date.now();
    expect(wait).toBeGreaterThan(100_000);
    expect(wait).toBeLessThanOrEqual(120_000);
    // Not due: the next run does not send it.
    const second = await push(db, platform, { CX_SYNC_MAX_ATTEMPTS: '3' });
    expect(second.json()).toMatchObject({ sent: 0, pending: 1 });
    expect(second.code).toBe(5);
    expect((await cxIn(['sync', 'push', '--dry-run', '--json'], { db, env: syncEnv(platform) })).json().changes).toEqual([
      expect.objectContaining({ key, would: 'wait', not_before: waiting.next_attempt_at, attempts: 1 }),
    ]);
    // Time passes (behind cx's back): two more runs, each one attempt; the third attempt in all fails it.
    for (const expected of ['pending', 'failed']) {
      write(db, 'UPDATE changes SET next_attempt_at = ? WHERE key = ?', new Date(Date.now() - 1000).toISOString(), key);
      const run = await push(db, platform, { CX_SYNC_MAX_ATTEMPTS: '3' });
      expect(run.code).toBe(5);
      expect(changes(db).find((c) => c.key === key)!.state).toBe(expected);
    }
    expect(platform.arrivals.filter((a) => a.id === key)).toHaveLength(3);
    expect(changes(db).find((c) => c.key === key)).toMatchObject({ attempts: 3, last_error: 'gave up after 3 attempts: HTTP 503' });
    expect(query(db, `SELECT action FROM audit_log WHERE detail LIKE ? ORDER BY id`, `%${key}%`).map((x: { action: string }) => x.action)).toEqual([
      'sync.deferred', 'sync.deferred', 'sync.failed',
    ]);
    expectAgreement(db, platform);
  });

  it('gives up 500s after the attempt cap within one run, and keeps going with the other accounts', async () => {
    const db = await mirrorWithChanges();
    const key = keyOf(db, 'p203', 'terminate_provider');
    platform.setFault((a) => (a.id === key ? { status: 500, apply: a.attempt === 2 } : undefined));
    const r = await push(db, platform, { CX_SYNC_MAX_ATTEMPTS: '3' });
    expect(r.code).toBe(5);
    expect(r.json()).toMatchObject({ sent: 9, delivered: 8, failed: 1, pending: 0, failures: [{ key, error: 'gave up after 3 attempts: HTTP 500' }] });
    // The platform applied it on the second attempt and lost the answer: failed here, and retry finds it applied.
    platform.setFault(undefined);
    expect((await cxIn(['sync', 'retry', key], { db })).code).toBe(0);
    const again = await push(db, platform);
    expect(again.code).toBe(0);
    expect(changes(db).find((c) => c.key === key)!.state).toBe('delivered');
    expect(platform.stats().repeats).toBe(1);
    expectAgreement(db, platform);
  });

  it('leaves everything pending when the platform cannot be reached (exit 5), and delivers on the next run', async () => {
    const db = await mirrorWithChanges();
    const closed = await closedPort();
    const r = await push(db, `http://127.0.0.1:${closed}`, { CX_SYNC_CONCURRENCY: '2' });
    expect(r.code).toBe(5);
    const summary = r.json();
    expect(summary).toMatchObject({ delivered: 0, failed: 0, pending: 9 });
    expect(summary.stopped).toMatch(/not answering .*connection refused/);
    expect(r.stderr).toMatch(/what is left waits for the next run/);
    expect(changes(db).every((c) => c.state === 'pending' && c.lease_owner === null)).toBe(true);
    write(db, 'UPDATE changes SET next_attempt_at = NULL');
    const ok = await push(db, platform);
    expect(ok.code, ok.stderr).toBe(0);
    expectAgreement(db, platform);
  });

  it('--dry-run lists what would be sent, sends and writes nothing, and needs no settings', async () => {
    const db = await mirrorWithChanges();
    const before = snapshot(db);
    const r = await cxIn(['sync', 'push', '--dry-run', '--json'], { db });
    expect(r.code).toBe(0);
    const plan = r.json();
    expect(plan).toMatchObject({ dry_run: true, would_send: 9, pending: 9 });
    expect(plan.changes[0]).toEqual({
      key: keyOf(db, '1001', 'email'), kind: 'email', account_id: '1001', ticket: 'S-1', created_at: expect.any(String), attempts: 0, would: 'send', not_before: null, held_by: null,
    });
    expect(r.stderr).toMatch(/a real push would stop here: the platform URL is not set/);
    const human = await cxIn(['sync', 'push', '--dry-run'], { db, env: syncEnv(platform) });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('deactivate_client');
    expect(human.stderr).toMatch(/Would send 9 of 9 pending changes/);
    expect(platform.stats().requests).toBe(0);
    expect(snapshot(db)).toEqual(before);
  });

  it('refuses missing or bad settings with exit 2 naming what to set; status needs none', async () => {
    const db = await mirrorWithChanges();
    const run = async (env: Record<string, string | undefined>) => {
      const r = await cxIn(['sync', 'push'], { db, env: { CX_PLATFORM_URL: undefined, CX_PLATFORM_SECRET: undefined, ...env } });
      outputs.push(r.stdout, r.stderr);
      return r;
    };
    const noUrl = await run({});
    expect(noUrl.stderr).toMatch(/platform URL is not set\n.*CX_PLATFORM_URL/);
    const noSecret = await run({ CX_PLATFORM_URL: platform.url });
    expect(noSecret.stderr).toMatch(/secret is not set\n.*CX_PLATFORM_SECRET/);
    const plain = await run({ CX_PLATFORM_URL: 'http://platform.example.com', CX_PLATFORM_SECRET: SECRET });
    expect(plain.stderr).toMatch(/must use https/);
    const ticket = await cxIn(['sync', 'push', '--ticket', 'T-9'], { db, env: syncEnv(platform) });
    expect(ticket.stderr).toMatch(/--ticket does not apply to cx sync push/);
    for (const r of [noUrl, noSecret, plain, ticket]) expect(r.code).toBe(2);
    const json = await cxIn(['sync', 'push', '--json'], { db, env: { CX_PLATFORM_URL: platform.url, CX_PLATFORM_SECRET: `${SECRET}!` } });
    outputs.push(json.stdout, json.stderr);
    expect(json.code).toBe(2);
    expect(json.json()).toMatchObject({ outcome: 'invalid', detail: expect.stringMatching(/CX_PLATFORM_SECRET is not a Standard Webhooks secret/) });
    expect(platform.stats().requests).toBe(0);
    expect(query(db, `SELECT count(*) AS n FROM changes WHERE state = 'pending'`)).toEqual([{ n: 9 }]);
    const status = await cxIn(['sync', 'status', '--json'], { db, env: { CX_PLATFORM_URL: undefined, CX_PLATFORM_SECRET: undefined } });
    expect(status.code).toBe(0);
    expect(status.json()).toMatchObject({ pending: 9, delivered: 0, failed: 0, oldest_pending_at: expect.stringMatching(/^\d{4}-/), audit: { anchored_id: null } });
  });

  it('shows a progress bar on a terminal (stderr), and stops cleanly on Ctrl-C: exit 130, nothing lost, no lease left', async () => {
    const db = await mirrorWithChanges();
    const line = `"${process.execPath}" "${CX}" sync push`;
    const tty = spawn('script', ['-qfec', line, '/dev/null'], { env: baseEnv(db, syncEnv(platform)), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    tty.stdout.on('data', (d) => (out += d));
    const [code] = (await once(tty, 'close')) as [number];
    expect(code).toBe(0);
    expect(out).toMatch(/sync \[[^\]]*\] \d\/9 changes/);
    expect(out).toContain('Sent 9 changes in 9 requests');

    const slow = await mirrorWithChanges();
    platform.reset();
    platform.setFault(() => ({ delayMs: 5000 }));
    const child = spawn(process.execPath, [CX, 'sync', 'push'], { env: baseEnv(slow, syncEnv(platform)) });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    // Seven accounts: seven first changes in flight (the second changes of 1011 and 1008 wait for the first).
    while (platform.stats().requests < 7) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const [stopped] = (await once(child, 'close')) as [number];
    outputs.push(err);
    expect(stopped).toBe(130);
    expect(err).toMatch(/cx: cancelled: 0 changes delivered and recorded, 0 failed; 9 pending\nTo go on:\n {2}cx sync push\n/);
    // The platform applied what arrived (answers still on their way): the next push gets 409s, all delivered.
    expect(changes(slow).every((c) => c.state === 'pending' && c.lease_owner === null && c.attempts === 0)).toBe(true);
    platform.setFault(undefined);
    const again = await push(slow, platform);
    expect(again.code).toBe(0);
    expect(platform.stats().repeats).toBe(7);
    expectAgreement(slow, platform);
  });

  it('never shows the secret or a signature: not in any output, the audit log or the mirror files', async () => {
    expect(outputs.length).toBeGreaterThan(10);
    expectNoLeak(signatures, outputs, mirrors);
    expect(mirrors.some((db) => query(db, `SELECT count(*) AS n FROM audit_log WHERE action LIKE 'sync.%'`)[0].n > 0)).toBe(true);
  });
});

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
