// `cx sync push` and other writers, and several mirrors: a busy mirror is exit 7 with nothing recorded; two
// mirrors made from the same world process the same ticket exports and both push to one platform: their keys
// agree (no row id, time or agent goes into a key), so each change is applied once.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO, demoMirror, query, tempDir } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { changes, expectAgreement, push, standIn } from '../helpers/sync.js';
import { openDb } from '../helpers/sqlite.js';

describe('cx sync push and a busy mirror', () => {
  it('exits 7 when another writer holds the lock past the wait, having recorded nothing', async () => {
    const db = demoMirror();
    expect((await cxIn(['reset', query<{ email: string }>(db, `SELECT email FROM accounts WHERE status = 'active' ORDER BY id LIMIT 1`)[0]!.email, '--ticket', 'B-1', '--yes'], { db })).code).toBe(0);
    const platform = await standIn();
    const holder = openDb(db);
    try {
      holder.exec('BEGIN IMMEDIATE');
      const r = await push(db, platform, { CX_LOCK_WAIT_MS: '300' });
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
    const mirrors: string[] = [];
    for (const [i, agent] of ['dana', 'luis'].entries()) {
      const db = join(tempDir(), `${agent}.db`);
      const env = { CX_AGENT: agent };
      expect((await cxIn(['db', 'seed', '--demo'], { db, env })).code).toBe(0);
      // The second mirror made a change of its own first: its row ids differ from the first's.
      if (i === 1) expect((await cxIn(['reset', 'nora.feld@gmail.com', '--ticket', 'OWN-1', '--yes'], { db, env })).code).toBe(0);
      for (const [file, extra] of [['zendesk.csv', ['--type-column', 'CX action [list]']], ['canonical.csv', []]] as const) {
        const r = await cxIn(['batch', join(DEMO, 'tickets', file), '--yes', '--notes-dir', notes, '--out', join(tempDir(), 'r.csv'), ...extra], { db, env });
        expect([0, 5]).toContain(r.code);
      }
      mirrors.push(db);
    }
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
