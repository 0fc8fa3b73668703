// The platform as the audit log's witness (issue 20, part 1): anyone who can write the mirror file can delete
// a ticket's rows, recompute every hash and move the local anchor, and the chain then holds. With a platform
// configured, `cx audit --verify` and `cx db doctor`'s `audit_remote` check ask it for its own record
// (`GET cx/v1/audit/anchor`, the stand-in on 127.0.0.1) and fail (exit 6) when this mirror does not hold the
// row the platform anchored, with the platform's hash. A platform that cannot be asked is not a pass.
import { openDb } from '../helpers/sqlite.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainHash, GENESIS_HASH, type AuditRow } from '../../src/rules/audit-chain.js';
import type { StandIn } from '../support/platform-stand-in.js';
import { copyMirror, demoMirror, query } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { push, SECRET, standIn, syncEnv } from '../helpers/sync.js';

let platform: StandIn;
let pushed: string;
let anchored: number;

beforeAll(async () => {
  platform = await standIn();
  pushed = demoMirror();
  for (const [email, ticket] of [['jane.doe@gmail.com', 'W-1'], ['noah.kim@icloud.com', 'W-2'], ['wei.chen@gmail.com', 'W-3']]) {
    const r = await cxIn(['reset', email!, '--ticket', ticket!, '--yes'], { db: pushed });
    if (r.code !== 0) throw new Error(r.stderr);
  }
  const r = await push(pushed, platform);
  if (r.code !== 0) throw new Error(r.stderr);
  anchored = r.json().audit.anchored_id;
});
afterAll(async () => {
  expect(platform.violations).toEqual([]);
  await platform.close();
});

async function verify(db: string, env: Record<string, string | undefined> = {}) {
  const r = await cxIn(['audit', '--verify', '--json'], { db, env });
  return { code: r.code, result: r.json() };
}

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

async function strict(db: string, env: Record<string, string | undefined> = {}) {
  const r = await cxIn(['db', 'doctor', '--strict', '--json'], { db, env });
  const checks = r.json<{ checks: Check[] }>().checks;
  return { code: r.code, failed: checks.filter((c) => !c.ok).map((c) => c.name), remote: checks.find((c) => c.name === 'audit_remote')! };
}

/** What an attacker with the file does: the rows of a ticket gone, every hash after recomputed, the anchor moved, the triggers back. */
function rewriteWithout(db: string, ticket: string): void {
  const conn = openDb(db);
  const triggers = conn.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'`).all() as Array<{ name: string; sql: string }>;
  for (const t of triggers) conn.exec(`DROP TRIGGER "${t.name}"`);
  conn.prepare('DELETE FROM audit_log WHERE ticket = ?').run(ticket);
  let prev = GENESIS_HASH;
  let last: AuditRow | undefined;
  for (const row of conn.prepare('SELECT * FROM audit_log ORDER BY id').all() as AuditRow[]) {
    const hash = chainHash(prev, row);
    conn.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?').run(prev, hash, row.id);
    prev = hash;
    last = { ...row, hash };
  }
  conn.prepare('UPDATE audit_anchor SET anchored_id = ?, anchored_hash = ?').run(last!.id, last!.hash);
  for (const t of triggers) conn.exec(t.sql);
  conn.close();
}

