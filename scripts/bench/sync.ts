// Sync bench (issue 11): N pending changes (default 10,000, made by a real `cx batch` of password resets on
// a generated world) delivered to the stand-in platform (src/tools/platform-stand-in.ts, its own process,
// checking every signature), in one run:
//   - the floor: a bare loop (sync-floor.ts, its own process like cx) sending the same N signed request
//     bodies to the same receiver, as many in flight as cx's lanes (8), over an undici Pool: nothing but
//     signing and HTTP;
//   - `cx sync push` itself: claims, leases, outcomes and audit rows in the mirror, then the audit log;
//     its changes per second against the floor's, and its peak RSS at N and at N/5 (flat?).
// The receiver forgets every key before each run, so every request is applied (no cheap 409s). Then the Pool
// floor and the whole push again on an encrypted copy of the mirror (`cx db encrypt`). Aim: cx within 0.8x of
// the Pool floor's rate (issue 22).
// Standalone: node build/scripts/bench/sync.js   Env: BENCH_SYNC_CHANGES, BENCH_SYNC_RUNS (default 3).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { request } from 'undici';
import { median } from './measure.js';
import { CX, GENERATOR, STAND_IN } from '../paths.js';

const HOOK = pathToFileURL(join(import.meta.dirname, 'rss-hook.js')).href;
const FLOOR = join(import.meta.dirname, 'sync-floor.js');
const SECRET = `whsec_${Buffer.from('cx sync bench secret, 32 bytes!!').toString('base64')}`;

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export async function benchSync(): Promise<void> {
  const n = Number(process.env.BENCH_SYNC_CHANGES ?? 10_000);
  const runs = Number(process.env.BENCH_SYNC_RUNS ?? 3);
  const small = Math.max(1, Math.round(n / 5));
  console.log(`\n## sync: ${fmt(n)} pending changes to a local receiver`);
  const dir = mkdtempSync(join(tmpdir(), 'cx-bench-sync-'));
  let receiver: ChildProcess | undefined;
  try {
    const template = makeMirror(dir, n);
    const secretFile = join(dir, 'secret');
    writeFileSync(secretFile, SECRET, { mode: 0o600 });
    const started = await startReceiver(secretFile);
    receiver = started.child;
    const url = started.url;

    const fetchFloor: number[] = [];
    const fetchWindow: number[] = [];
    const floor: number[] = [];
    const floorRss: number[] = [];
    const floorWindow: number[] = [];
    const push: number[] = [];
    const pushWindow: number[] = [];
    const rss: number[] = [];
    const rssSmall: number[] = [];
    for (let i = 0; i < runs; i++) {
      await reset(url);
      fetchFloor.push(bareLoop(dir, template, url, secretFile, 'fetch').ms);
      fetchWindow.push(await changesWindow(url));
      await reset(url);
      const bare = bareLoop(dir, template, url, secretFile);
      floor.push(bare.ms);
      floorRss.push(bare.rssMiB);
      floorWindow.push(await changesWindow(url));
      await reset(url);
      const full = cxPush(dir, template, url, secretFile, n, n);
      push.push(full.ms);
      pushWindow.push(await changesWindow(url));
      rss.push(full.rssMiB);
      await reset(url);
      rssSmall.push(cxPush(dir, template, url, secretFile, n, small).rssMiB);
    }
    const auditRows = await auditRowsShipped(url, dir, template, secretFile, n);
    const load = loadavg()[0]!.toFixed(2);
    const encrypted = join(dir, 'encrypted.db');
    copyFileSync(template, encrypted);
    const encrypt = spawnSync(process.execPath, [CX, '--db', encrypted, 'db', 'encrypt'], { encoding: 'utf8' });
    if (encrypt.status !== 0) throw new Error(`cx db encrypt failed (${encrypt.status}): ${encrypt.stderr}`);
    const floorEncrypted: number[] = [];
    const pushEncrypted: number[] = [];
    for (let i = 0; i < runs; i++) {
      await reset(url);
      floorEncrypted.push(bareLoop(dir, encrypted, url, secretFile).ms);
      await reset(url);
      pushEncrypted.push(cxPush(dir, encrypted, url, secretFile, n, n, true).ms);
    }
    const rate = (ms: number) => (n / ms) * 1000;
    const row = (what: string, ms: number | null, base: number | null, rss: number | null) =>
      console.log(
        `${what.padEnd(62)} ${(ms === null ? '-' : `${fmt(ms / 1000, 2)} s`).padStart(9)} ${(ms === null ? '-' : fmt(rate(ms))).padStart(10)} ` +
          `${(ms === null || base === null ? '-' : `${(base / ms).toFixed(2)}x`).padStart(9)} ${(rss === null ? '-' : `${fmt(rss)} MiB`).padStart(9)}`,
      );
    console.log(`${'what'.padEnd(62)} ${'median'.padStart(9)} ${'changes/s'.padStart(10)} ${'vs floor'.padStart(9)} ${'peak RSS'.padStart(9)}`);
    row('floor: a process sending the signed requests (8 in flight)', median(floor), median(floor), median(floorRss));
    row('  its requests, on the receiver\'s clock (first in, last out)', median(floorWindow), median(floorWindow), null);
    row('cx sync push: the whole command', median(push), median(floor), median(rss));
    row('  its changes, on the receiver\'s clock (as the floor\'s)', median(pushWindow), median(floorWindow), null);
    row('floor as issue 11 words it: signed fetch() requests, 8 in flight', median(fetchFloor), median(fetchFloor), null);
    row('  its requests, on the receiver\'s clock', median(fetchWindow), median(fetchWindow), null);
    row('cx sync push against it: the whole command', median(push), median(fetchFloor), null);
    row('  its changes, on the receiver\'s clock', median(pushWindow), median(fetchWindow), null);
    row(`cx sync push, ${fmt(small)} changes (memory: flat?)`, null, null, median(rssSmall));
    row('encrypted mirror: the floor (8 in flight)', median(floorEncrypted), median(floorEncrypted), null);
    row('encrypted mirror: cx sync push, the whole command', median(pushEncrypted), median(floorEncrypted), null);
    console.log(`aim: cx sync push within 0.8x of the Pool floor's rate (issue 22); load average ${load} after the plaintext runs`);
    console.log(
      `(${runs} runs each, medians; "vs floor" is cx's changes/s over the floor's, measured in this run. The whole command also starts\n` +
        ` a process, records every outcome with its audit row, and then ships the audit log: ${fmt(auditRows)} rows at the end of each run.)`,
    );
  } finally {
    receiver?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A generated world with `n` password resets pending (one change each), made by cx batch. */
function makeMirror(dir: string, n: number): string {
  const db = join(dir, 'template.db');
  const gen = spawnSync(process.execPath, [GENERATOR, '--accounts', String(Math.ceil(n * 1.1) + 100), '--departing-notes', '0', '--seed', 'sync-bench', '--out', db], { encoding: 'utf8' });
  if (gen.status !== 0) throw new Error(`the generator failed: ${gen.stderr}`);
  const conn = new Database(db, { readonly: true });
  const emails = conn
    .prepare(`SELECT email FROM accounts WHERE status = 'active' AND email_key NOT IN (SELECT email_key FROM suppressions) ORDER BY id LIMIT ?`)
    .all(n) as Array<{ email: string }>;
  conn.close();
  if (emails.length < n) throw new Error(`only ${emails.length} accounts can take a reset`);
  const csv = ['ticket_id,type,email', ...emails.map((e, i) => `B-${i},password_reset,${e.email}`)].join('\n');
  const env = { ...process.env, CX_DB: db, NO_COLOR: '1', CX_AGENT: 'bench' };
  const batch = spawnSync(process.execPath, [CX, 'batch', '-', '--yes', '--out', join(dir, 'results.csv')], { input: csv, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (batch.status !== 0) throw new Error(`cx batch failed (${batch.status}): ${batch.stderr}`);
  return db;
}

/** How many audit rows a full push ships (the batch's, one per delivery, and the run's own). */
async function auditRowsShipped(url: string, dir: string, template: string, secretFile: string, n: number): Promise<number> {
  await reset(url);
  cxPush(dir, template, url, secretFile, n, n);
  const res = await request(`${url}/_stand-in/stats`);
  return ((await res.body.json()) as { audit_rows: number }).audit_rows;
}

async function changesWindow(url: string): Promise<number> {
  const res = await request(`${url}/_stand-in/stats`);
  const stats = (await res.body.json()) as { first_change_ms: number; last_change_ms: number };
  return stats.last_change_ms - stats.first_change_ms;
}

function startReceiver(secretFile: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [STAND_IN, '--secret-file', secretFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((done, fail) => {
    child.stdout!.once('data', (d: Buffer) => done({ child, url: (JSON.parse(d.toString()) as { url: string }).url }));
    child.once('exit', (code) => fail(new Error(`the stand-in platform exited (${code})`)));
  });
}

async function reset(url: string): Promise<void> {
  const res = await request(`${url}/_stand-in/reset`, { method: 'POST' });
  await res.body.text();
}

/** The floor (sync-floor.ts) in a fresh process, as cx runs: wall ms and peak RSS. */
function bareLoop(dir: string, template: string, url: string, secretFile: string, mode: 'pool' | 'fetch' = 'pool'): { ms: number; rssMiB: number } {
  const rssFile = join(dir, 'rss');
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', HOOK, FLOOR, template, url, secretFile, mode], { env: { ...process.env, BENCH_RSS_FILE: rssFile }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`the floor failed (${r.status}): ${r.stderr}`);
  return { ms, rssMiB: Number(readFileSync(rssFile, 'utf8')) / 1024 };
}

/** `cx sync push` on a fresh copy with `pending` of the `n` changes pending; wall ms and peak RSS. */
function cxPush(dir: string, template: string, url: string, secretFile: string, n: number, pending: number, encrypted = false): { ms: number; rssMiB: number } {
  const db = join(dir, 'run.db');
  for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
  if (encrypted) {
    copyFileSync(template, db); // made by `cx db encrypt`, checkpointed: the file is the whole of it
  } else {
    const src = new Database(template, { readonly: true });
    src.exec(`VACUUM INTO '${db.replace(/'/g, "''")}'`);
    src.close();
  }
  if (pending < n) {
    const conn = new Database(db);
    conn.prepare(`UPDATE changes SET state = 'delivered' WHERE id > (SELECT min(id) FROM changes) + ?`).run(pending - 1);
    conn.close();
  }
  const rssFile = join(dir, 'rss');
  const env = { ...process.env, CX_DB: db, NO_COLOR: '1', CX_AGENT: 'bench', CX_PLATFORM_URL: url, CX_PLATFORM_SECRET_FILE: secretFile, BENCH_RSS_FILE: rssFile };
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', HOOK, CX, 'sync', 'push', '--json'], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`cx sync push failed (${r.status}): ${r.stderr}`);
  const delivered = (JSON.parse(r.stdout) as { delivered: number }).delivered;
  if (delivered !== pending) throw new Error(`cx sync push delivered ${delivered} of ${pending}`);
  return { ms, rssMiB: Number(readFileSync(rssFile, 'utf8')) / 1024 };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchSync();
