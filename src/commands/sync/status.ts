// `cx sync status`: counts by state, the oldest pending change, each failure with its reason, and the audit
// anchor. Reads the mirror only: no platform settings needed, so CI can run it. Exit 5 when any change failed.
import type { Command } from 'commander';
import { syncStatus, type SyncStatus } from '../../actions/sync-status.js';
import { EXIT } from '../../errors.js';
import { command, fields, plural, printData, table, thousands, type Block, type Table } from '../../render/index.js';

/** A failed change as `cx sync status` and `cx sync push` list it. */
type Failure = Omit<SyncStatus['failures'][number], 'attempts'> & { attempts?: number };
import { handle, type Runtime } from '../../cmdutil/define.js';
import { openExisting } from '../../cmdutil/mirror.js';
import { helpAfter } from '../../cmdutil/help.js';

export function configure(cmd: Command, runtime: Runtime): void {
  helpAfter(cmd, ['Exit 0, or 5 when any change has failed (`cx sync retry` puts it back once the cause is fixed).']);
  handle(cmd, runtime, async (ctx) => {
    const db = openExisting(ctx);
    let status: SyncStatus;
    try {
      status = syncStatus(db);
    } finally {
      db.close();
    }
    await printData(ctx, status, () => human(status));
    return status.failed > 0 ? EXIT.batchIncomplete : EXIT.ok;
  });
}

function human(s: SyncStatus): Block[] {
  const blocks: Block[] = [
    ...fields([
      ['pending', `${thousands(s.pending)}${s.held_back ? ` (${thousands(s.held_back)} held behind a failed change of the same account)` : ''}`],
      ['oldest pending', s.oldest_pending_at],
      ['delivered', thousands(s.delivered)],
      ['failed', thousands(s.failed)],
      ['audit log', s.audit.anchored_id === null ? `not anchored yet (${plural(s.audit.unanchored_rows, 'row')})` : `anchored at row ${s.audit.anchored_id}, ${plural(s.audit.unanchored_rows, 'row')} not yet anchored`],
    ]),
  ];
  if (s.failures.length) blocks.push(failuresTable(s.failures), 'Next: fix the cause, then put them back in the queue:', command('cx sync retry --failed'));
  return blocks;
}

/** Failed changes, with the platform's reason: shared with `cx sync push`. */
export function failuresTable(failures: ReadonlyArray<Failure>): Table<Failure> {
  return table<Failure>(
    [
      { header: 'key', value: (f) => f.key, kind: 'id', priority: 3 },
      { header: 'kind', value: (f) => f.kind, kind: 'key' },
      { header: 'account', value: (f) => f.account_id ?? '', kind: 'id', priority: 2 },
      { header: 'ticket', value: (f) => f.ticket, kind: 'id', priority: 1 },
      // A push's own failures carry no count (the status reads it from the mirror): no empty column.
      ...(failures.some((f) => f.attempts !== undefined) ? [{ header: 'attempts', value: (f: Failure) => f.attempts ?? '' }] : []),
      { header: 'error', value: (f) => f.error ?? '', kind: 'text' },
    ],
    failures,
  );
}
