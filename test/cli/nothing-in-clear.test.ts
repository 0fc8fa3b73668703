// Nothing in clear beside the mirror (issue 19, section 4): after an import, a batch, a notes export and a
// `db encrypt`, no file cx left in the mirror's folder or in the temp folder (TMPDIR and SQLITE_TMPDIR point
// at one of the test's own) holds a client's address, name or a note's text, values taken from the generated
// world. The files the agent asked for (--out, --notes-dir) are hand-over files and are searched apart: they
// hold the data by design. The kill -9 variants are in test/soak/clear-after-kill.test.ts.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { examineMirrorFile } from '../../src/store/cipher.js';
import { baseEnv, CX, cx, REPO, tempDir } from '../helpers/cx.js';
import { filesHolding, openedUnder } from '../helpers/encryption.js';
import { exportWorld, knownValues, ticketsFromWorld } from '../helpers/world.js';

let world: string;
let known: string[];
beforeAll(() => {
  world = exportWorld(join(tempDir('cx-world-'), 'exports'), 600, { notes: 60, seed: 'in-clear' });
  known = knownValues(world);
});

/** A mirror folder and a temp folder of the test's own, and the environment that points cx at them. */
function places() {
  const root = tempDir('cx-clear-');
  const dirs = { mirror: join(root, 'mirror'), temp: join(root, 'tmp'), out: join(root, 'out') };
  for (const d of Object.values(dirs)) mkdirSync(d);
  const env = { TMPDIR: dirs.temp, SQLITE_TMPDIR: dirs.temp };
  return { ...dirs, db: join(dirs.mirror, 'mirror.db'), env };
}

describe('nothing in clear beside the mirror', () => {
  it('the known values are found where they are in clear, and in a temporary file SQLite unlinks (the checks can fail)', async () => {
    expect(known.length).toBeGreaterThan(40);
    expect(filesHolding([world], known).length).toBeGreaterThan(0);
    // What cx's connections never do: a TEMP table in a temporary file, held open a moment.
    const temp = tempDir('cx-clear-tmp-');
    const script = `const D = require('better-sqlite3'); const db = new D(':memory:'); db.pragma('temp_store = FILE');
      db.exec('CREATE TEMP TABLE t (v)'); db.pragma('temp.cache_size = 10'); const ins = db.prepare('INSERT INTO t VALUES (?)');
      db.exec('BEGIN'); for (let i = 0; i < 3000; i++) ins.run(process.argv[1] + i); db.exec('COMMIT');
      setTimeout(() => db.close(), 400);`;
    const child = spawn(process.execPath, ['-e', script, known[0]!], { cwd: REPO, env: { ...process.env, SQLITE_TMPDIR: temp, TMPDIR: temp }, stdio: 'ignore' });
    const opened = await openedUnder(child, temp, known);
    expect(opened.some((f) => f.includes(known[0]!))).toBe(true);
  });

  it('after an import, a batch and a notes export: the mirror, its -wal/-shm and every file cx left hold none of them', async () => {
    const p = places();
    const importing = spawn(process.execPath, [CX, 'db', 'import', world], { cwd: REPO, env: baseEnv(p.db, p.env), stdio: 'ignore' });
    const [openedTemp, openedBeside] = await Promise.all([openedUnder(importing, p.temp, known), openedUnder(importing, p.mirror, known)]);
    expect(importing.exitCode).toBe(0);
    expect(openedTemp).toEqual([]); // no temporary file at all, in clear or not
    expect(openedBeside.filter((f) => f.includes(':'))).toEqual([]); // the mirror, its -wal/-shm and the stage: none in clear
    expect(openedBeside.some((f) => f.endsWith('.stage'))).toBe(true);
    expect(filesHolding([p.mirror, p.temp], known)).toEqual([]);

    const tickets = ticketsFromWorld(world, join(p.out, 'tickets.csv'), 100);
    const batch = cx(['batch', tickets, '--yes', '--out', join(p.out, 'results.csv'), '--notes-dir', join(p.out, 'notes')], { db: p.db, env: p.env });
    expect([0, 5], batch.stderr).toContain(batch.code);
    expect(filesHolding([p.mirror, p.temp], known)).toEqual([]);

    const exported = cx(['notes', 'export', 'departing.provider@example.com', '--ticket', 'CLR-1', '--yes', '--out', join(p.out, 'notes.zip')], { db: p.db, env: p.env });
    expect(exported.code, exported.stderr).toBe(0);
    expect(filesHolding([p.mirror, p.temp], known)).toEqual([]);
    // What the agent asked for holds the data, as it should; nothing else was written elsewhere.
    expect(filesHolding([p.out], known).length).toBeGreaterThan(0);
    expect(readdirSync(p.mirror).filter((n) => !/^mirror\.db(-wal|-shm)?$/.test(n))).toEqual([]);
  });

  it('after db encrypt of a plaintext mirror: the plaintext file is gone, nothing beside the new one holds the data', () => {
    const p = places();
    expect(cx(['db', 'init', '--plaintext'], { db: p.db, env: p.env }).code).toBe(0);
    expect(cx(['db', 'import', world], { db: p.db, env: p.env }).code).toBe(0);
    expect(filesHolding([p.mirror], known).length).toBeGreaterThan(0); // in clear, as asked
    const r = cx(['db', 'encrypt'], { db: p.db, env: p.env });
    expect(r.code, r.stderr).toBe(0);
    expect(examineMirrorFile(p.db).kind).toBe('encrypted');
    expect(filesHolding([p.mirror, p.temp], known)).toEqual([]);
  });
});
