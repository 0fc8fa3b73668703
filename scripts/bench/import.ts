// Import bench (issue 14): `cx db import` of a generated accounts.csv into an empty mirror against the
// floor, the sqlite3 command-line tool loading the same CSV into a staging table and inserting it into
// cx's accounts table (same schema and indexes, made by `cx db init`), in the same run; wall time and peak
// RSS of each whole process at 100k, 1M and 3M accounts. Two floors: the INSERT with the indexes in place
// (as the issue describes it), and the faster one, the indexes dropped first and built after (what cx
// does for a large load); the ratio is against the faster. Then, at 1M: a re-import of the unchanged file,
// with the longest time another writer waited for the write lock during each import; and again with cx's
// own changes in the mirror (10,000 pending deactivations the export contradicts, among 110,000 changes),
// which the import keeps.
// Aims at 1M: within 2.5x the floor; peak RSS under 250 MB at 1M and 3M.
// Env: BENCH_IMPORT_SIZES (default 100000,1000000,3000000), BENCH_TMP (default the OS temp folder).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CX, GENERATOR } from '../paths.js';

const HOOK = pathToFileURL(join(import.meta.dirname, 'rss-hook.js')).href;
const PROBE = join(import.meta.dirname, 'lock-probe.js');

/** The floor: the CLI's own CSV import into a staging table, then one INSERT … SELECT into accounts. */
const ACCOUNT_INDEXES = [
  ['accounts_by_email', 'CREATE UNIQUE INDEX accounts_by_email ON accounts (email_key)'],
  ['accounts_by_mailbox', 'CREATE INDEX accounts_by_mailbox ON accounts (mailbox_key)'],
  ['accounts_by_base', 'CREATE INDEX accounts_by_base ON accounts (base_key)'],
  ['accounts_by_email_rev', 'CREATE INDEX accounts_by_email_rev ON accounts (email_rev)'],
  ['accounts_by_name', 'CREATE INDEX accounts_by_name ON accounts (last_key, first_key)'],
  ['accounts_deactivated', "CREATE INDEX accounts_deactivated ON accounts (retain_until) WHERE status = 'deactivated'"],
];

function floorScript(csv: string, rebuildIndexes: boolean): string {
  const key = 'lower(trim(email))';
  const drop = rebuildIndexes ? ACCOUNT_INDEXES.map(([name]) => `DROP INDEX ${name};`).join('\n') : '';
  const build = rebuildIndexes ? ACCOUNT_INDEXES.map(([, sql]) => `${sql};`).join('\n') : '';
  return `PRAGMA synchronous = NORMAL;
${drop}
.import --csv '${csv.replace(/'/g, "''")}' stage_accounts
INSERT INTO accounts (id, email, email_key, mailbox_key, base_key, email_rev, role, first_name, last_name, first_key,
  last_key, dob, status, email_verified_at, created_at, last_active_at, state)
SELECT id, email, ${key}, ${key}, ${key}, ${key}, role, first_name, last_name, lower(first_name), lower(last_name),
  nullif(dob, ''), status, nullif(email_verified_at, ''), created_at, nullif(last_active_at, ''), nullif(state, '')
FROM stage_accounts;
DROP TABLE stage_accounts;
${build}
`;
}

interface Measured {
  ms: number;
  rssMiB: number;
  /** The longest another writer waited for the lock during the run (when probed). */
  lockWaitMs?: number;
}

