// Nothing in clear after kill -9 (issue 19, section 4), and db encrypt / db rekey all or nothing under it:
// an import, a batch, `db encrypt` and `db rekey` killed at random moments (seeded: test/helpers/seed.ts),
// and after each kill no file in the mirror's folder or the temp folder holds a value of the generated world,
// the mirror is whole (or, for an import into a new file, not there yet), and a run to completion finishes.
// The keys are cx's own key files here (no CX_DB_KEY), so the keys a killed conversion kept are seen too:
// after every rerun the key folder holds the live mirror's key alone.
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { examineMirrorFile, useKey } from '../../src/store/cipher.js';
import { baseEnv, copyMirror, CX, cx, REPO, tempDir } from '../helpers/cx.js';
import { filesHolding } from '../helpers/encryption.js';
import { testRandom } from '../helpers/seed.js';
import { exportWorld, knownValues, ticketsFromWorld } from '../helpers/world.js';

const ACCOUNTS = 4000;
const KILLS = 8;

let world: string;
let known: string[];
let plainTemplate: string;
beforeAll(() => {
  world = exportWorld(join(tempDir('cx-world-'), 'exports'), ACCOUNTS, { notes: 200, seed: 'kill-clear' });
  known = knownValues(world);
  plainTemplate = join(tempDir('cx-plain-'), 'plain.db');
  expect(cx(['db', 'init', '--plaintext'], { db: plainTemplate }).code).toBe(0);
  expect(cx(['db', 'import', world], { db: plainTemplate }).code).toBe(0);
}, 300_000);

interface Place {
  mirror: string;
  temp: string;
  config: string;
  db: string;
  env: Record<string, string | undefined>;
}

function place(): Place {
  const root = tempDir('cx-kill-');
  const p = { mirror: join(root, 'mirror'), temp: join(root, 'tmp'), config: join(root, 'config') };
  for (const d of Object.values(p)) mkdirSync(d);
  return { ...p, db: join(p.mirror, 'mirror.db'), env: { CX_DB_KEY: undefined, XDG_CONFIG_HOME: p.config, TMPDIR: p.temp, SQLITE_TMPDIR: p.temp } };
}

const keyFolder = (p: Place) => join(p.config, 'cx', 'keys');
const keyNames = (p: Place) => (existsSync(keyFolder(p)) ? readdirSync(keyFolder(p)).sort() : []);

/** Start cx and kill -9 it after `delayMs`; the signal, or how it exited when it finished first. */
function killedAfter(args: string[], p: Place, delayMs: number): Promise<string> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CX, ...args], { cwd: REPO, env: baseEnv(p.db, p.env), stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      done(signal ?? `exit ${code}`);
    });
  });
}

/** How long a clean run of `args` takes on a fresh place made by `setup`. */
function cleanRunMs(args: string[], setup: (p: Place) => void): number {
  const p = place();
  setup(p);
  const started = performance.now();
  const r = cx(args, { db: p.db, env: p.env });
  expect([0, 5], r.stderr).toContain(r.code);
  return performance.now() - started;
}

/**
 * The mirror as the next cx finds it: opened with its own key file (by its id) when encrypted; its rows and
 * check. Read-write, as cx opens it: a kill -9 in the middle of a write can leave a write-ahead log that only
 * a writer may recover (a read-only connection gets SQLITE_READONLY_RECOVERY). Look for files in clear first:
 * closing this connection checkpoints that log.
 */
function state(p: Place): { kind: string; accounts: number; check: string } {
  const file = examineMirrorFile(p.db);
  if (file.kind !== 'plaintext' && file.kind !== 'encrypted') return { kind: file.kind, accounts: 0, check: '' };
  const db = new Database(p.db, { fileMustExist: true });
  try {
    if (file.kind === 'encrypted') useKey(db, Buffer.from(readFileSync(join(keyFolder(p), `${file.id}.key`), 'utf8').trim(), 'hex'));
    const accounts = (db.prepare('SELECT count(*) AS n FROM accounts').get() as { n: number }).n;
    return { kind: file.kind, accounts, check: String(db.pragma('quick_check', { simple: true })) };
  } finally {
    db.close();
  }
}

/** No file beside the mirror or in the temp folder in clear; `allowMirror`: the mirror itself is a plaintext one. */
function nothingInClear(p: Place, trail: string[], allowMirror = false): void {
  const skip = (path: string) => allowMirror && /\/mirror\.db(-wal|-shm|-journal)?$/.test(path);
  expect(filesHolding([p.mirror, p.temp], known, skip), trail.join(' ')).toEqual([]);
}

