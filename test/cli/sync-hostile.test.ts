// `cx sync push` against a platform that is broken or hostile (issue 20, part 4), each seen with a real
// receiver on 127.0.0.1: a Retry-After no one should honour, an answer dripped a byte at a time, a
// certificate that is not the platform's, a web server that answers 200 to anything, and two pushes at once.
// After each, the platform, the mirror's change states and the audit log still agree (test/helpers/sync.ts).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StandIn } from '../support/platform-stand-in.js';
import { demoMirror, query, tempDir } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { changes, expectAgreement, push, pushProcess, standIn } from '../helpers/sync.js';

/** Six changes of five accounts: 1011 has a deactivation, then its email. */
const TICKETS = `ticket_id,type,email
H-1,password_reset,jane.doe@gmail.com
H-2,deactivate_client,noah.kim@icloud.com
H-3,password_reset,aaliyah.johnson@gmail.com
H-4,password_reset,wei.chen@gmail.com
H-5,password_reset,kai.nakamura@gmail.com
`;

/** A demo mirror with the changes a batch of these tickets made (rows the batch refuses make none). */
async function mirrorWithChanges(tickets = TICKETS): Promise<string> {
  const db = demoMirror();
  const r = await cxIn(['batch', '-', '--yes'], { db, input: tickets });
  if (r.code !== 0 && r.code !== 5) throw new Error(`batch failed: ${r.stderr}`);
  return db;
}

function keyOf(db: string, accountId: string, kind = 'email'): string {
  return query<{ key: string }>(db, 'SELECT key FROM changes WHERE account_id = ? AND kind = ? ORDER BY id', accountId, kind)[0]!.key;
}

const HOUR = 3_600_000;

let platform: StandIn;
beforeAll(async () => {
  platform = await standIn();
});
beforeEach(() => {
  platform.reset();
  platform.setFault(undefined);
});
afterAll(async () => {
  await platform.close();
});