/** Run a process to the end; peak RSS from /proc (VmHWM, polled) or, for node, from rss-hook. */
async function measure(argv: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; rssFile?: string; probeDb?: string }): Promise<Measured> {
  const probe = opts.probeDb ? spawn(process.execPath, [PROBE, opts.probeDb], { stdio: ['pipe', 'pipe', 'inherit'] }) : undefined;
  let probeOut = '';
  probe?.stdout!.on('data', (d) => (probeOut += d));
  const start = process.hrtime.bigint();
  const child = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, NO_COLOR: '1', CX_AGENT: 'bench', ...opts.env }, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdin!.end(opts.input ?? '');
  let hwmKiB = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) hwmKiB = Math.max(hwmKiB, Number(m[1]));
    } catch {
      // the process has just ended
    }
  }, 20);
  const code = await new Promise<number | null>((done) => child.on('close', done));
  clearInterval(poll);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (code !== 0) throw new Error(`${argv.join(' ')} failed (${code}): ${stderr}`);
  let lockWaitMs: number | undefined;
  if (probe) {
    probe.stdin!.end();
    await new Promise((done) => probe.on('close', done));
    lockWaitMs = (JSON.parse(probeOut) as { longestMs: number }).longestMs;
  }
  const rssKiB = opts.rssFile ? Number(readFileSync(opts.rssFile, 'utf8')) : hwmKiB;
  return { ms, rssMiB: rssKiB / 1024, lockWaitMs };
}

const PENDING_DEACTIVATIONS = 10_000;

/**
 * cx's own changes, as commands leave them: 100,000 delivered emails, and 10,000 clients deactivated whose
 * changes are pending (the export still has them active: the import keeps them deactivated).
 */
const PENDING_CHANGES = `
INSERT INTO changes (key, kind, account_id, desk, ticket, action, n, agent, created_at, data, state, delivered_at)
  SELECT 'bench-email-' || id, 'email', id, 'cx', 'B-' || id, 'password_reset', 1, 'bench', '2026-11-27T12:00:00Z',
    json_object('template', 'client_password_reset', 'to', email, 'subject', 'Reset'), 'delivered', '2026-11-27T12:01:00Z'
  FROM accounts WHERE role = 'client' LIMIT 100000;
UPDATE accounts SET status = 'deactivated', deactivated_at = '2026-11-27', retain_until = '2033-11-27', retention_rule = 'bench'
  WHERE rowid IN (SELECT rowid FROM accounts WHERE role = 'client' AND status = 'active' ORDER BY rowid DESC LIMIT ${PENDING_DEACTIVATIONS});
INSERT INTO changes (key, kind, account_id, desk, ticket, action, n, agent, created_at, data)
  SELECT 'bench-deactivate-' || id, 'deactivate_client', id, 'cx', 'B-' || id, 'deactivate_client', 1, 'bench', '2026-11-27T12:00:00Z',
    json_object('deactivated_at', deactivated_at, 'retain_until', retain_until, 'retention_rule', retention_rule)
  FROM accounts WHERE retention_rule = 'bench';
`;