describe('kill -9, then nothing in clear and a whole mirror', () => {
  it(`cx db import into a new mirror, killed ${KILLS} times at random moments`, { timeout: 600_000 }, async () => {
    const full = cleanRunMs(['db', 'import', world], () => undefined);
    const { random } = testRandom();
    const trail: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      const p = place();
      const how = await killedAfter(['db', 'import', world], p, Math.floor(random() * full));
      nothingInClear(p, [...trail, how]);
      const s = state(p);
      trail.push(`${how}:${s.kind}/${s.accounts}`);
      // No mirror yet, or one that is whole: empty (the import's one transaction not committed) or complete.
      if (s.kind === 'encrypted') {
        expect(s.check, trail.join(' ')).toBe('ok');
        expect([0, ACCOUNTS], trail.join(' ')).toContain(s.accounts);
        expect(keyNames(p), trail.join(' ')).toEqual([`${(examineMirrorFile(p.db) as { id: string }).id}.key`]);
      } else expect(s.kind, trail.join(' ')).toBe('absent');
      const leftBehind = readdirSync(p.mirror).join(',');
      const again = cx(['db', 'import', world], { db: p.db, env: p.env });
      expect(again.code, `${trail.join(' ')} [${leftBehind}] ${again.stderr}`).toBe(0);
      expect(state(p), trail.join(' ')).toMatchObject({ kind: 'encrypted', accounts: ACCOUNTS, check: 'ok' });
      expect(readdirSync(p.mirror).filter((n) => n.includes('.stage')), trail.join(' ')).toEqual([]);
    }
    expect(trail.filter((t) => t.startsWith('SIGKILL')).length, trail.join(' ')).toBeGreaterThanOrEqual(KILLS / 2);
  });

  it(`cx batch, killed ${KILLS} times at random moments`, { timeout: 600_000 }, async () => {
    const p = place();
    expect(cx(['db', 'import', world], { db: p.db, env: p.env }).code).toBe(0);
    const tickets = ticketsFromWorld(world, join(tempDir(), 'tickets.csv'), 1500);
    const out = join(tempDir(), 'results.csv');
    const args = ['batch', tickets, '--yes', '--force', '--out', out, '--notes-dir', join(tempDir(), 'notes')];
    const full = cleanRunMs(args, (q) => expect(cx(['db', 'import', world], { db: q.db, env: q.env }).code).toBe(0));
    const { random } = testRandom();
    const trail: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      trail.push(await killedAfter(args, p, Math.floor(random() * full)));
      nothingInClear(p, trail);
      expect(state(p), trail.join(' ')).toMatchObject({ kind: 'encrypted', accounts: ACCOUNTS, check: 'ok' });
    }
    const last = cx(args, { db: p.db, env: p.env });
    expect([0, 5], last.stderr).toContain(last.code);
    nothingInClear(p, trail);
  });

  it(`cx db encrypt, killed ${KILLS * 2} times at random moments: the old file or the new one, whole; a rerun finishes`, { timeout: 600_000 }, async () => {
    const fresh = (p: Place) => placeCopy(copyMirror(plainTemplate), p.db);
    const full = cleanRunMs(['db', 'encrypt'], fresh);
    const { random } = testRandom();
    const trail: string[] = [];
    for (let k = 0; k < KILLS * 2; k++) {
      const p = place();
      fresh(p);
      const how = await killedAfter(['db', 'encrypt'], p, Math.floor(random() * full * 1.2));
      // Never both readable: once encrypted, nothing beside it in clear; while plaintext, only it is.
      const kind = examineMirrorFile(p.db).kind;
      nothingInClear(p, [...trail, `${how}:${kind}`], kind === 'plaintext');
      const s = state(p);
      trail.push(`${how}:${s.kind}`);
      expect(s, trail.join(' ')).toMatchObject({ accounts: ACCOUNTS, check: 'ok' });
      const again = cx(['db', 'encrypt'], { db: p.db, env: p.env });
      expect(again.code, again.stderr).toBe(0);
      const after = state(p);
      expect(after, trail.join(' ')).toMatchObject({ kind: 'encrypted', accounts: ACCOUNTS, check: 'ok' });
      nothingInClear(p, trail);
      expect(keyNames(p), trail.join(' ')).toEqual([`${(examineMirrorFile(p.db) as { id: string }).id}.key`]);
      expect(readdirSync(p.mirror).filter((n) => n.startsWith('.cx-tmp-') || n.endsWith('-cx-keys-pending')), trail.join(' ')).toEqual([]);
    }
    expect(trail.filter((t) => t.startsWith('SIGKILL')).length, trail.join(' ')).toBeGreaterThanOrEqual(KILLS / 2);
  });

  it(`cx db rekey, killed ${KILLS} times at random moments: one key opens it, and after a rerun only the live key is kept`, { timeout: 600_000 }, async () => {
    const fresh = (p: Place) => {
      placeCopy(copyMirror(plainTemplate), p.db);
      expect(cx(['db', 'encrypt'], { db: p.db, env: p.env }).code).toBe(0);
    };
    const full = cleanRunMs(['db', 'rekey'], fresh);
    const { random } = testRandom();
    const trail: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      const p = place();
      fresh(p);
      const how = await killedAfter(['db', 'rekey'], p, Math.floor(random() * full * 1.2));
      const s = state(p);
      trail.push(`${how}:${keyNames(p).length} keys`);
      expect(s, trail.join(' ')).toMatchObject({ kind: 'encrypted', accounts: ACCOUNTS, check: 'ok' });
      nothingInClear(p, trail);
      const again = cx(['db', 'rekey'], { db: p.db, env: p.env });
      expect(again.code, again.stderr).toBe(0);
      expect(state(p), trail.join(' ')).toMatchObject({ kind: 'encrypted', accounts: ACCOUNTS, check: 'ok' });
      expect(keyNames(p), trail.join(' ')).toEqual([`${(examineMirrorFile(p.db) as { id: string }).id}.key`]);
    }
  });
});

/** A copy made in a folder of its own, put in the place's mirror folder (owner-only, as cx makes mirrors). */
function placeCopy(from: string, to: string): void {
  copyFileSync(from, to);
  chmodSync(to, 0o600);
}
