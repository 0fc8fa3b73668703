// Ctrl-C (SIGINT), SIGTERM and kill -9 at random points of a notes export and of a batch that exports notes
// (issue 10, section 2; issue 20, section 3). After every stop: the mirror passes integrity_check and its
// audit chain holds; every temporary zip that holds a byte has the started row that names it; no zip is on
// disk without a started row, and the one on disk is the one a completing row describes (but for a kill
// between its rename and its completing row's commit); every completed export has both rows; SIGINT and
// SIGTERM leave no temporary file and exit 130 saying how far the batch got; what kill -9 leaves is removed
// by a later run once a day old, not before. Then the batch runs to completion, each ticket once.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, copyMirror, CX, cx, query, REPO, tempDir } from '../helpers/cx.js';
import { auditChainHolds } from '../helpers/in-process.js';
import { testRandom } from '../helpers/seed.js';
import { generatedMirror } from '../helpers/world.js';

const PROVIDER = 'departing.provider@example.com';
const NOTES = 2000;
/** The tests that start cx a dozen times: a loaded machine needs more than vitest's default minute. */
const LONG = 240_000;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGKILL'] as const;
type Sig = (typeof SIGNALS)[number];

let template = '';
beforeAll(() => {
  template = generatedMirror(1500, { notes: NOTES });
});

interface Ended { code: number | null; signal: NodeJS.Signals | null; stderr: string }