describe('Retry-After', () => {
  it('is honoured up to one hour: a huge one neither crashes the push nor parks the change for decades; junk is ignored', async () => {
    const db = await mirrorWithChanges();
    const huge = keyOf(db, '1001');
    const far = keyOf(db, '1032');
    const junk = keyOf(db, '1035');
    platform.setFault((a) => {
      if (a.attempt > 1) return undefined;
      if (a.id === huge) return { status: 503, retryAfter: '99999999999999' };
      if (a.id === far) return { status: 429, retryAfter: '1000000000' };
      if (a.id === junk) return { status: 503, retryAfter: 'in a little while' };
      return undefined;
    });
    const before = Date.now();
    const r = await push(db, platform);
    expect(r.stderr).not.toMatch(/RangeError|at .*\.js:\d+/);
    expect(r.code, r.stderr).toBe(5);
    expect(r.json()).toMatchObject({ sent: 6, delivered: 4, failed: 0, pending: 2, left_for_later: 2 });
    for (const key of [huge, far]) {
      const c = changes(db).find((x) => x.key === key)!;
      expect(c).toMatchObject({ state: 'pending', attempts: 1 });
      const wait = Date.parse(c.next_attempt_at!) - before;
      expect(wait).toBeGreaterThan(HOUR - 60_000);
      expect(wait).toBeLessThanOrEqual(HOUR + 60_000);
      expect(query(db, `SELECT action FROM audit_log WHERE detail LIKE ?`, `%${key}%`)).toEqual([{ action: 'sync.deferred' }]);
    }
    // The unreadable one: the backoff decided, and the run delivered it.
    expect(changes(db).find((x) => x.key === junk)).toMatchObject({ state: 'delivered', attempts: 2 });
    expectAgreement(db, platform);
  });

  it('cx sync retry <key> and --waiting make a waiting change due now', async () => {
    const db = await mirrorWithChanges();
    const first = keyOf(db, '1011', 'deactivate_client');
    const other = keyOf(db, '1001');
    platform.setFault((a) => (a.attempt === 1 && (a.id === first || a.id === other) ? { status: 503, retryAfter: '3000' } : undefined));
    expect((await push(db, platform)).code).toBe(5);
    const waiting = () => changes(db).filter((c) => c.state === 'pending' && c.next_attempt_at !== null).map((c) => c.key);
    expect(waiting().sort()).toEqual([first, other].sort());

    const dry = await cxIn(['sync', 'retry', first, '--dry-run', '--json'], { db });
    expect(dry.json()).toMatchObject({ outcome: 'planned', detail: expect.stringMatching(/would make change .* due now/) });
    const one = await cxIn(['sync', 'retry', first.slice(0, 10), '--json'], { db });
    expect(one.code, one.stderr).toBe(0);
    expect(one.json()).toMatchObject({ outcome: 'done', account_id: '1011', detail: expect.stringMatching(/due now/) });
    expect(changes(db).find((c) => c.key === first)).toMatchObject({ state: 'pending', attempts: 1, next_attempt_at: null });
    expect(waiting()).toEqual([other]);
    // Due now already: said so, nothing written.
    expect((await cxIn(['sync', 'retry', first, '--json'], { db })).json()).toMatchObject({ outcome: 'already_done' });

    const all = await cxIn(['sync', 'retry', '--waiting', '--ticket', 'OPS-9'], { db });
    expect(all.code, all.stderr).toBe(0);
    expect(all.stderr).toMatch(/^done: change \w+ due now/m);
    expect(waiting()).toEqual([]);
    expect((await cxIn(['sync', 'retry', '--waiting', '--json'], { db })).json()).toMatchObject({ outcome: 'already_done', detail: 'no change is waiting' });
    const rows = query<{ ticket: string; detail: string }>(db, `SELECT ticket, detail FROM audit_log WHERE action = 'sync.retry' ORDER BY id`);
    expect(rows.map((x) => x.ticket)).toEqual(['H-2', 'H-1']);
    expect(rows[1]!.detail).toMatch(/due now \(it was waiting until [^)]+\) after 1 attempt\(s\), the last: HTTP 503 \(retried under ticket OPS-9\)$/);

    for (const bad of [['--waiting', '--failed'], [first, '--waiting'], []]) expect((await cxIn(['sync', 'retry', ...bad], { db })).code).toBe(2);
    const done = await push(db, platform);
    expect(done.code, done.stderr).toBe(0);
    expect(done.json()).toMatchObject({ delivered: 3, pending: 0 });
    expectAgreement(db, platform);
  });
});

