// `cx sync push`: deliver the pending changes and the audit log to the platform (src/sync/). Exit 0 when
// the run left nothing pending or failed; 5 when some changes failed or wait for a retry; 4 when the
// platform refused the credentials; 2 for missing or bad settings; 7 when the mirror was busy.
import type { Command } from 'commander';
import { auditShipping, pendingCount, pushPlan, type PlannedSend, type SyncStatus } from '../../actions/sync-status.js';
import { CancelledError, CxError, EXIT, UsageError } from '../../errors.js';
import { clockOf, type Context } from '../../context.js';
import { command, note, plural, printData, printError, table, thousands, timeColumn, warn, type Block } from '../../render/index.js';
import { cancellable } from '../../files/cancellation.js';
import { isDeadOwner, newOwner } from '../../sync/owner.js';
import { startRecorder } from '../../sync/recorder.js';
import { describeStop, pushToPlatform, type PushReport } from '../../sync/push.js';
import { platformSettings } from '../../config/platform.js';
import { signer } from '../../sync/signer.js';
import { connectPlatform } from '../../sync/transport.js';
import { handle, type Runtime } from '../../cmdutil/define.js';
import { openExisting } from '../../cmdutil/mirror.js';
import { connectionKey } from '../../store/db.js';
import { onStderr } from '../../cmdutil/out-stdout.js';
import { countBar } from '../../cmdutil/progress.js';
import { failuresTable } from './status.js';
import { helpAfter } from '../../cmdutil/help.js';

export function configure(cmd: Command, runtime: Runtime): void {
  helpAfter(cmd, [
    'Settings: CX_PLATFORM_URL (https://…; http:// only for localhost or 127.0.0.1), CX_PLATFORM_SECRET or ' +
      'CX_PLATFORM_SECRET_FILE (whsec_…), CX_PLATFORM_TIMEOUT_MS (a deadline for each whole exchange, default ' +
      '10000), CX_SYNC_MAX_ATTEMPTS (default 8), CX_SYNC_CONCURRENCY (accounts in flight together, default 8).',
    "Changes go oldest first; one account's changes in order, one at a time. A change the platform refuses " +
      "(400, 404, 422) is failed and holds back that account's later changes until `cx sync retry`. A " +
      'Retry-After is honoured up to an hour (`cx sync retry --waiting` makes those changes due now). Only a 2xx ' +
      'with the API\'s JSON receipt is a delivery: another answer, or a TLS certificate cx cannot trust, stops the ' +
      'run (exit 2). --dry-run lists what would be sent.',
    'Exit 0 nothing left pending or failed (changes another push running now holds are its own), 5 some failed ' +
      'or wait for a retry, 4 the platform refused the credentials, 2 settings missing or invalid, 7 the mirror was busy.',
  ]);
  handle(cmd, runtime, (ctx) => {
    if (ctx.ticket) throw new UsageError('--ticket does not apply to cx sync push: each change goes with the ticket it was made under');
    return ctx.dryRun ? dryRun(ctx) : push(ctx);
  });
}

async function push(ctx: Context): Promise<number> {
  const settings = platformSettings({ env: ctx.io.env, url: { value: ctx.settings.platform_url.value, from: ctx.settings.platform_url.from } });
  const db = openExisting(ctx);
  const owner = newOwner();
  const platform = connectPlatform(settings.base, settings.concurrency, settings.timeoutMs);
  const work = cancellable();
  let report: PushReport;
  try {
    const bar = await countBar(ctx.io, { label: 'sync', noun: 'changes', total: pendingCount(db), etaBuffer: 200 });
    try {
      report = await pushToPlatform({
        db, openRecorder: () => startRecorder({ dbPath: ctx.dbPath, lockWaitMs: ctx.lockWaitMs, key: connectionKey(db) }, owner), platform, sign: signer(settings.secret), limits: settings, agent: ctx.agent, now: ctx.now, clock: Date.now, random: Math.random,
        isDeadOwner: (o) => isDeadOwner(o, owner), cancel: work.signal, progress: bar.tick, platformOrigin: settings.base.origin,
      });
    } finally {
      bar.stop();
    }
  } finally {
    work.end();
    await platform.close();
    db.close();
  }
  const c = report.changes;
  if (report.stop?.kind === 'cancelled') {
    throw new CancelledError(`cancelled: ${plural(c.delivered, 'change')} delivered and recorded, ${c.failed} failed; ${report.pending} pending`, { text: 'To go on:', commands: ['cx sync push'] });
  }
  const summary = {
    sent: c.sent,
    delivered: c.delivered,
    failed: c.failed,
    pending: report.pending,
    audit: { anchored_id: report.audit.anchored_id, unanchored_rows: report.audit.unanchored_rows },
    held_by_another_push: report.heldElsewhere,
    attempts: c.attempts,
    left_for_later: c.deferred,
    failures: c.failures,
    stopped: report.stop ? describeStop(report.stop) : null,
  };
  // A run the platform stopped (credentials, a wrong URL) is an error: what it did is said on stderr.
  const stoppedHard = report.stop?.kind === 'unauthorized' || report.stop?.kind === 'misdirected' || report.stop?.kind === 'insecure';
  await printData(stoppedHard && !ctx.json ? onStderr(ctx) : ctx, summary, () => humanReport(report));
  switch (report.stop?.kind) {
    case 'unauthorized':
      printError(ctx, `${describeStop(report.stop)}; the run stopped`, { text: 'Check CX_PLATFORM_SECRET (or CX_PLATFORM_SECRET_FILE) and the platform URL, then run again:', commands: ['cx sync push'] });
      return EXIT.refused;
    case 'misdirected':
      printError(ctx, `${describeStop(report.stop)}; the run stopped`, 'Set CX_PLATFORM_URL (or platform_url in the config file) to the platform API base URL.');
      return EXIT.usage;
    case 'insecure':
      // A certificate cx cannot trust: someone in between, or not the platform. A setting to fix, like the URL.
      printError(ctx, `${describeStop(report.stop)}; the run stopped`, 'Check CX_PLATFORM_URL (or platform_url in the config file): it must be the platform, with a certificate your system trusts.');
      return EXIT.usage;
    case 'unavailable':
    case 'refused':
      printError(ctx, `${describeStop(report.stop)}; what is left waits for the next run`);
      return EXIT.batchIncomplete;
    default:
      // Changes another push running now holds are that push's: not counted against this run.
      return c.failed > 0 || report.pending > report.heldElsewhere ? EXIT.batchIncomplete : EXIT.ok;
  }
}

