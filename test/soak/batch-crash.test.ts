// Exactly once under SIGKILL and under a concurrent run: thousands of tickets that write (resets queue
// emails, resubscribes lift suppressions, deactivations change accounts and queue emails) and lookups, on
// a generated mirror; the batch killed at random points many times, then run to completion; and two batch
// processes on the same file at once. Each ends exactly as one clean, uninterrupted run of the same file.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, copyMirror, CX, cx, cxAsync, query, REPO, snapshot, tempDir } from '../helpers/cx.js';
import { auditChainHolds } from '../helpers/in-process.js';
import { testRandom } from '../helpers/seed.js';
import { generatedMirror, seededRandom } from '../helpers/world.js';
import { openDb } from '../helpers/sqlite.js';

const N = 6000;
const KILLS = 12;
const RECORDED = new Set(['done', 'already_done']);
type Result = { ticket_id: string; outcome: string; account_id: string; detail: string };

let template = '';
beforeAll(() => {
  // A small generated world: 3,000 accounts, some suppressed, deactivated, terminated, with former addresses.
  template = generatedMirror(3000, { notes: 50 });
});

/**
 * Mixed tickets drawn from the mirror: resets (repeats of one account within the 15-minute window end
 * already_done), resubscribes of suppressed addresses (unsubscribes lifted; bounces and complaints
 * refused) and of others (already_done), deactivations (providers refused, repeats already_done),
 * lookups; addresses in other case, former addresses, unknown and broken ones.
 * A row not done is retried by every later run, against a mirror that later rows may have changed: a reset
 * refused for an unsubscribe would go through once a later row lifts it. So resets never name an account
 * whose unsubscribe a resubscribe row may lift; then every row not done stays not done, and any sequence
 * of crashes must end exactly as one clean run.
 */
