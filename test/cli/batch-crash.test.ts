// Exactly once under SIGKILL and under a concurrent run: thousands of tickets, the batch killed at random
// points many times, then run to completion; and two batch processes on the same file at once.
// (Only lookups are wired on this branch; they record a processed_tickets row and an audit row each.)
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { auditChainHolds, baseEnv, CX, cxAsync, demoMirror, query, REPO, tempDir } from '../helpers/cx.js';

const N = 6000;
// Demo addresses written as agents paste them: current, former, another spelling of the same mailbox.
const FOUND = [
  'jane.doe@gmail.com', ' JANE.DOE@GMAIL.COM ', 'janedoe@googlemail.com', 'ben.hartley@brightlane-logistics.com',
  'tombecker@gmail.com', 'rcastellanos@lakeshorecounseling.com', 'priya.raman@hotmail.com', 'zoe.oneil@fastmail.com',
  'grace.whitaker@aol.com', 'm.okafor@brightpathcounseling.com',
];

interface Ticket {
  id: string;
  email: string;
  found: boolean;
}

function tickets(): Ticket[] {
  return Array.from({ length: N }, (_, i) => {
    const id = `K-${String(i).padStart(5, '0')}`;
    if (i % 10 === 3) return { id, email: `nobody.${i}@example.com`, found: false }; // not_found: never recorded
    if (i % 50 === 7) return { id, email: `broken.${i}@`, found: false }; // invalid
    return { id, email: FOUND[i % FOUND.length]!, found: true };
  });
}

function writeTickets(dir: string, list: Ticket[]): string {
  const file = join(dir, 'tickets.csv');
  writeFileSync(file, `ticket_id,type,email\n${list.map((t) => `${t.id},lookup,"${t.email}"`).join('\n')}\n`);
  return file;
}

const processedCount = (db: string): number => {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (conn.prepare('SELECT count(*) AS n FROM processed_tickets').get() as { n: number }).n;
  } finally {
    conn.close();
  }
};

/** Start a batch and SIGKILL it: once `killAt` tickets are recorded (mid-run), or after `delayMs` (anywhere). */
function killedRun(db: string, file: string, out: string, when: { killAt?: number; delayMs?: number }): Promise<string> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CX, 'batch', file, '--yes', '--out', out], { cwd: REPO, env: baseEnv(db), stdio: 'ignore' });
    let exited = false;
    const timers: NodeJS.Timeout[] = [];
    child.on('exit', (code, signal) => {
      exited = true;
      timers.forEach(clearTimeout);
      done(signal ?? `exit ${code}`);
    });
    if (when.delayMs !== undefined) timers.push(setTimeout(() => child.kill('SIGKILL'), when.delayMs));
    else {
      const conn = new Database(db, { readonly: true });
      const count = conn.prepare('SELECT count(*) AS n FROM processed_tickets');
      const poll = setInterval(() => {
        if (!exited && (count.get() as { n: number }).n < when.killAt!) return;
        clearInterval(poll);
        conn.close();
        if (!exited) child.kill('SIGKILL');
      }, 2);
    }
  });
}

/** The invariants after any number of crashes or races: each recordable ticket exactly once, all of it. */
function expectExactlyOnce(db: string, list: Ticket[]): void {
  const conn = new Database(db, { readonly: true });
  try {
    expect(conn.pragma('integrity_check', { simple: true })).toBe('ok');
  } finally {
    conn.close();
  }
  const found = list.filter((t) => t.found).map((t) => t.id).sort();
  expect(query(db, 'SELECT ticket_id FROM processed_tickets ORDER BY ticket_id').map((r) => r.ticket_id)).toEqual(found);
  // One audit row per recorded ticket, none for the others.
  expect(query(db, "SELECT count(*) n FROM audit_log WHERE ticket LIKE 'K-%'")[0].n).toBe(found.length);
  expect(query(db, "SELECT count(DISTINCT ticket) n FROM audit_log WHERE ticket LIKE 'K-%'")[0].n).toBe(found.length);
  expect(query(db, 'SELECT count(*) - count(DISTINCT idempotency_key) AS dup FROM outbox')[0].dup).toBe(0);
  expect(auditChainHolds(db)).toBe(true);
}

const readResults = (file: string) => parse(readFileSync(file), { columns: true }) as Array<{ ticket_id: string; outcome: string }>;

describe('cx batch: exactly once', () => {
  it(`SIGKILL at random points, 8 times, then a run to completion: every ticket once (${N} tickets)`, async () => {
    const db = demoMirror();
    const dir = tempDir();
    const list = tickets();
    const file = writeTickets(dir, list);
    const out = join(dir, 'results.csv');
    const recordable = list.filter((t) => t.found).length;
    const trail: string[] = [];
    for (let k = 0; k < 8; k++) {
      const before = processedCount(db);
      // Half the kills wait for progress (certain to land mid-run), half are blind delays (start-up, parsing, commit).
      const when = k % 2 === 0
        ? { killAt: before + Math.ceil(Math.random() * Math.max(1, (recordable - before) * 0.4)) }
        : { delayMs: Math.floor(Math.random() * 1500) };
      const how = await killedRun(db, file, out, when);
      trail.push(`${how}@${processedCount(db)}`);
      // A killed run never leaves a half results file under the asked-for name: there is none, or the
      // complete one of an earlier run that finished.
      if (existsSync(out)) expect(readResults(out).length, trail.join(' ')).toBe(N);
      if (how === 'SIGKILL' && !trail.some((t) => t.startsWith('exit'))) expect(existsSync(out), trail.join(' ')).toBe(false);
    }
    const last = await cxAsync(['batch', file, '--yes', '--out', out], { db });
    expect(last.code, `${trail.join(' ')}\n${last.stderr}`).toBe(5); // the not_found / invalid rows
    expectExactlyOnce(db, list);
    const results = readResults(out);
    expect(results.map((r) => r.ticket_id)).toEqual(list.map((t) => t.id));
    for (const [i, r] of results.entries()) {
      expect(list[i]!.found ? ['done', 'already_done'] : ['not_found', 'invalid']).toContain(r.outcome);
    }
    // The killed runs' temporary files were cleaned up by the last run.
    expect(readdirSync(dir).sort()).toEqual(['results.csv', 'tickets.csv']);
  });

  it('two batch processes on the same file at once: each ticket applied by exactly one of them', async () => {
    const db = demoMirror();
    const dir = tempDir();
    const list = tickets();
    const file = writeTickets(dir, list);
    const [a, b] = await Promise.all([
      cxAsync(['batch', file, '--yes', '--out', join(dir, 'a.csv'), '--agent', 'agent-a'], { db }),
      cxAsync(['batch', file, '--yes', '--out', join(dir, 'b.csv'), '--agent', 'agent-b'], { db }),
    ]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([5, 5]);
    expectExactlyOnce(db, list);
    const ra = readResults(join(dir, 'a.csv'));
    const rb = readResults(join(dir, 'b.csv'));
    for (const [i, t] of list.entries()) {
      if (!t.found) continue;
      const pair = [ra[i]!.outcome, rb[i]!.outcome].sort();
      expect(pair, t.id).toEqual(['already_done', 'done']);
    }
    const agents = query(db, 'SELECT agent, count(*) n FROM processed_tickets GROUP BY agent ORDER BY agent');
    expect(agents.reduce((s, r) => s + r.n, 0)).toBe(list.filter((t) => t.found).length);
  });
});