function humanReport(r: PushReport): Block[] {
  const c = r.changes;
  const blocks: Block[] = [];
  if (c.sent === 0 && !r.stop) {
    if (r.pending && r.pending === r.heldElsewhere) blocks.push(`Nothing to send: another push running now holds all ${thousands(r.pending)} pending.`);
    else blocks.push(r.pending ? `Nothing could be sent now; ${thousands(r.pending)} pending.` : 'Nothing to send: no pending changes.');
    if (r.pending > r.heldElsewhere) blocks.push('Next: see why:', command('cx sync push --dry-run'));
  } else {
    const elsewhere = r.heldElsewhere ? ` (${thousands(r.heldElsewhere)} held by another push running now)` : '';
    blocks.push(`Sent ${plural(c.sent, 'change')} in ${plural(c.attempts, 'request')}: ${thousands(c.delivered)} delivered, ${thousands(c.failed)} failed, ${thousands(c.deferred)} left for a later run. Pending now: ${thousands(r.pending)}${elsewhere}.`);
  }
  if (c.failures.length) {
    blocks.push(failuresTable(c.failures), 'Next: fix the cause, then put them back in the queue:', command('cx sync retry --failed'));
  }
  const a = r.audit;
  blocks.push(a.anchored_id === null ? `Audit log: not anchored yet (${plural(a.unanchored_rows, 'row')}).` : `Audit log: anchored at row ${a.anchored_id} (${plural(a.unanchored_rows, 'row')} not yet anchored).`);
  return blocks;
}

/** What a push would send now: read-only, needs no settings (says if they would stop a real push). */
async function dryRun(ctx: Context): Promise<number> {
  try {
    platformSettings({ env: ctx.io.env, url: { value: ctx.settings.platform_url.value, from: ctx.settings.platform_url.from } });
  } catch (err) {
    if (!(err instanceof CxError)) throw err;
    warn(ctx, `a real push would stop here: ${err.message}`);
  }
  const db = openExisting(ctx);
  let plan: PlannedSend[];
  let audit: SyncStatus['audit'];
  try {
    plan = pushPlan(db, new Date().toISOString());
    audit = auditShipping(db);
  } finally {
    db.close();
  }
  const sending = plan.filter((p) => p.would === 'send').length;
  const clock = clockOf(ctx);
  await printData(ctx, { dry_run: true, would_send: sending, pending: plan.length, changes: plan, audit }, () => [
    plan.length
      ? table<PlannedSend>(
          [
            { header: 'would', value: (p) => (p.would === 'wait' ? `wait until ${p.not_before}` : p.would === 'held' ? `held behind ${p.held_by}` : p.would), kind: 'key' },
            { header: 'kind', value: (p) => p.kind, kind: 'key' },
            { header: 'account', value: (p) => p.account_id ?? '', kind: 'id', priority: 2 },
            { header: 'ticket', value: (p) => p.ticket, kind: 'id', priority: 1 },
            timeColumn('created', (p) => p.created_at, clock),
            { header: 'attempts', value: (p) => p.attempts },
            { header: 'key', value: (p) => p.key, kind: 'id', priority: 1 },
          ],
          plan,
        )
      : 'No pending changes.',
  ]);
  if (!ctx.json) note(ctx, `Would send ${thousands(sending)} of ${plural(plan.length, 'pending change')}, then ${plural(audit.unanchored_rows, 'audit row')} (dry run: nothing sent).`);
  return EXIT.ok;
}