function ticketsFile(db: string, dir: string): string {
  const rnd = seededRandom(42);
  const pick = <T>(list: T[]): T => list[Math.floor(rnd() * list.length)]!;
  const suppressions = query<{ email: string; email_key: string; reason: string }>(db, 'SELECT email, email_key, reason FROM suppressions ORDER BY email_key');
  const toLift = suppressions.filter((s, i) => s.reason !== 'unsubscribe' || i % 2 === 0);
  const liftable = new Set(toLift.filter((s) => s.reason === 'unsubscribe').map((s) => s.email_key));
  const accounts = query<{ id: string; email: string; email_key: string; role: string }>(db, 'SELECT id, email, email_key, role FROM accounts');
  const kept = new Set(accounts.filter((a) => !liftable.has(a.email_key)).map((a) => a.id));
  const formers = query<{ email: string; account_id: string }>(db, 'SELECT email, account_id FROM former_emails');
  const from = {
    all: accounts.map((a) => a.email),
    clients: accounts.filter((a) => a.role === 'client').map((a) => a.email),
    resettable: accounts.filter((a) => kept.has(a.id)).map((a) => a.email),
    formers: formers.map((f) => f.email),
    resettableFormers: formers.filter((f) => kept.has(f.account_id)).map((f) => f.email),
    toLift: toLift.map((s) => s.email),
  };
  const lines = ['ticket_id,type,email'];
  for (let i = 0; i < N; i++) {
    const x = rnd();
    const type = x < 0.3 ? 'lookup' : x < 0.65 ? 'password_reset' : x < 0.8 ? 'resubscribe' : 'deactivate_client';
    const reset = type === 'password_reset';
    const roll = rnd();
    let email: string;
    if (roll < 0.08) email = `nobody.${i}@example.com`;
    else if (roll < 0.1) email = `broken.${i}@`;
    else if (roll < 0.15) email = pick(reset ? from.resettableFormers : from.formers);
    else if (type === 'resubscribe' && roll < 0.6) email = pick(from.toLift);
    else if (type === 'deactivate_client' && roll < 0.9) email = pick(from.clients);
    else email = pick(reset ? from.resettable : from.all);
    if (rnd() < 0.2) email = email.toUpperCase();
    lines.push(`K-${String(i).padStart(5, '0')},${type},"${email}"`);
  }
  const file = join(dir, 'tickets.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const processedCount = (db: string): number => {
  const conn = openDb(db, { readonly: true, fileMustExist: true });
  try {
    return (conn.prepare('SELECT count(*) AS n FROM processed_tickets').get() as { n: number }).n;
  } finally {
    conn.close();
  }
};

/** Start a batch and SIGKILL it: once `killAt` tickets are recorded (mid-run), or after `delayMs` (anywhere). */
function killedRun(db: string, file: string, out: string, when: { killAt?: number; delayMs?: number }): Promise<string> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CX, 'batch', file, '--yes', '--force', '--out', out], { cwd: REPO, env: baseEnv(db), stdio: 'ignore' });
    let exited = false;
    const timers: NodeJS.Timeout[] = [];
    child.on('exit', (code, signal) => {
      exited = true;
      timers.forEach(clearTimeout);
      done(signal ?? `exit ${code}`);
    });
    if (when.delayMs !== undefined) timers.push(setTimeout(() => child.kill('SIGKILL'), when.delayMs));
    else {
      const conn = openDb(db, { readonly: true });
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

const readResults = (file: string) => parse(readFileSync(file), { columns: true }) as Result[];

/** One clean run of the file on a fresh copy: what every crashed or raced run must end as. */
function reference(file: string): { db: string; results: Result[]; ms: number } {
  const db = copyMirror(template);
  const out = join(tempDir(), 'reference.csv');
  const started = performance.now();
  const r = cx(['batch', file, '--yes', '--out', out], { db });
  const ms = performance.now() - started;
  expect(r.code, r.stderr).toBe(5); // the unknown and broken addresses, the refusals
  const results = readResults(out);
  const by = (o: string) => results.filter((x) => x.outcome === o).length;
  // The file exercises what it claims to: emails queued, suppressions lifted, accounts deactivated, refusals.
  expect(query(db, "SELECT count(*) n FROM audit_log WHERE action = 'reset'")[0].n).toBeGreaterThan(500);
  expect(query(db, "SELECT count(*) n FROM audit_log WHERE action = 'resubscribe'")[0].n).toBeGreaterThan(10);
  expect(query(db, "SELECT count(*) n FROM audit_log WHERE action = 'deactivate'")[0].n).toBeGreaterThan(300);
  expect([by('done'), by('already_done'), by('refused'), by('not_found'), by('invalid')].every((n) => n > 50)).toBe(true);
  return { db, results, ms };
}

/** The invariants after any number of crashes or races, and the same end state as the clean run. */
async function expectExactlyOnce(db: string, ref: { db: string; results: Result[] }): Promise<void> {
  const conn = openDb(db, { readonly: true });
  try {
    expect(conn.pragma('integrity_check', { simple: true })).toBe('ok');
  } finally {
    conn.close();
  }
  const recorded = ref.results.filter((r) => RECORDED.has(r.outcome)).map((r) => r.ticket_id).sort();
  expect(query(db, 'SELECT ticket_id FROM processed_tickets ORDER BY ticket_id').map((r) => r.ticket_id)).toEqual(recorded);
  // One audit row per recorded ticket, none for the others.
  expect(query(db, "SELECT count(*) n, count(DISTINCT ticket) d FROM audit_log WHERE ticket LIKE 'K-%'")[0]).toEqual({ n: recorded.length, d: recorded.length });
  // Every reset done queued exactly one email under its ticket; nothing is queued under another ticket.
  const resets = query(db, `SELECT p.ticket_id, (SELECT count(*) FROM outbox o WHERE o.ticket = p.ticket_id) n FROM processed_tickets p
    WHERE p.action = 'password_reset' AND p.outcome = 'done'`);
  expect(resets.length).toBeGreaterThan(0);
  expect(resets.filter((r) => r.n !== 1)).toEqual([]);
  expect(query(db, 'SELECT count(*) n FROM outbox WHERE ticket NOT IN (SELECT ticket_id FROM processed_tickets)')[0].n).toBe(0);
  expect(query(db, 'SELECT count(*) - count(DISTINCT key) AS dup FROM changes')[0].dup).toBe(0);
  // Same moment (the pinned clock): one email per account and template, whatever the crashes did.
  expect(query(db, 'SELECT account_id, template FROM outbox GROUP BY account_id, template HAVING count(*) > 1')).toEqual([]);
  // Each account deactivated once: by one ticket, with one audit row.
  const deactivations = query(db, "SELECT account_id, count(*) n FROM audit_log WHERE action = 'deactivate' GROUP BY account_id");
  expect(deactivations.filter((d) => d.n !== 1)).toEqual([]);
  expect(query(db, "SELECT count(*) n FROM accounts WHERE deactivated_at IS NOT NULL")[0].n).toBe(deactivations.length);
  expect(await auditChainHolds(db)).toBe(true);
  // The end state is the clean run's: the same changes, emails, records and audit chain, row for row.
  const { processed_tickets: p, audit_log: a, ...rest } = snapshot(db);
  const { processed_tickets: rp, audit_log: ra, ...refRest } = snapshot(ref.db);
  expect(rest).toEqual(refRest);
  expect([p, a]).toEqual([rp, ra]);
}

describe('cx batch: exactly once, with tickets that write', () => {
  it(`SIGKILL at random points, ${KILLS} times, then a run to completion: every ticket once (${N} mixed tickets)`, { timeout: 240_000 }, async () => {
    const db = copyMirror(template);
    const dir = tempDir();
    const file = ticketsFile(db, dir);
    const ref = reference(file);
    const out = join(dir, 'results.csv');
    const recordable = ref.results.filter((r) => RECORDED.has(r.outcome)).length;
    const { random } = testRandom();
    const trail: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      const before = processedCount(db);
      // Half the kills wait for progress (certain to land mid-run, taking a part of what is left), half
      // are blind delays within the first 40% of a clean run's time (start-up, reading, chunks, commits).
      const when = k % 2 === 0
        ? { killAt: before + Math.ceil(random() * Math.max(1, (recordable - before) * 0.3)) }
        : { delayMs: Math.floor(random() * ref.ms * 0.4) };
      const how = await killedRun(db, file, out, when);
      trail.push(`${how}@${processedCount(db)}`);
      // A killed run never leaves a half results file under the asked-for name: there is none, or the
      // complete one of an earlier run that finished.
      if (existsSync(out)) expect(readResults(out).length, trail.join(' ')).toBe(N);
      if (how === 'SIGKILL' && !trail.some((t) => t.startsWith('exit'))) expect(existsSync(out), trail.join(' ')).toBe(false);
    }
    expect(trail.filter((t) => t.startsWith('SIGKILL')).length, trail.join(' ')).toBeGreaterThanOrEqual(KILLS / 2);
    const last = await cxAsync(['batch', file, '--yes', '--force', '--out', out], { db });
    expect(last.code, `${trail.join(' ')}\n${last.stderr}`).toBe(5);
    await expectExactlyOnce(db, ref);
    // Every row ends as in the clean run: recorded there <=> done or already_done here; the others with
    // the same outcome (the detail may differ: a reset refused for an unsubscribe may since be refused
    // because a later row deactivated the account).
    const results = readResults(out);
    expect(results.map((r) => r.ticket_id)).toEqual(ref.results.map((r) => r.ticket_id));
    for (const [i, r] of results.entries()) {
      const want = ref.results[i]!;
      if (RECORDED.has(want.outcome)) expect(['done', 'already_done'], r.ticket_id).toContain(r.outcome);
      else expect(r.outcome, r.ticket_id).toBe(want.outcome);
    }
    // The killed runs left their temporary files (no handler runs on SIGKILL): recognisable, owner-only. A
    // later run removes them once they are a day old, not before (a younger one may be a live run's).
    const temps = readdirSync(dir).filter((n) => n.startsWith('.cx-tmp-'));
    expect(readdirSync(dir).sort()).toEqual(['results.csv', 'tickets.csv', ...temps].sort());
    for (const t of temps) expect(statSync(join(dir, t)).mode & 0o777).toBe(0o600);
    // A file's age is the real clock's (its mtime): the sweeping run reads that clock too.
    const dayAgo = Date.now() / 1000 - 25 * 3600;
    for (const t of temps) utimesSync(join(dir, t), dayAgo, dayAgo);
    expect((await cxAsync(['batch', file, '--yes', '--force', '--out', out], { db, now: 'real' })).code).toBe(5);
    expect(readdirSync(dir).sort()).toEqual(['results.csv', 'tickets.csv']);
  });

  it('two batch processes on the same file at once: each ticket applied by exactly one of them', async () => {
    const db = copyMirror(template);
    const dir = tempDir();
    const file = ticketsFile(db, dir);
    const ref = reference(file);
    const [a, b] = await Promise.all([
      cxAsync(['batch', file, '--yes', '--out', join(dir, 'a.csv'), '--agent', 'agent-a'], { db }),
      cxAsync(['batch', file, '--yes', '--out', join(dir, 'b.csv'), '--agent', 'agent-b'], { db }),
    ]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([5, 5]);
    const byAgent = { 'agent-a': readResults(join(dir, 'a.csv')), 'agent-b': readResults(join(dir, 'b.csv')) };
    const applier = new Map(query(db, 'SELECT ticket_id, agent FROM processed_tickets').map((p) => [p.ticket_id, p.agent as keyof typeof byAgent]));
    for (const [i, want] of ref.results.entries()) {
      const id = want.ticket_id;
      if (!RECORDED.has(want.outcome)) {
        expect(applier.has(id), id).toBe(false);
        continue;
      }
      // The agent that recorded it applied it; the other one reports the first one's work.
      const first = applier.get(id)!;
      const other = first === 'agent-a' ? 'agent-b' : 'agent-a';
      expect(byAgent[first][i]!.detail, id).toBe(want.detail);
      expect(byAgent[other][i], id).toMatchObject({ outcome: 'already_done', detail: expect.stringContaining(`by ${first}: ${want.detail}`) });
    }
    // The same changes and emails as the clean run (the audit rows, records and changes name two agents here).
    const { processed_tickets: _p, audit_log: _a, changes: _c, ...rest } = snapshot(db);
    const { processed_tickets: _rp, audit_log: _ra, changes: _rc, ...refRest } = snapshot(ref.db);
    expect(rest).toEqual(refRest);
    const changes = (path: string) => query(path, 'SELECT key, kind, account_id, desk, ticket, action, n, data, state FROM changes ORDER BY key');
    expect(changes(db)).toEqual(changes(ref.db));
    expect(query(db, "SELECT count(*) n FROM audit_log WHERE ticket LIKE 'K-%'")[0].n).toBe(applier.size);
    expect(query(db, 'SELECT count(*) - count(DISTINCT key) AS dup FROM changes')[0].dup).toBe(0);
    expect(await auditChainHolds(db)).toBe(true);
  });
});