function start(args: string[], db: string): { child: ChildProcess; ended: Promise<Ended> } {
  const child = spawn(process.execPath, [CX, ...args], { cwd: REPO, env: baseEnv(db), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const ended = new Promise<Ended>((done) => child.on('close', (code, signal) => done({ code, signal, stderr })));
  return { child, ended };
}

const temps = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('.cx-tmp-')) : []);
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Waits until a new temporary file shows in one of the folders (a zip or the results being written); with
 * `holding`, until it holds a byte (a zip's first bytes come after its started row has committed).
 */
async function tempAppears(dirs: string[], ended: Promise<Ended>, holding = false): Promise<boolean> {
  const old = new Set(dirs.flatMap(temps)); // left by an earlier kill -9
  let over = false;
  void ended.then(() => (over = true));
  const grown = (d: string, t: string) => !holding || (existsSync(join(d, t)) && statSync(join(d, t)).size > 0);
  while (!over) {
    if (dirs.some((d) => temps(d).some((t) => !old.has(t) && grown(d, t)))) return true;
    await sleep(2);
  }
  return false;
}

/**
 * Stops a run: after `delayMs`, or once a temporary file appears (certain to land mid-write), with `sig`.
 * Returns how it ended.
 */
async function stopped(args: string[], db: string, sig: Sig, when: { delayMs: number } | { tempIn: string[] }): Promise<Ended> {
  const { child, ended } = start(args, db);
  if ('delayMs' in when) await Promise.race([sleep(when.delayMs), ended]);
  else await tempAppears(when.tempIn, ended);
  child.kill(sig);
  return ended;
}

/** The audit rows of notes exports, with the SHA-256 each names. */
function exportRows(db: string) {
  return query<{ id: number; action: string; ticket: string; detail: string }>(db, "SELECT id, action, ticket, detail FROM audit_log WHERE action LIKE 'notes.export%' ORDER BY id")
    .map((r) => ({ ...r, sha: /sha256 ([0-9a-f]{64})/.exec(r.detail)?.[1] ?? null, started: Number(/\(started in audit row (\d+)\)/.exec(r.detail)?.[1] ?? 0) }));
}

/** The invariants of issue 10 §2 and issue 20 §3, whatever the run was doing when it stopped. */
async function expectNoPhiWithoutItsRow(db: string, zips: string[], tempDirs: string[] = []): Promise<void> {
  expect(query(db, 'PRAGMA integrity_check')[0].integrity_check).toBe('ok');
  expect(await auditChainHolds(db)).toBe(true);
  const rows = exportRows(db);
  const startedRows = rows.filter((r) => r.action === 'notes.export.started');
  for (const zip of zips.filter((z) => existsSync(z))) {
    // Written under its name only after a started row naming it.
    const started = startedRows.filter((r) => r.detail.includes(` to ${zip}, written first as `));
    expect(started.length, `${zip} has no started row`).toBeGreaterThan(0);
    // The zip on disk is one a completing row describes; or the latest export, killed between its rename
    // and its completing row's commit (its started row names it all the same).
    const described = rows.filter((r) => r.action === 'notes.export' && r.detail.includes(` to ${zip}, `)).map((r) => r.sha);
    const latestOpen = !rows.some((r) => r.started === started[started.length - 1]!.id);
    expect(described.includes(sha256(zip)) || latestOpen, zip).toBe(true);
  }
  // A temporary zip that holds a byte (kill -9 leaves them) has its started row: committed before the first byte.
  for (const dir of tempDirs) {
    for (const t of temps(dir).filter((n) => statSync(join(dir, n)).size > 0)) {
      expect(startedRows.some((r) => r.detail.includes(`, written first as ${t}`)), `${t} (${statSync(join(dir, t)).size} bytes) has no started row`).toBe(true);
    }
  }
  for (const done of rows.filter((r) => r.action === 'notes.export')) {
    const started = rows.find((r) => r.id === done.started);
    expect(started?.action, `completion ${done.id} names no started row`).toBe('notes.export.started');
  }
}

describe('cx notes export stopped at random points', () => {
  it(`SIGINT, SIGTERM and kill -9, ${SIGNALS.length * 3} times (${NOTES} notes): no zip without its row, no temporary file but kill -9's`, { timeout: LONG }, async () => {
    const db = copyMirror(template);
    const dir = tempDir();
    const out = join(dir, 'notes.zip');
    const args = (n: number) => ['notes', 'export', PROVIDER, '--ticket', `SIG-${n}`, '--yes', '--force', '--out', out];
    const t0 = performance.now();
    expect(cx(args(0), { db }).code).toBe(0);
    const cleanMs = performance.now() - t0;
    const { random } = testRandom();
    const trail: string[] = [];
    for (let k = 0; k < SIGNALS.length * 3; k++) {
      const sig = SIGNALS[k % SIGNALS.length]!;
      const when = k % 2 === 0 ? { tempIn: [dir] } : { delayMs: Math.floor(random() * cleanMs) };
      const before = exportRows(db).filter((r) => r.action === 'notes.export').length;
      const leftByKill9 = temps(dir); // young: kept by every later run
      const e = await stopped(args(k + 1), db, sig, when);
      trail.push(`${sig}:${e.code ?? e.signal}`);
      const completed = exportRows(db).filter((r) => r.action === 'notes.export').length - before;
      if (sig !== 'SIGKILL') {
        // Cancelled (130), finished before the signal or while the hand-over held it (0), or ended by the
        // signal itself before there was anything to clean up (start-up, the plan).
        expect([130, 0, sig], `${trail.join(' ')}\n${e.stderr}`).toContain(e.code ?? e.signal);
        expect(temps(dir), trail.join(' ')).toEqual(leftByKill9);
        if (e.code === 130) expect(e.stderr).toMatch(/cx: cancelled \(SIG(INT|TERM)\): (the export stopped before its zip was complete|stopped before the hand-over of \S+); no file was left behind, recorded as abandoned in the audit log/);
        // Ended by the signal itself: before anything was recorded, or after the hand-over had finished
        // (the zip and its row are both there, checked below).
        if (e.code === 0) expect(completed, trail.join(' ')).toBe(1);
        if (e.code === 130) expect(completed, trail.join(' ')).toBe(0);
      }
      await expectNoPhiWithoutItsRow(db, [out], [dir]);
    }
    expect(trail.filter((t) => t.endsWith(':130')).length, trail.join(' ')).toBeGreaterThan(0);
    // kill -9 leaves its temporary file: a later run keeps it while it is young, removes it once a day old.
    // A file's age is the real clock's (its mtime): the sweeping runs read that clock too.
    const left = temps(dir);
    expect(cx(args(100), { db, now: 'real' }).code).toBe(0);
    expect(temps(dir)).toEqual(left);
    const dayAgo = Date.now() / 1000 - 25 * 3600;
    for (const t of left) utimesSync(join(dir, t), dayAgo, dayAgo);
    expect(cx(args(101), { db, now: 'real' }).code).toBe(0);
    expect(temps(dir)).toEqual([]);
    await expectNoPhiWithoutItsRow(db, [out]);
  });
});

describe('cx batch with notes exports stopped at random points', () => {
  /** Lookups and resets of generated accounts, with three notes_export rows between them. */
  function ticketsFile(db: string, dir: string): { file: string; rows: number; notesTickets: string[] } {
    const emails = query<{ email: string }>(db, "SELECT email FROM accounts WHERE role = 'client' AND status = 'active' ORDER BY id LIMIT 900").map((a) => a.email);
    const lines = ['ticket_id,type,email'];
    const notesTickets: string[] = [];
    emails.forEach((email, i) => {
      lines.push(`B-${i},${i % 3 === 0 ? 'password_reset' : 'lookup'},${email}`);
      if (i % 300 === 150) {
        notesTickets.push(`N-${i}`);
        lines.push(`N-${i},notes_export,${PROVIDER}`);
      }
    });
    const file = join(dir, 'tickets.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    return { file, rows: lines.length - 1, notesTickets };
  }

  it(`SIGINT, SIGTERM and kill -9 at random points, then a run to completion: each ticket once, every zip with its rows`, { timeout: LONG }, async () => {
    const db = copyMirror(template);
    const dir = tempDir();
    const exports = join(dir, 'exports');
    const { file, rows, notesTickets } = ticketsFile(db, dir);
    const out = join(dir, 'results.csv');
    const args = ['batch', file, '--yes', '--force', '--out', out, '--notes-dir', exports];
    const zips = () => (existsSync(exports) ? readdirSync(exports).filter((n) => n.endsWith('.zip')).map((n) => join(exports, n)) : []);
    const recorded = () => query(db, 'SELECT count(*) n FROM processed_tickets')[0].n as number;

    const reference = copyMirror(template);
    const t0 = performance.now();
    const clean = cx(['batch', file, '--yes', '--out', join(tempDir(), 'r.csv'), '--notes-dir', join(tempDir(), 'x')], { db: reference });
    const cleanMs = performance.now() - t0;
    expect([0, 5], clean.stderr).toContain(clean.code); // 5: resets of suppressed addresses are refused

    const { random } = testRandom();
    const trail: string[] = [];
    for (let k = 0; k < SIGNALS.length * 3; k++) {
      const sig = SIGNALS[k % SIGNALS.length]!;
      const when = k % 2 === 0 ? { tempIn: [exports] } : { delayMs: Math.floor(random() * cleanMs) };
      const leftByKill9 = [...temps(dir), ...temps(exports)]; // young: kept by every later run
      const e = await stopped(args, db, sig, when);
      trail.push(`${sig}:${e.code ?? e.signal}@${recorded()}`);
      if (sig !== 'SIGKILL') {
        // Cancelled, finished (as the clean run) before the signal, or ended by it before the work began.
        expect([130, clean.code, sig], `${trail.join(' ')}\n${e.stderr}`).toContain(e.code ?? e.signal);
        expect([...temps(dir), ...temps(exports)], trail.join(' ')).toEqual(leftByKill9);
        if (e.code === 130) {
          // How far it got: the rows of committed chunks, of which the tickets recorded; all kept.
          const m = /cx: cancelled after ([\d,]+) of ([\d,]+) rows: ([\d,]+) tickets? recorded \(done or already done\) and kept; the results file .* was not written/.exec(e.stderr);
          expect(m, e.stderr).not.toBeNull();
          expect(Number(m![2]!.replace(/,/g, ''))).toBe(rows);
          expect(Number(m![3]!.replace(/,/g, ''))).toBeLessThanOrEqual(recorded());
          expect(e.stderr).toContain('run the same command again to go on');
        }
      }
      await expectNoPhiWithoutItsRow(db, zips(), existsSync(exports) ? [exports] : []);
      // A ticket is recorded together with its completing row, and never completed twice.
      const done = exportRows(db).filter((r) => r.action === 'notes.export').map((r) => r.ticket).sort();
      const recordedNotes = query(db, "SELECT ticket_id FROM processed_tickets WHERE action = 'notes_export' ORDER BY ticket_id").map((r) => r.ticket_id);
      expect(done, trail.join(' ')).toEqual(recordedNotes);
    }
    expect(trail.some((t) => t.startsWith('SIGINT:130') || t.startsWith('SIGTERM:130')), trail.join(' ')).toBe(true);

    // kill -9's temporary files go once a day old (by the real clock, as their mtimes), when a run writes into their folder.
    const dayAgo = Date.now() / 1000 - 25 * 3600;
    for (const d of [dir, exports]) for (const t of temps(d)) utimesSync(join(d, t), dayAgo, dayAgo);
    const last = cx(args, { db, now: 'real' });
    expect(last.code, `${trail.join(' ')}\n${last.stderr}`).toBe(clean.code);
    expect(temps(dir)).toEqual([]);
    if (temps(exports).length) expect(cx(['notes', 'export', PROVIDER, '--ticket', 'SWEEP', '--yes', '--out', join(exports, 'sweep.zip')], { db, now: 'real' }).code).toBe(0);
    expect(temps(exports)).toEqual([]);
    await expectNoPhiWithoutItsRow(db, zips());
    // Each ticket once, as in the clean run; each notes ticket completed once, its zip the one it describes.
    // (The sweep's export by hand is in the ledger as a single command's change: via = 'command'.)
    const batchTickets = "SELECT ticket_id FROM processed_tickets WHERE via = 'batch' ORDER BY ticket_id";
    expect(query(db, batchTickets)).toEqual(query(reference, batchTickets));
    expect(exportRows(db).filter((r) => r.action === 'notes.export' && r.ticket !== 'SWEEP').map((r) => r.ticket).sort()).toEqual([...notesTickets].sort());
    for (const t of notesTickets) {
      const zip = zips().find((z) => z.includes(`-${t}-`))!;
      const completion = exportRows(db).find((r) => r.action === 'notes.export' && r.ticket === t)!;
      expect(completion.sha).toBe(sha256(zip));
    }
    expect(query(db, "SELECT count(*) - count(DISTINCT ticket) dup FROM outbox")[0].dup).toBe(0);
  });
});

describe('a batch notes_export row holds no write lock while it zips', () => {
  it('stopped (SIGSTOP) in the middle of its zip, another cx writes at once; then it finishes', async () => {
    const db = copyMirror(template);
    const dir = tempDir();
    const exports = join(dir, 'exports');
    mkdirSync(exports);
    const file = join(dir, 't.csv');
    writeFileSync(file, `ticket_id,type,email\nL-1,lookup,${PROVIDER}\nN-1,notes_export,${PROVIDER}\nL-2,lookup,${PROVIDER}\n`);
    const { child, ended } = start(['batch', file, '--yes', '--out', join(dir, 'r.csv'), '--notes-dir', exports], db);
    // Once the zip is being written: its started row took the write lock for a moment before, and let it go.
    expect(await tempAppears([exports], ended, true)).toBe(true);
    child.kill('SIGSTOP');
    try {
      expect(temps(exports)).toHaveLength(1); // still zipping
      // L-1 committed before the zip began; the write lock is free: a change by hand goes through now.
      expect(query(db, "SELECT ticket_id FROM processed_tickets")).toEqual([{ ticket_id: 'L-1' }]);
      const other = cx(['reset', PROVIDER, '--ticket', 'BY-HAND', '--yes'], { db });
      expect(other.code, other.stderr).toBe(0);
    } finally {
      child.kill('SIGCONT');
    }
    const e = await ended;
    expect(e.code, e.stderr).toBe(0);
    // The reset by hand is in the ledger too (via: command), as every single command's change is.
    expect(query(db, 'SELECT ticket_id, via FROM processed_tickets ORDER BY ticket_id').map((r) => `${r.ticket_id} ${r.via}`))
      .toEqual(['BY-HAND command', 'L-1 batch', 'L-2 batch', 'N-1 batch']);
    // The export's started row was committed before its zip began, the change by hand went through while it
    // zipped, and the completing row came last.
    expect(query(db, "SELECT ticket, action FROM audit_log WHERE ticket IN ('N-1', 'BY-HAND') ORDER BY id").map((r) => `${r.ticket} ${r.action}`))
      .toEqual(['N-1 notes.export.started', 'BY-HAND reset', 'N-1 notes.export']);
  });
});

describe('two batches racing for the same notes_export tickets', () => {
  it('each ticket is exported and recorded by one of them; the zip on disk is the one its completing row describes', async () => {
    const db = copyMirror(template);
    const dir = tempDir();
    const exports = join(dir, 'exports');
    const rows = ['ticket_id,type,email', ...Array.from({ length: 4 }, (_, i) => `R-${i},notes_export,${PROVIDER}`)];
    const file = join(dir, 't.csv');
    writeFileSync(file, `${rows.join('\n')}\n`);
    const run = (agent: string) => start(['batch', file, '--yes', '--agent', agent, '--out', join(dir, `${agent}.csv`), '--notes-dir', exports], db).ended;
    const [a, b] = await Promise.all([run('agent-a'), run('agent-b')]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    const completions = exportRows(db).filter((r) => r.action === 'notes.export');
    expect(completions.map((r) => r.ticket).sort()).toEqual(['R-0', 'R-1', 'R-2', 'R-3']);
    expect(query(db, "SELECT ticket_id FROM processed_tickets ORDER BY ticket_id").map((r) => r.ticket_id)).toEqual(['R-0', 'R-1', 'R-2', 'R-3']);
    for (const c of completions) {
      const zip = join(exports, readdirSync(exports).find((n) => n.includes(`-${c.ticket}-`))!);
      expect(sha256(zip), c.ticket).toBe(c.sha);
    }
    // A run that lost the race after its started row closed that row: none is left open.
    const rowsNow = exportRows(db);
    for (const s of rowsNow.filter((r) => r.action === 'notes.export.started')) {
      expect(rowsNow.some((r) => r.started === s.id), `started row ${s.id} left open`).toBe(true);
    }
    expect(temps(exports)).toEqual([]);
    await expectNoPhiWithoutItsRow(db, readdirSync(exports).map((n) => join(exports, n)));
  });
});