function run(argv: string[], what: string, input?: string): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', input, env: { ...process.env, NO_COLOR: '1' } });
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${r.stderr}`);
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const seconds = (ms: number) => `${fmt(ms / 1000, 1)} s`;
const mib = (m: number) => `${fmt(m)} MiB`;

export async function benchImport(): Promise<void> {
  const sizes = (process.env.BENCH_IMPORT_SIZES ?? '100000,1000000,3000000').split(',').map(Number);
  console.log('\n## import: accounts.csv into an empty mirror, cx against the sqlite3 CLI floor (same run)');
  if (spawnSync('sqlite3', ['-version']).status !== 0) {
    console.log('skipped: the sqlite3 command-line tool is not installed (Debian/Ubuntu: apt-get install -y sqlite3)');
    return;
  }
  const root = mkdtempSync(join(process.env.BENCH_TMP ?? tmpdir(), 'cx-bench-import-'));
  const rows: Array<{ size: number; kept: Measured; floor: Measured; cx: Measured }> = [];
  const extra: string[] = [];
  try {
    for (const size of sizes) {
      const dir = join(root, `world-${size}`);
      run(['mkdir', '-p', dir], 'mkdir');
      run([process.execPath, GENERATOR, '--accounts', String(size), '--csv', dir, '--csv-tables', 'accounts'], 'the generator');
      const csv = join(dir, 'accounts.csv');
      const fresh = (name: string) => {
        const db = join(root, `${name}-${size}.db`);
        // Plaintext: the sqlite3 CLI floor cannot read an encrypted file (`npm run bench -- encryption` compares the two).
        run([process.execPath, CX, '--db', db, 'db', 'init', '--plaintext'], 'cx db init');
        return db;
      };
      const keptDb = fresh('floor-kept');
      const kept = await measure(['sqlite3', keptDb], { input: floorScript(csv, false) });
      removeDb(keptDb);
      const floorDb = fresh('floor');
      const floor = await measure(['sqlite3', floorDb], { input: floorScript(csv, true) });
      const schema = (db: string) => spawnSync('sqlite3', [db, "SELECT sql FROM sqlite_master WHERE tbl_name = 'accounts' ORDER BY name"], { encoding: 'utf8' }).stdout;
      const floorSchema = schema(floorDb);
      removeDb(floorDb);
      const cxDb = fresh('cx');
      const rssFile = join(root, 'rss');
      const probed = size === 1_000_000 ? cxDb : undefined;
      const cx = await measure([process.execPath, '--import', HOOK, CX, '--db', cxDb, 'db', 'import', dir], { env: { BENCH_RSS_FILE: rssFile }, rssFile, probeDb: probed });
      if (probed) extra.push(`1,000,000 into an empty mirror: another writer waited at most ${fmt(cx.lockWaitMs!)} ms for the write lock`);
      if (size === 1_000_000) {
        const again = await measure([process.execPath, '--import', HOOK, CX, '--db', cxDb, 'db', 'import', dir], { env: { BENCH_RSS_FILE: rssFile }, rssFile, probeDb: cxDb });
        extra.push(`1,000,000 re-imported unchanged: ${seconds(again.ms)}, ${mib(again.rssMiB)}; another writer waited at most ${fmt(again.lockWaitMs!)} ms for the write lock`);
        run(['sqlite3', cxDb], 'adding pending changes', PENDING_CHANGES);
        const held = await measure([process.execPath, '--import', HOOK, CX, '--db', cxDb, 'db', 'import', dir], { env: { BENCH_RSS_FILE: rssFile }, rssFile, probeDb: cxDb });
        const stillDeactivated = spawnSync('sqlite3', [cxDb, "SELECT count(*) FROM accounts WHERE retention_rule = 'bench' AND status = 'deactivated'"], { encoding: 'utf8' }).stdout.trim();
        if (stillDeactivated !== String(PENDING_DEACTIVATIONS)) throw new Error(`the import kept ${stillDeactivated} of ${PENDING_DEACTIVATIONS} pending deactivations`);
        extra.push(
          `1,000,000 re-imported with ${fmt(PENDING_DEACTIVATIONS)} pending deactivations kept (110,000 changes): ${seconds(held.ms)}, ${mib(held.rssMiB)}; ` +
            `another writer waited at most ${fmt(held.lockWaitMs!)} ms for the write lock`,
        );
      }
      if (schema(cxDb) !== floorSchema) throw new Error('the floor and cx ended with different accounts schemas');
      removeDb(cxDb);
      rmSync(dir, { recursive: true, force: true });
      rows.push({ size, kept, floor, cx });
      console.log(`  ${fmt(size)} accounts measured`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const head = `${'accounts'.padStart(10)} ${'CLI, indexes kept'.padStart(18)} ${'CLI, indexes rebuilt (floor)'.padStart(29)} ${'cx db import'.padStart(13)} ${'cx/floor'.padStart(9)} ${'floor RSS'.padStart(10)} ${'cx RSS'.padStart(9)}`;
  console.log(head);
  for (const r of rows) {
    console.log(
      `${fmt(r.size).padStart(10)} ${seconds(r.kept.ms).padStart(18)} ${seconds(r.floor.ms).padStart(29)} ${seconds(r.cx.ms).padStart(13)} ${`${fmt(r.cx.ms / r.floor.ms, 2)}x`.padStart(9)} ${mib(Math.max(r.floor.rssMiB, r.kept.rssMiB)).padStart(10)} ${mib(r.cx.rssMiB).padStart(9)}`,
    );
  }
  for (const line of extra) console.log(line);
  console.log('(whole processes, wall time, one run each; peak RSS: VmHWM for sqlite3, getrusage for cx. Aims at 1M: cx within 2.5x the floor; RSS under 250 MiB at 1M and 3M)');
}

function removeDb(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await benchImport();
