// `cx sync push`: deliver the pending changes and the audit log to the platform (src/sync/). Exit 0 when
// the run left nothing pending or failed; 5 when some changes failed or wait for a retry; 4 when the
// platform refused the credentials; 2 for missing or bad settings; 7 when the mirror was busy.
import type { Command } from 'commander';
import { pushPlan, type PlannedSend } from '../../actions/sync-status.js';
import type { Context } from '../../context.js';
import { CancelledError, CxError, EXIT, UsageError } from '../../errors.js';
import { visible } from '../../rules/visible-text.js';
import { note, printData, printError, table, warn } from '../../render.js';
import { countAuditAfter, readAnchor } from '../../store/audit-anchor.js';
import { countByState } from '../../store/sync-queue.js';
import { cancellable } from '../../files/cancellation.js';
import { isDeadOwner, newOwner } from '../../sync/owner.js';
import { startRecorder } from '../../sync/recorder.js';
import { describeStop, pushToPlatform, type PushReport } from '../../sync/push.js';
import { platformSettings } from '../../sync/settings.js';
import { signer } from '../../sync/signer.js';
import { connectPlatform } from '../../sync/transport.js';
import { handle, type Runtime } from '../define.js';
import { openForRead, openForWrite } from '../mirror.js';
import { syncBar } from './progress.js';

export function configure(cmd: Command, runtime: Runtime): void {
  cmd.addHelpText(
    'after',
    `
Settings: CX_PLATFORM_URL (https://…; http:// only for localhost or 127.0.0.1), CX_PLATFORM_SECRET or
CX_PLATFORM_SECRET_FILE (whsec_…), CX_PLATFORM_TIMEOUT_MS (per request, default 10000),
CX_SYNC_MAX_ATTEMPTS (default 8), CX_SYNC_CONCURRENCY (accounts in flight together, default 8).
Changes go oldest first; one account's changes in order, one at a time. A change the platform refuses
(400, 404, 422) is failed and holds back that account's later changes until \`cx sync retry\`.
--dry-run lists what would be sent. Exit 0 nothing left pending or failed, 5 some failed or wait for a
retry, 4 the platform refused the credentials, 2 settings missing or invalid, 7 the mirror was busy.`,
  );
  handle(cmd, runtime, (ctx) => {
    if (ctx.ticket) throw new UsageError('--ticket does not apply to cx sync push: each change goes with the ticket it was made under');
    return ctx.dryRun ? dryRun(ctx) : push(ctx);
  });
}

async function push(ctx: Context): Promise<number> {
  const settings = platformSettings({ env: ctx.io.env });
  const db = openForWrite(ctx);
  const owner = newOwner();
  const platform = connectPlatform(settings.base, settings.concurrency, settings.timeoutMs);
  const work = cancellable();
  let report: PushReport;
  try {
    const bar = await syncBar(ctx.io, countByState(db).pending);
    try {
      report = await pushToPlatform({
        db, openRecorder: () => startRecorder(ctx.dbPath, owner), platform, sign: signer(settings.secret), limits: settings, agent: ctx.agent, now: ctx.now, clock: Date.now, random: Math.random,
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
    throw new CancelledError(`cancelled: ${c.delivered} change(s) delivered and recorded, ${c.failed} failed; ${report.pending} pending`, 'run `cx sync push` again to go on');
  }
  const summary = {
    sent: c.sent,
    delivered: c.delivered,
    failed: c.failed,
    pending: report.pending,
    audit: { anchored_id: report.audit.anchored_id, unanchored_rows: report.audit.unanchored_rows },
    attempts: c.attempts,
    left_for_later: c.deferred,
    failures: c.failures,
    stopped: report.stop ? describeStop(report.stop) : null,
  };
  printData(ctx, summary, () => humanReport(report));
  switch (report.stop?.kind) {
    case 'unauthorized':
      printError(ctx, `${visible(describeStop(report.stop))}; the run stopped`, 'check CX_PLATFORM_SECRET (or CX_PLATFORM_SECRET_FILE) and CX_PLATFORM_URL, then run `cx sync push` again');
      return EXIT.refused;
    case 'misdirected':
      printError(ctx, `${visible(describeStop(report.stop))}; the run stopped`, 'set CX_PLATFORM_URL to the platform API base URL');
      return EXIT.usage;
    case 'unavailable':
    case 'refused':
      printError(ctx, `${visible(describeStop(report.stop))}; what is left waits for the next run`);
      return EXIT.batchIncomplete;
    default:
      return c.failed > 0 || report.pending > 0 ? EXIT.batchIncomplete : EXIT.ok;
  }
}

function humanReport(r: PushReport): string {
  const c = r.changes;
  const lines: string[] = [];
  if (c.sent === 0 && !r.stop) lines.push(r.pending ? `Nothing could be sent now; ${r.pending} pending (\`cx sync push --dry-run\` says why).` : 'Nothing to send: no pending changes.');
  else {
    lines.push(`Sent ${c.sent} change(s) in ${c.attempts} request(s): ${c.delivered} delivered, ${c.failed} failed, ${c.deferred} left for a later run. Pending now: ${r.pending}.`);
  }
  for (const f of c.failures) {
    lines.push(`  failed: ${f.kind} change ${f.key} (account ${visible(f.account_id ?? '-')}, ticket ${visible(f.ticket)}): ${visible(f.error)}`);
  }
  if (c.failures.length) lines.push('  fix the cause, then: cx sync retry --failed');
  const a = r.audit;
  lines.push(a.anchored_id === null ? `Audit log: not anchored yet (${a.unanchored_rows} rows).` : `Audit log: anchored at row ${a.anchored_id} (${a.unanchored_rows} rows not yet anchored).`);
  return lines.join('\n');
}

/** What a push would send now: read-only, needs no settings (says if they would stop a real push). */
async function dryRun(ctx: Context): Promise<number> {
  try {
    platformSettings({ env: ctx.io.env });
  } catch (err) {
    if (!(err instanceof CxError)) throw err;
    warn(ctx, `a real push would stop here: ${err.message}`);
  }
  const db = openForRead(ctx);
  let plan: PlannedSend[];
  let audit: { anchored_id: number | null; unanchored_rows: number };
  try {
    plan = pushPlan(db, new Date().toISOString());
    const anchor = readAnchor(db);
    audit = { anchored_id: anchor?.anchored_id ?? null, unanchored_rows: countAuditAfter(db, anchor?.anchored_id ?? 0) };
  } finally {
    db.close();
  }
  const sending = plan.filter((p) => p.would === 'send').length;
  printData(ctx, { dry_run: true, would_send: sending, pending: plan.length, changes: plan, audit }, () =>
    plan.length
      ? table<PlannedSend>(
          [
            { header: 'would', value: (p) => (p.would === 'wait' ? `wait until ${p.not_before}` : p.would === 'held' ? `held behind ${p.held_by}` : p.would) },
            { header: 'kind', value: (p) => p.kind },
            { header: 'account', value: (p) => visible(p.account_id ?? '') },
            { header: 'ticket', value: (p) => visible(p.ticket) },
            { header: 'created_at', value: (p) => p.created_at },
            { header: 'attempts', value: (p) => p.attempts },
            { header: 'key', value: (p) => p.key },
          ],
          plan,
        )
      : 'No pending changes.',
  );
  if (!ctx.json) note(ctx, `Would send ${sending} of ${plan.length} pending change(s), then ${audit.unanchored_rows} audit row(s) (dry run: nothing sent).`);
  return EXIT.ok;
}
