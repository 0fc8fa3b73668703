// `cx sync status`: counts by state, the oldest pending change, each failure with its reason, and the audit
// anchor. Reads the mirror only: no platform settings needed, so CI can run it. Exit 5 when any change failed.
import type { Command } from 'commander';
import { syncStatus, type SyncStatus } from '../../actions/sync-status.js';
import { EXIT } from '../../errors.js';
import { visible } from '../../rules/visible-text.js';
import { fields, printData, table } from '../../render.js';
import { handle, type Runtime } from '../define.js';
import { openForRead } from '../mirror.js';

export function configure(cmd: Command, runtime: Runtime): void {
  cmd.addHelpText('after', '\nExit 0, or 5 when any change has failed (`cx sync retry` puts it back once the cause is fixed).');
  handle(cmd, runtime, async (ctx) => {
    const db = openForRead(ctx);
    let status: SyncStatus;
    try {
      status = syncStatus(db);
    } finally {
      db.close();
    }
    printData(ctx, status, () => human(status));
    return status.failed > 0 ? EXIT.batchIncomplete : EXIT.ok;
  });
}

function human(s: SyncStatus): string {
  const lines = [
    fields([
      ['pending', `${s.pending}${s.held_back ? ` (${s.held_back} held behind a failed change of the same account)` : ''}`],
      ['oldest pending', s.oldest_pending_at],
      ['delivered', s.delivered],
      ['failed', s.failed],
      ['audit log', s.audit.anchored_id === null ? `not anchored yet (${s.audit.unanchored_rows} rows)` : `anchored at row ${s.audit.anchored_id}, ${s.audit.unanchored_rows} rows not yet anchored`],
    ]),
  ];
  if (s.failures.length) {
    lines.push(
      table(
        [
          { header: 'key', value: (f: SyncStatus['failures'][number]) => f.key },
          { header: 'kind', value: (f) => f.kind },
          { header: 'account', value: (f) => visible(f.account_id ?? '') },
          { header: 'ticket', value: (f) => visible(f.ticket) },
          { header: 'attempts', value: (f) => f.attempts },
          { header: 'error', value: (f) => visible(f.error ?? '') },
        ],
        s.failures,
      ),
      'Fix the cause, then put them back in the queue:\ncx sync retry --failed',
    );
  }
  return lines.join('\n');
}
