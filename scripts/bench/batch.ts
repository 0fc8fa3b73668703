// Batch bench (issue 7): N tickets (default 100,000) on a generated 1,000,000-account mirror, in one run:
//   - the floor: a bare better-sqlite3 loop doing the same reads and writes (batch-floor.ts);
//   - `cx batch` itself, and its peak memory at 10% and 30% of the tickets too (flat as the file grows?);
//   - one `cx` process per ticket, what an agent would script, timed on a sample and extrapolated.
// Each run gets a fresh copy of the mirror, brought to the current schema first (the floor and cx run on
// the same). Peak RSS comes from the child itself (rss-hook.ts).
// Standalone: node build/scripts/bench/batch.js   Env: BENCH_BIG_DB (default /tmp/big.db), BENCH_BATCH_TICKETS.
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, fsyncSync, openSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openMirror } from '../../src/store/db.js';
import { median } from './measure.js';
import { makeTickets, ticketsCsv } from './batch-tickets.js';
import { CX, REPO, benchKeys } from '../paths.js';

const HOOK = pathToFileURL(join(import.meta.dirname, 'rss-hook.js')).href;
const SAMPLE = 20;

interface Measured {
  label: string;
  tickets: number;
  ms: number;
  rssMiB: number;
}

function child(argv: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; rssFile: string }): { ms: number; rssMiB: number } {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', HOOK, ...argv], {
    cwd: REPO, input: opts.input ?? '', env: { ...process.env, NO_COLOR: '1', CX_AGENT: 'bench', ...opts.env, BENCH_RSS_FILE: opts.rssFile },
    stdio: ['pipe', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  // cx batch exits 5 when some rows are not done (the not_found / invalid rows generated on purpose).
  if (r.status !== 0 && r.status !== 5) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { ms, rssMiB: Number(readFileSync(opts.rssFile, 'utf8')) / 1024 };
}

function countDataRows(csvFile: string): number {
  const text = readFileSync(csvFile, 'utf8');
  return text.split('\n').filter(Boolean).length - 1; // bench rows hold no line breaks
}

/** Rows that ended done or already_done (recorded), from a results file whose outcome is the given column. */
function countRecorded(csvFile: string, column: number): number {
  const lines = readFileSync(csvFile, 'utf8').split('\n').slice(1);
  // Split on commas is enough for the outcome column: it comes before any quoted detail.
  return lines.filter((l) => /^(done|already_done)$/.test(l.split(',')[column] ?? '')).length;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
function duration(ms: number): string {
  if (ms < 120_000) return `${fmt(ms / 1000, 1)} s`;
  if (ms < 7_200_000) return `${fmt(ms / 60_000, 1)} min`;
  return `${fmt(ms / 3_600_000, 1)} h`;
}

export async function benchBatch(): Promise<void> {
  const big = resolve(process.env.BENCH_BIG_DB ?? '/tmp/big.db');
  const n = Number(process.env.BENCH_BATCH_TICKETS ?? 100_000);
  console.log(`\n## batch: ${fmt(n)} tickets`);
  if (!existsSync(big)) {
    console.log(`skipped: no generated mirror at ${big}. Make one (a few minutes), then run again:\n` +
      `  npm run gen -- --accounts 1000000 --out ${big}     (or set BENCH_BIG_DB)`);
    return;
  }
  if (existsSync(`${big}-wal`) && readFileSync(`${big}-wal`).length > 0) console.log(`note: ${big}-wal is not empty; copies take the main file only`);
  const dir = mkdtempSync(join(dirname(big), 'cx-bench-batch-'));
  try {
    const tickets = makeTickets(big, n);
    const files = new Map<number, string>();
    const sizes = [...new Set([Math.round(n / 10), Math.round((3 * n) / 10), n])].filter((s) => s > 0);
    for (const size of sizes) {
      const file = join(dir, `tickets-${size}.csv`);
      writeFileSync(file, ticketsCsv(tickets.rows.slice(0, size)));
      files.set(size, file);
    }
    console.log(`mirror: ${big} (${fmt(tickets.accounts)} accounts); tickets: ${tickets.mixLabel}`);
    const fresh = (name: string) => {
      const copy = join(dir, `${name}.db`);
      copyFileSync(big, copy);
      // On disk before the run: else the first checkpoint's fsync writes out the whole fresh copy (GBs),
      // timed as part of whichever run comes first. A real mirror is not a file copied a moment ago.
      const fd = openSync(copy, 'r+');
      fsyncSync(fd);
      closeSync(fd);
      // At the current schema before either runs: the floor's bare loop never migrates, and cx would
      // otherwise time a one-off upgrade of an older generated mirror as part of the batch.
      openMirror(copy, { keys: benchKeys() }).close();
      return copy;
    };
    const rssFile = join(dir, 'rss');
    const results: Measured[] = [];

    const floorDb = fresh('floor');
    const floor = child([join(import.meta.dirname, 'batch-floor.js'), floorDb, files.get(n)!, join(dir, 'floor-out.csv')], { rssFile });
    rmSync(floorDb);
    results.push({ label: 'bare better-sqlite3 loop (the floor)', tickets: n, ...floor });
    const floorRecorded = countRecorded(join(dir, 'floor-out.csv'), 1);

    const growth: Array<{ size: number; rssMiB: number; ms: number }> = [];
    for (const size of sizes) {
      const db = fresh(`cx-${size}`);
      const out = join(dir, `cx-${size}-results.csv`);
      const m = child([CX, '--db', db, 'batch', files.get(size)!, '--yes', '--out', out], { rssFile });
      if (countDataRows(out) !== size) throw new Error(`cx batch wrote ${countDataRows(out)} result rows for ${size} tickets`);
      growth.push({ size, ...m });
      if (size === n) {
        results.push({ label: 'cx batch', tickets: n, ...m });
        // The floor must have done the same work: as many tickets recorded (done or already done).
        console.log(`tickets recorded: cx batch ${fmt(countRecorded(out, 3))}, the floor ${fmt(floorRecorded)}`);
      }
      if (size !== sizes[0]) rmSync(db);
    }

    // One process per ticket, on the first copy (its tickets are already recorded; these ids are new).
    const perDb = join(dir, `cx-${sizes[0]}.db`);
    const sample = tickets.rows.slice(0, SAMPLE).map((r) => ({ ...r, ticketId: `${r.ticketId}-single` }));
    const singles = sample.map((row) => child([CX, '--db', perDb, 'batch', '-', '--yes'], { input: ticketsCsv([row]), rssFile }));
    const perTicketMs = median(singles.map((s) => s.ms));
    results.push({ label: `one cx process per ticket (${SAMPLE} timed, extrapolated)`, tickets: n, ms: perTicketMs * n, rssMiB: Math.max(...singles.map((s) => s.rssMiB)) });

    console.log(`${'what'.padEnd(48)} ${'tickets/s'.padStart(10)} ${`time for ${fmt(n)}`.padStart(16)} ${'peak RSS'.padStart(10)} ${'vs floor'.padStart(9)}`);
    for (const r of results) {
      const rate = (r.tickets / r.ms) * 1000; // all rows: the floor and cx skip or refuse the same ones
      const ratio = floor.ms / r.ms;
      const shown = ratio >= 0.01 ? `${fmt(ratio, 2)}x` : `1/${fmt(1 / ratio)}`;
      console.log(`${r.label.padEnd(48)} ${fmt(rate).padStart(10)} ${duration(r.ms).padStart(16)} ${`${fmt(r.rssMiB)} MiB`.padStart(10)} ${shown.padStart(9)}`);
    }
    console.log(`cx batch peak RSS as the file grows: ${growth.map((g) => `${fmt(g.size)} tickets ${fmt(g.rssMiB)} MiB (${fmt((g.size / g.ms) * 1000)}/s)`).join(', ')}`);
    console.log('(whole processes, wall time: start-up, reading and checking the file, and the results file included; one run each)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await benchBatch();
