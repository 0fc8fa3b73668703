// `cx sync retry <key> | --failed | --waiting`: failed changes become pending again (same key), waiting ones
// due now, for the next push.
import type { Command } from 'commander';
import { retryChanges, type RetryTarget } from '../../actions/sync-retry.js';
import { exitCodeForOutcome, UsageError } from '../../errors.js';
import { printOutcome } from '../../render/index.js';
import { handle, type Runtime } from '../../cmdutil/define.js';
import { openExisting } from '../../cmdutil/mirror.js';
import { failuresTable } from './status.js';
import { helpAfter } from '../../cmdutil/help.js';

export function configure(cmd: Command, runtime: Runtime): void {
  cmd
    .option('--failed', 'every failed change')
    .option('--waiting', 'every change waiting for a later attempt (a Retry-After, a backoff): due now');
  helpAfter(cmd, [
    'A failed change becomes pending again, its attempts from 0; a waiting change (one the platform asked to ' +
      'wait, up to an hour) becomes due now, its attempts still counted. The change keeps its key, so the platform ' +
      'still applies it once. --ticket, when given, is named in the audit rows.',
  ]);
  handle(cmd, runtime, async (ctx, key: string | undefined, opts: { failed?: boolean; waiting?: boolean }) => {
    const given = [key !== undefined, Boolean(opts.failed), Boolean(opts.waiting)].filter(Boolean).length;
    if (given !== 1) throw new UsageError('give a change key, --failed or --waiting (one of them)', { text: 'See the keys of failed and pending changes with:', commands: ['cx sync status', 'cx sync push --dry-run'] });
    const target: RetryTarget = key !== undefined ? { key } : opts.failed ? { allFailed: true } : { allWaiting: true };
    const db = openExisting(ctx);
    try {
      const r = retryChanges({ db, now: ctx.now(), realNow: new Date(), agent: ctx.agent, ticket: ctx.ticket, dryRun: ctx.dryRun }, target);
      printOutcome(ctx, r, r.changes.length ? [failuresTable(r.changes)] : []);
      return exitCodeForOutcome(r.outcome);
    } finally {
      db.close();
    }
  });
}
