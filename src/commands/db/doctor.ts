// cx db doctor [--strict] [--max-age <hours>] [--min-accounts <n>]: check the mirror. --strict is the CI smoke
// gate (docs/reference.md#cx-db-doctor): any failed check, a file that does not open as a mirror included, is
// exit 6.
import type { Command } from 'commander';
import { examineMirror, unopenedReport, type DoctorAsk, type DoctorReport } from '../../actions/doctor.js';
import type { Context } from '../../context.js';
import { asCxError, EXIT, UsageError } from '../../errors.js';
import { fields, printData, printError, table, warn, type Block } from '../../render/index.js';
import type { Db } from '../../store/db.js';
import { handle, type Runtime } from '../../cmdutil/define.js';
import { openAsIs, openExisting } from '../../cmdutil/mirror.js';
import { askWitness, platformConfigured } from '../../cmdutil/witness.js';
import type { PlatformRecord } from '../../sync/witness.js';
import { helpAfter } from '../../cmdutil/help.js';

interface DoctorOptions {
  strict?: boolean;
  allowPlaintext?: boolean;
  maxAge?: string;
  minAccounts?: string;
}

export function configure(cmd: Command, runtime: Runtime): void {
  cmd
    .option('--strict', 'the CI smoke gate: exit 6 on any failed check, also when the file does not open as a mirror')
    .option('--max-age <hours>', 'fail when the last import is older than this many hours')
    .option('--min-accounts <n>', 'fail when the mirror holds fewer accounts')
    .option('--allow-plaintext', 'a plaintext mirror passes the encryption check (synthetic data only)');
  helpAfter(cmd, [
    'Checks: opens, integrity, foreign_keys, schema, audit_triggers, audit_chain, policy (the retention policy in ' +
      'effect), freshness (--max-age), accounts (--min-accounts), lookup_paths (each lookup finds a sample account ' +
      'through its index), audit_remote (with a platform configured: the platform\'s record of the audit log matches ' +
      'this mirror\'s, as cx audit --verify; without one, ok and "not configured"), encryption (the cipher; a ' +
      'plaintext mirror fails unless --allow-plaintext). --json prints {"ok", "checks": ' +
      '[{"name", "ok", "detail"}], ...}. Without --strict, a file that does not open is the usual error (exit 2) and ' +
      'an older schema is upgraded first; with it, neither.',
  ]);
  handle(cmd, runtime, async (ctx, opts: DoctorOptions) => {
    const ask: DoctorAsk = {
      maxAgeHours: opts.maxAge === undefined ? undefined : positive(opts.maxAge, '--max-age', 'a number of hours above 0'),
      minAccounts: opts.minAccounts === undefined ? undefined : whole(opts.minAccounts),
      policyPath: ctx.policyPath,
      allowPlaintext: Boolean(opts.allowPlaintext),
      now: ctx.now,
      platform: platformConfigured(ctx) ? undefined : null,
    };
    const report = opts.strict ? await strictReport(ctx, ask) : await looseReport(ctx, ask);
    if (!ctx.json && !report.ok) printError(ctx, 'the mirror has problems:', undefined, report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`));
    await printData(ctx, report, () => text(ctx, report, Boolean(opts.strict)));
    for (const w of report.warnings) if (!ctx.json) warn(ctx, w);
    return report.ok ? EXIT.ok : EXIT.integrity;
  });
}

async function strictReport(ctx: Context, ask: DoctorAsk): Promise<DoctorReport> {
  let db: Db;
  try {
    db = openAsIs(ctx);
  } catch (err) {
    return unopenedReport(`${ctx.dbPath}: ${asCxError(err).message}`, ask);
  }
  try {
    return examineMirror(db, ctx.dbPath, { ...ask, platform: await platformRecord(ctx, db) });
  } finally {
    db.close();
  }
}

async function looseReport(ctx: Context, ask: DoctorAsk): Promise<DoctorReport> {
  const db = openExisting(ctx);
  try {
    return examineMirror(db, ctx.dbPath, { ...ask, platform: await platformRecord(ctx, db) });
  } finally {
    db.close();
  }
}

/** The platform's record for audit_remote: a setting that stops it asking fails that check, not the doctor. */
async function platformRecord(ctx: Context, db: Db): Promise<PlatformRecord | null> {
  try {
    return await askWitness(ctx, db);
  } catch (err) {
    return { kind: 'unavailable', reason: asCxError(err).message };
  }
}

function text(ctx: Context, report: DoctorReport, strict: boolean): Block[] {
  const blocks: Block[] = [
    // A failure is said once, on stderr (with the failed checks), before this table.
    ...(report.ok ? ['The mirror is healthy.'] : []),
    table<DoctorReport['checks'][number]>(
      [
        { header: 'check', value: (c) => c.name, kind: 'key' },
        { header: 'result', value: (c) => (c.ok ? 'ok' : 'FAIL'), kind: 'key', style: (c) => (c.ok ? 'good' : 'bad') },
        { header: 'detail', value: (c) => c.detail, kind: 'text' },
      ],
      report.checks,
    ),
  ];
  if (!strict && report.row_counts) {
    blocks.push(
      ...fields([
        ['file', ctx.dbPath],
        ['schema version', report.schema_version],
        ['journal mode', report.journal_mode],
        ['cipher', report.cipher ?? 'none (plaintext)'],
        ...Object.entries(report.row_counts).map(([t, n]): [string, number] => [t, n]),
      ]),
    );
  }
  return blocks;
}

function positive(raw: string, flag: string, what: string): number {
  const n = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!(n > 0)) throw new UsageError(`${flag} must be ${what}: ${raw}`);
  return n;
}

function whole(raw: string): number {
  const n = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n)) throw new UsageError(`--min-accounts must be a whole number: ${raw}`);
  return n;
}
