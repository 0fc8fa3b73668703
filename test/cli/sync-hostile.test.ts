// `cx sync push` against a platform that is broken or hostile (issue 20, part 4), each seen with a real
// receiver on 127.0.0.1: a Retry-After no one should honour, an answer dripped a byte at a time, a
// certificate that is not the platform's, a web server that answers 200 to anything, and two pushes at once.
// After each, the platform, the mirror's change states and the audit log still agree (test/helpers/sync.ts).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StandIn } from '../support/platform-stand-in.js';
import { demoMirror, query } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { changes, expectAgreement, push, standIn } from '../helpers/sync.js';

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
