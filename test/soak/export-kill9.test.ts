// kill -9 in the middle of a 20,000-note export (issue 20 §3): the temporary file it leaves holds readable
// notes, so its started row must already be in the log, naming the provider, every client whose notes the
// zip was to hold and the temporary file itself; `cx audit --email <client>` finds it and `cx audit` shows it
// "started, not completed". The kill point is drawn from a seeded generator (test/helpers/seed.ts).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, copyMirror, CX, cx, query, REPO, tempDir } from '../helpers/cx.js';
import { auditChainHolds } from '../helpers/in-process.js';
import { testRandom } from '../helpers/seed.js';
import { generatedMirror } from '../helpers/world.js';

const PROVIDER = 'departing.provider@example.com';
const NOTES = 20_000;
const KILLS = 3;

let template = '';
beforeAll(() => {
  template = generatedMirror(1500, { notes: NOTES });
}, 300_000);

const temps = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('.cx-tmp-'));
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Starts the export and kills it (-9) once its temporary file has grown past `bytes`; the file's name and size then. */
async function killedAt(db: string, dir: string, ticket: string, bytes: number): Promise<{ temp: string; size: number }> {
  const before = new Set(temps(dir));
  const child = spawn(process.execPath, [CX, 'notes', 'export', PROVIDER, '--ticket', ticket, '--yes', '--out', join(dir, 'notes.zip')], { cwd: REPO, env: baseEnv(db), stdio: 'ignore' });
  const ended = new Promise<void>((done) => child.on('close', () => done()));
  let over = false;
  void ended.then(() => (over = true));
  for (;;) {
    if (over) throw new Error(`the export of ${ticket} ended before its temporary file reached ${bytes} bytes`);
    const temp = temps(dir).find((t) => !before.has(t));
    if (temp && statSync(join(dir, temp)).size >= bytes) {
      child.kill('SIGKILL');
      await ended;
      return { temp, size: statSync(join(dir, temp)).size };
    }
    await sleep(5);
  }
}

describe('cx notes export killed (-9) in the middle of 20,000 notes', () => {
  it(`${KILLS} times at seeded points: each temporary file of notes has its started row, naming every client`, { timeout: 600_000 }, async () => {
    const db = copyMirror(template);
    const dir = tempDir();
    const clients = query<{ client_id: string; email: string }>(db, `SELECT DISTINCT n.client_id, c.email FROM progress_notes n JOIN accounts c ON c.id = n.client_id
      JOIN accounts p ON p.id = n.provider_id WHERE p.email = ? ORDER BY n.client_id`, PROVIDER);
    expect(clients.length).toBeGreaterThan(100);
    const { random } = testRandom();
    for (let k = 0; k < KILLS; k++) {
      const ticket = `K9-${k}`;
      // Somewhere in the first ~8 MB of a ~25 MB zip: well inside the notes.
      const { temp, size } = await killedAt(db, dir, ticket, 64 * 1024 + Math.floor(random() * 8 * 1024 * 1024));
      expect(existsSync(join(dir, temp))).toBe(true);
      expect(size).toBeGreaterThan(0);
      const rows = query<{ id: number; action: string; account_id: string; detail: string }>(db, 'SELECT id, action, account_id, detail FROM audit_log WHERE ticket = ? ORDER BY id', ticket);
      expect(rows.map((r) => [r.action, r.account_id]), `kill ${k} at ${size} bytes`).toEqual([['notes.export.started', expect.any(String)]]);
      const started = rows[0]!;
      expect(started.detail).toContain(`exporting ${NOTES.toLocaleString('en-US')} progress notes of provider ${started.account_id} about ${clients.length.toLocaleString('en-US')} clients: `);
      expect(started.detail).toContain(`to ${join(dir, 'notes.zip')}, written first as ${temp} [account ids: ${clients.length}, sha256 `);
      expect(query(db, 'SELECT account_id FROM audit_accounts WHERE audit_id = ? ORDER BY position', started.id).map((r) => r.account_id)).toEqual(clients.map((c) => c.client_id));
      // Whoever asks about any of those clients finds the export.
      for (const client of [clients[0]!, clients[clients.length - 1]!, clients[Math.floor(random() * clients.length)]!]) {
        const found = cx(['audit', '--email', client.email, '--json'], { db });
        expect(found.code, found.stderr).toBe(0);
        expect(found.json().map((r: { id: number }) => r.id), client.email).toContain(started.id);
      }
      const shown = cx(['audit', '--ticket', ticket, '--no-pager'], { db });
      expect(shown.stdout).toMatch(/notes\.export\.started.*started, not completed/);
    }
    expect(temps(dir)).toHaveLength(KILLS);
    expect(query(db, 'PRAGMA integrity_check')[0].integrity_check).toBe('ok');
    expect(await auditChainHolds(db)).toBe(true);
  });
});
