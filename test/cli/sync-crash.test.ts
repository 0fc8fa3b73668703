// Exactly once under kill -9 and concurrent pushes, and across mirrors.
// - Thousands of pending changes, made by a real `cx batch` on a small generated world (resets; client
//   deactivations, each a deactivation and its email after a reset of the same account: three changes in
//   order; provider terminations; unsubscribes lifted), `cx sync push` killed with SIGKILL at random points
//   many times, then two pushes at once to finish: the platform applied every change exactly once, in each
//   account's order, never had one key in flight twice at once, and nothing is pending.
// - Two mirrors made from the same world process the same ticket exports and both push to one platform:
//   their keys agree (no row id, time or agent goes into a key), so each change is applied once.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, copyMirror, CX, cx, DEMO, query, tempDir } from '../helpers/cx.js';
import { generatedMirror, seededRandom } from '../helpers/world.js';
import { changes, expectAgreement, push, standIn, syncEnv } from '../helpers/sync.js';

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

    const rnd = seededRandom(7);
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

      const [a, b] = await Promise.all([push(db, platform), push(db, platform)]);
      expect([a.code, b.code], `${a.stderr}\n${b.stderr}`).toContain(0);
      for (const r of [a, b]) expect([0, 5]).toContain(r.code);
      // Eight requests in flight are not a listener leak: no warning on stderr.
      for (const r of [a, b]) if (r.code === 0) expect(r.stderr).toBe('');
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

describe('cx sync push and a busy mirror', () => {
  it('exits 7 when another writer holds the lock past the wait, having recorded nothing', async () => {
    const db = copyMirror(world);
    expect(cx(['reset', query<{ email: string }>(db, `SELECT email FROM accounts WHERE status = 'active' ORDER BY id LIMIT 1`)[0]!.email, '--ticket', 'B-1', '--yes'], { db }).code).toBe(0);
    const platform = await standIn();
    const holder = new Database(db);
    try {
      holder.exec('BEGIN IMMEDIATE');
      const r = await push(db, platform);
      expect(r.code, r.stderr).toBe(7);
      expect(r.stderr).toMatch(/cx: the mirror is busy/);
      expect(platform.stats().requests).toBe(0);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
      await platform.close();
    }
    expect(changes(db)).toEqual([expect.objectContaining({ state: 'pending', attempts: 0, lease_owner: null })]);
  });
});

describe('two mirrors, one platform', () => {
  it('processing the same ticket exports make the same keys, and the platform applies each change once', async () => {
    const notes = tempDir();
    const mirrors = ['dana', 'luis'].map((agent, i) => {
      const db = join(tempDir(), `${agent}.db`);
      const env = { CX_AGENT: agent };
      expect(cx(['db', 'seed', '--demo'], { db, env }).code).toBe(0);
      // The second mirror made a change of its own first: its row ids differ from the first's.
      if (i === 1) expect(cx(['reset', 'nora.feld@gmail.com', '--ticket', 'OWN-1', '--yes'], { db, env }).code).toBe(0);
      for (const [file, extra] of [['zendesk.csv', ['--type-column', 'CX action [list]']], ['canonical.csv', []]] as const) {
        const r = cx(['batch', join(DEMO, 'tickets', file), '--yes', '--notes-dir', notes, '--out', join(tempDir(), 'r.csv'), ...extra], { db, env });
        expect([0, 5]).toContain(r.code);
      }
      return db;
    });
    const keysOf = (db: string) => query<{ key: string; kind: string; account_id: string; agent: string; id: number }>(db, `SELECT id, key, kind, account_id, agent FROM changes WHERE ticket <> 'OWN-1' ORDER BY key`);
    const [dana, luis] = mirrors.map(keysOf);
    expect(dana!.length).toBeGreaterThan(10);
    expect(luis!.map((c) => [c.key, c.kind, c.account_id])).toEqual(dana!.map((c) => [c.key, c.kind, c.account_id]));
    expect(luis!.map((c) => c.id)).not.toEqual(dana!.map((c) => c.id));
    expect(new Set(luis!.map((c) => c.agent))).toEqual(new Set(['luis']));
    const mirrorIds = mirrors.map((db) => query<{ value: string }>(db, 'SELECT value FROM mirror_meta')[0]!.value);
    expect(mirrorIds[0]).not.toBe(mirrorIds[1]);

    const platform = await standIn();
    try {
      const first = await push(mirrors[0]!, platform);
      expect(first.code, first.stderr).toBe(0);
      const second = await push(mirrors[1]!, platform);
      expect(second.code, second.stderr).toBe(0);
      expect(second.json()).toMatchObject({ delivered: dana!.length + 1, failed: 0, pending: 0 });
      expect(platform.applied.size).toBe(dana!.length + 1); // each ticket's changes once, and luis's own reset
      expect(platform.stats().repeats).toBe(dana!.length);
      // The second mirror records them delivered (the platform had them: 409), audited as delivered before.
      expect(query(mirrors[1]!, `SELECT count(*) AS n FROM audit_log WHERE action = 'sync.delivered' AND outcome = 'already_done'`)[0].n).toBe(dana!.length);
      for (const db of mirrors) expectAgreement(db, platform, { shared: true });
      expect(platform.audit.size).toBe(2); // each mirror's log kept apart
    } finally {
      await platform.close();
    }
  });
});
