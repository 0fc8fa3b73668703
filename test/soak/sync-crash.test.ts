// Exactly once under kill -9 and concurrent pushes: thousands of pending changes, made by a real `cx batch`
// on a small generated world (resets; client deactivations, each a deactivation and its email after a reset
// of the same account: three changes in order; provider terminations; unsubscribes lifted), `cx sync push`
// killed with SIGKILL at random points many times, then two pushes at once to finish: the platform applied
// every change exactly once, in each account's order, never had one key in flight twice at once, and
// nothing is pending. (A busy mirror and two mirrors on one platform: test/cli/sync-mirrors.test.ts.)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, copyMirror, CX, cx, query, tempDir } from '../helpers/cx.js';
import { testRandom } from '../helpers/seed.js';
import { generatedMirror } from '../helpers/world.js';
import { changes, expectAgreement, pushProcess, standIn, syncEnv } from '../helpers/sync.js';

const KILLS = 8;

let world = '';
beforeAll(() => {
  world = generatedMirror(2500, { seed: 'sync' });
});

function tickets(db: string): string {
  const suppressed = new Set(query<{ email_key: string }>(db, 'SELECT email_key FROM suppressions').map((s) => s.email_key));
  const unsubscribed = query<{ email: string }>(db, `SELECT email FROM suppressions WHERE reason = 'unsubscribe' ORDER BY email_key`);
  const active = query<{ email: string; email_key: string; role: string }>(db, `SELECT email, email_key, role FROM accounts WHERE status = 'active' ORDER BY id`)
    .filter((a) => !suppressed.has(a.email_key));
  const lines = ['ticket_id,type,email,until'];
  unsubscribed.forEach((s, i) => lines.push(`U-${i},resubscribe,${s.email},`));
  active.forEach((a, i) => lines.push(`R-${i},password_reset,${a.email},`));
  active.filter((a) => a.role === 'client').slice(0, 700).forEach((a, i) => lines.push(`D-${i},deactivate_client,${a.email},`));
  active.filter((a) => a.role === 'provider').slice(0, 40).forEach((a, i) => lines.push(`P-${i},provider_termination,${a.email},2026-12-31`));
  return `${lines.join('\n')}\n`;
}

describe('cx sync push, killed and raced', () => {
  it('kill -9 at random points, then two pushes at once: every change applied exactly once, in order, none pending', { timeout: 240_000 }, async () => {
    const db = copyMirror(world);
    const made = cx(['batch', '-', '--yes', '--out', join(tempDir(), 'results.csv')], { db, input: tickets(db) });
    expect([0, 5]).toContain(made.code);
    const total = changes(db).length;
    expect(total).toBeGreaterThan(3000);
    expect(query(db, `SELECT count(*) AS n FROM (SELECT account_id FROM changes GROUP BY account_id HAVING count(*) >= 3)`)[0].n).toBeGreaterThan(500);

    const { random: rnd } = testRandom();
    // Some first attempts fail: a 503 (retried at once), a dropped connection after applying (the answer lost).
    const fault = (id: string, attempt: number) => {
      const h = parseInt(id.slice(0, 4), 16);
      if (attempt > 1) return undefined;
      if (h % 41 === 0) return { status: 503, retryAfter: '0' };
      if (h % 53 === 0) return { drop: true as const, apply: true };
      return undefined;
    };
    const platform = await standIn({ latencyMs: () => Math.floor(rnd() * 3), fault: (a) => (a.kind === 'change' ? fault(a.id, a.attempt) : undefined) });
    try {
      const env = baseEnv(db, syncEnv(platform));
      for (let i = 0; i < KILLS; i++) {
        const child = spawn(process.execPath, [CX, 'sync', 'push', '--json'], { env, stdio: 'ignore' });
        await new Promise((r) => setTimeout(r, 300 + rnd() * 800));
        child.kill('SIGKILL');
        await once(child, 'close');
        // Whatever the moment: the mirror never holds a change as delivered that the platform did not apply.
        for (const c of changes(db)) if (c.state === 'delivered') expect(platform.applied.has(c.key), c.key).toBe(true);
      }
      const afterKills = changes(db).filter((c) => c.state === 'delivered').length;
      expect(afterKills).toBeLessThan(total); // the two pushes below still have work

      const [a, b] = await Promise.all([pushProcess(db, platform), pushProcess(db, platform)]);
      // Nothing failed: neither exits 5 for the changes the other one held.
      expect([a.code, b.code], `${a.stdout}${a.stderr}\n${b.stdout}${b.stderr}`).toEqual([0, 0]);
      expect(a.json().failed + b.json().failed).toBe(0);
      // Eight requests in flight are not a listener leak: no warning on stderr.
      for (const r of [a, b]) expect(r.stderr).toBe('');
      const rows = changes(db);
      expect(rows.filter((c) => c.state !== 'delivered')).toEqual([]);
      expect(new Set(platform.applied.keys())).toEqual(new Set(rows.map((c) => c.key)));
      expect(platform.applied.size).toBe(total);
      // Each account's changes were first applied in the order the mirror made them.
      const made = new Map(rows.map((c) => [c.key, c.id]));
      const lastByAccount = new Map<string, number>();
      for (const key of platform.order) {
        const account = platform.applied.get(key)!.account_id!;
        const id = made.get(key)!;
        expect(id, `account ${account}`).toBeGreaterThan(lastByAccount.get(account) ?? 0);
        lastByAccount.set(account, id);
      }
      expectAgreement(db, platform);
      expect(cx(['audit', '--verify', '--json'], { db }).json()).toMatchObject({ ok: true, first_bad_row: null });
      expect(platform.arrivals.filter((x) => x.kind === 'audit').length).toBeGreaterThan(5); // in pages
      console.log(`sync crash: ${total} changes; ${afterKills} delivered by the ${KILLS} killed pushes; ${platform.stats().repeats} repeats answered 409`);
    } finally {
      await platform.close();
    }
  });
});