describe('cx audit --verify and the platform\'s record', () => {
  it('matches the platform\'s anchor: ok, and says so; without a platform it says only the local chain was checked', async () => {
    const withPlatform = await verify(pushed, syncEnv(platform));
    expect(withPlatform).toEqual({
      code: 0,
      result: { ok: true, rows: anchored, first_bad_row: null, anchored_id: anchored, unanchored_rows: 0, remote: { status: 'matches', anchored_id: anchored, detail: `row ${anchored} is the row the platform anchored` } },
    });
    const mirror = query<{ value: string }>(pushed, `SELECT value FROM mirror_meta WHERE key = 'mirror_id'`)[0]!.value;
    expect(platform.arrivals.filter((a) => a.kind === 'anchor').map((a) => a.id)).toEqual([expect.stringMatching(new RegExp(`^${mirror}:anchor:\\d+$`))]);
    const human = await cxIn(['audit', '--verify'], { db: pushed, env: syncEnv(platform) });
    expect(human.stdout).toMatch(new RegExp(`^The platform's record: row ${anchored} is the row the platform anchored\\.$`, 'm'));

    const alone = await verify(pushed);
    expect(alone).toMatchObject({ code: 0, result: { ok: true, remote: { status: 'not_configured', anchored_id: null, detail: 'not configured' } } });
    expect((await cxIn(['audit', '--verify'], { db: pushed })).stdout).toMatch(/^Only the local chain was checked: no platform is configured \(CX_PLATFORM_URL\)/m);

    expect(await strict(pushed, syncEnv(platform))).toMatchObject({ code: 0, failed: [], remote: { ok: true, detail: `row ${anchored} is the row the platform anchored` } });
    expect(await strict(pushed)).toMatchObject({ code: 0, failed: [], remote: { ok: true, detail: 'not configured' } });
  });

  it('catches a ticket\'s rows deleted in the file, every hash recomputed and the anchor moved, which the local chain cannot', async () => {
    const db = copyMirror(pushed, 'rewritten.db');
    rewriteWithout(db, 'W-2');
    expect(query(db, `SELECT count(*) AS n FROM audit_log WHERE ticket = 'W-2'`)).toEqual([{ n: 0 }]);
    // The hole without a witness: the rewritten log holds as a chain, up to the anchor moved with it.
    const local = await verify(db);
    expect(local).toMatchObject({ code: 0, result: { ok: true, first_bad_row: null, remote: { status: 'not_configured' } } });
    expect(await strict(db)).toMatchObject({ code: 0, failed: [] });

    const caught = await verify(db, syncEnv(platform));
    expect(caught.code).toBe(6);
    expect(caught.result).toMatchObject({ ok: false, first_bad_row: anchored, remote: { status: 'differs', anchored_id: anchored } });
    const human = await cxIn(['audit', '--verify'], { db, env: syncEnv(platform) });
    expect(human.code).toBe(6);
    expect(human.stderr).toMatch(new RegExp(`^cx: audit log: against the platform: row ${anchored} is not the row the platform anchored \\(another hash\\)`));
    const doctor = await strict(db, syncEnv(platform));
    expect(doctor).toMatchObject({ code: 6, failed: ['audit_remote'], remote: { detail: expect.stringMatching(`row ${anchored} is not the row the platform anchored`) } });
  });

  it('catches the end cut off through the platform\'s anchor, the local anchor moved back to what is left', async () => {
    const db = copyMirror(pushed, 'cut.db');
    const conn = openDb(db);
    conn.exec('DROP TRIGGER audit_log_no_delete');
    conn.prepare('DELETE FROM audit_log WHERE id >= ?').run(anchored - 1);
    const last = conn.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string };
    conn.prepare('UPDATE audit_anchor SET anchored_id = ?, anchored_hash = ?').run(last.id, last.hash);
    conn.close();
    expect((await verify(db)).result).toMatchObject({ ok: true });
    expect(await verify(db, syncEnv(platform))).toMatchObject({
      code: 6,
      result: { ok: false, first_bad_row: anchored - 1, remote: { status: 'differs', detail: `row ${anchored}, which the platform holds as anchored, is not in this mirror (rows from ${anchored - 1} on are gone)` } },
    });
  });

  it('a platform that holds no row of a mirror that says it anchored some, or fewer rows than it says: differs', async () => {
    const empty = await standIn();
    try {
      expect((await verify(pushed, syncEnv(empty))).result).toMatchObject({
        ok: false, first_bad_row: null, remote: { status: 'differs', anchored_id: null, detail: `the platform holds no row of this mirror, but this mirror says row ${anchored} was anchored` },
      });
      // A mirror never pushed: nothing to compare, and nothing anchored to lose.
      const db = demoMirror();
      expect(await verify(db, syncEnv(empty))).toMatchObject({ code: 0, result: { ok: true, remote: { status: 'matches', anchored_id: null } } });
      // Pushed, then the platform restored from an older copy.
      expect((await cxIn(['reset', 'jane.doe@gmail.com', '--ticket', 'W-9', '--yes'], { db })).code).toBe(0);
      expect((await push(db, empty)).code).toBe(0);
      const mirror = query<{ value: string }>(db, `SELECT value FROM mirror_meta WHERE key = 'mirror_id'`)[0]!.value;
      const held = query<{ anchored_id: number }>(db, 'SELECT anchored_id FROM audit_anchor')[0]!.anchored_id;
      empty.forgetAuditAfter(mirror, held - 2);
      expect(await verify(db, syncEnv(empty))).toMatchObject({
        code: 6, result: { ok: false, remote: { status: 'differs', anchored_id: held - 2, detail: `this mirror says row ${held} was anchored, but the platform holds rows up to ${held - 2} only` } },
      });
      expect(empty.violations).toEqual([]);
    } finally {
      await empty.close();
    }
  });

  it('a platform that cannot be asked is not a pass (exit 6, saying why); a setting missing is exit 2', async () => {
    const closed = `http://127.0.0.1:${await closedPort()}`;
    const down = await verify(pushed, syncEnv(closed));
    expect(down).toMatchObject({ code: 6, result: { ok: false, first_bad_row: null, remote: { status: 'unavailable', anchored_id: null } } });
    expect(down.result.remote.detail).toMatch(/^the platform could not be asked \(the platform did not answer: connection refused\): only the local chain was checked$/);
    const human = await cxIn(['audit', '--verify'], { db: pushed, env: syncEnv(closed) });
    expect(human.stderr).toMatch(/^cx: audit log: against the platform: the platform could not be asked/);
    expect(human.stdout).toBe('');
    expect(await strict(pushed, syncEnv(closed))).toMatchObject({ code: 6, failed: ['audit_remote'] });

    for (const [fault, why] of [[{ status: 401 }, /refused the credentials \(HTTP 401\)/], [{ status: 200, text: '<html>hi</html>' }, /answered HTTP 200 without an anchor, not the cx API/]] as const) {
      platform.setFault((a) => (a.kind === 'anchor' ? fault : undefined));
      const r = await verify(pushed, syncEnv(platform));
      expect(r.code).toBe(6);
      expect(r.result.remote).toMatchObject({ status: 'unavailable', detail: expect.stringMatching(why) });
    }
    platform.setFault(undefined);

    const noSecret = await cxIn(['audit', '--verify'], { db: pushed, env: { CX_PLATFORM_URL: platform.url, CX_PLATFORM_SECRET: undefined } });
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toMatch(/the platform secret is not set/);
    expect(await strict(pushed, { CX_PLATFORM_URL: platform.url, CX_PLATFORM_SECRET: undefined })).toMatchObject({
      code: 6, failed: ['audit_remote'], remote: { detail: expect.stringMatching(/^the platform could not be asked \(the platform secret is not set\)/) },
    });
    expect(JSON.stringify(down)).not.toContain(SECRET);
  });
});

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