describe('a deadline for the whole exchange', () => {
  it('cuts an answer dripped a byte at a time at CX_PLATFORM_TIMEOUT_MS, however quick each byte is', async () => {
    const db = await mirrorWithChanges();
    const key = keyOf(db, '1032');
    // One byte every 250 ms: each read is well inside the timeout, the whole answer (~4 s) is not.
    platform.setFault((a) => (a.id === key && a.attempt === 1 ? { dripEveryMs: 250 } : undefined));
    const r = await push(db, platform, { CX_PLATFORM_TIMEOUT_MS: '700' });
    expect(r.code, r.stderr).toBe(0);
    const [first, second] = platform.arrivals.filter((a) => a.id === key);
    expect(first!.endedAt! - first!.at).toBeLessThan(1500);
    expect(second).toBeDefined();
    expect(changes(db).find((c) => c.key === key)).toMatchObject({ state: 'delivered', attempts: 2 });
    expect(query(db, `SELECT detail FROM audit_log WHERE action = 'sync.delivered' AND detail LIKE ?`, `%${key}%`)[0].detail).toMatch(
      /delivered before \(HTTP 409.*earlier in this run: no answer within 700 ms/,
    );
    expectAgreement(db, platform);
  });
});

describe('a platform that is not the platform', () => {
  it('a certificate cx cannot trust (self-signed) stops the run as a settings error: exit 2, nothing retried, all pending', async () => {
    const dir = tempDir();
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
      '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const mitm = await standIn({ tls: { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') } });
    try {
      const db = await mirrorWithChanges();
      const r = await push(db, mitm.url);
      expect(r.code).toBe(2);
      expect(r.json()).toMatchObject({ delivered: 0, failed: 0, pending: 6, stopped: expect.stringMatching(/certificate/) });
      expect(r.stderr).toMatch(/^cx: .*self-signed certificate.*; the run stopped/m);
      expect(changes(db).every((c) => c.state === 'pending' && c.attempts === 0 && c.lease_owner === null && c.next_attempt_at === null)).toBe(true);
      expect(query(db, `SELECT action, outcome FROM audit_log WHERE action LIKE 'sync.%'`)).toEqual([{ action: 'sync.push', outcome: 'error' }]);
      expect(mitm.stats().requests).toBe(0); // no request got through the handshake
    } finally {
      await mitm.close();
    }
  });

  it('a 2xx that is not the API\'s JSON receipt stops the run (exit 2): a catch-all web server swallows nothing', async () => {
    for (const answer of [
      { status: 200, text: '<!doctype html><title>Welcome to nginx!</title>' },
      { status: 200, body: { ok: true } },
      { status: 202, body: { receipt: 42 } },
      { status: 204, text: '' },
    ]) {
      platform.reset();
      const db = await mirrorWithChanges();
      platform.setFault(() => answer);
      const r = await push(db, platform);
      expect(r.code, JSON.stringify(answer)).toBe(2);
      expect(r.json()).toMatchObject({ delivered: 0, failed: 0, pending: 6, stopped: expect.stringMatching(new RegExp(`answered HTTP ${answer.status} .*not the cx API`)) });
      expect(r.stderr).toMatch(/CX_PLATFORM_URL/);
      expect(changes(db).every((c) => c.state === 'pending' && c.attempts === 0 && c.lease_owner === null)).toBe(true);
      expect(query(db, `SELECT count(*) AS n FROM audit_log WHERE action = 'sync.delivered'`)).toEqual([{ n: 0 }]);
    }
    // With nothing to send, the audit log meets it first: the same stop, no anchor kept.
    const quiet = demoMirror();
    platform.setFault(() => ({ status: 200, text: '<html>hello</html>' }));
    const r = await push(quiet, platform);
    expect(r.code).toBe(2);
    expect(r.json().stopped).toMatch(/answered HTTP 200 .*not the cx API/);
    expect(query(quiet, 'SELECT * FROM audit_anchor')).toEqual([]);
  });
});

describe('two pushes at once', () => {
  it('both exit 0: changes the other push holds are neither failed nor counted against this run', async () => {
    const many = `ticket_id,type,email\n${query<{ email: string }>(demoMirror(), `SELECT email FROM accounts WHERE status = 'active' AND role = 'client' ORDER BY id LIMIT 24`)
      .map((a, i) => `P-${i},password_reset,${a.email}`).join('\n')}\n`;
    const db = await mirrorWithChanges(many);
    const total = changes(db).length;
    expect(total).toBeGreaterThan(12);
    const slow = await standIn({ latencyMs: () => 300 });
    try {
      const [a, b] = await Promise.all([pushProcess(db, slow, { CX_SYNC_CONCURRENCY: '2' }), pushProcess(db, slow, { CX_SYNC_CONCURRENCY: '2' })]);
      expect([a.code, b.code], `${a.stderr}\n${b.stderr}`).toEqual([0, 0]);
      const [ja, jb] = [a.json(), b.json()];
      expect(ja.failed + jb.failed).toBe(0);
      expect(ja.delivered + jb.delivered).toBe(total);
      // They did overlap: one found changes the other held (a claim takes them all).
      expect(ja.held_by_another_push + jb.held_by_another_push).toBeGreaterThan(0);
      expect(changes(db).every((c) => c.state === 'delivered')).toBe(true);
      expectAgreement(db, slow);
    } finally {
      await slow.close();
    }
  });
});
