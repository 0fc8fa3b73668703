// `cx sync retry <key> | --failed`: failed changes become pending again (same key), for the next push.
import type { Command } from 'commander';
import { retryChanges } from '../../actions/sync-retry.js';
import { exitCodeForOutcome, UsageError } from '../../errors.js';
import { printOutcome } from '../../render/index.js';
import { handle, type Runtime } from '../../cmdutil/define.js';
import { openExisting } from '../../cmdutil/mirror.js';
import { failuresTable } from './status.js';

export function configure(cmd: Command, runtime: Runtime): void {
  cmd
    .option('--failed', 'every failed change')
    .addHelpText('after', '\nThe change keeps its key, so the platform still applies it once. --ticket, when given, is named in the audit rows.');
  handle(cmd, runtime, async (ctx, key: string | undefined, opts: { failed?: boolean }) => {
    if (Boolean(key) === Boolean(opts.failed)) throw new UsageError('give a change key or --failed (one of them)', { text: 'See the keys of failed changes with:', commands: ['cx sync status'] });
    const db = openExisting(ctx);
    try {
      const r = retryChanges({ db, now: ctx.now(), agent: ctx.agent, ticket: ctx.ticket, dryRun: ctx.dryRun }, key ? { key } : { allFailed: true });
      printOutcome(ctx, r, r.changes.length ? [failuresTable(r.changes)] : []);
      return exitCodeForOutcome(r.outcome);
    } finally {
      db.close();
    }
  });
}
