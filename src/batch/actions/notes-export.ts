// The batch's notes_export tickets: `cx notes export`'s action, run unlocked for real (the zip is written
// with no write lock held: src/batch/dispatch.ts UnlockedTicketAction). The only ticket type that loads the
// zip writer and its checker.
import { mkdirSync } from 'node:fs';
import type { ActionDeps } from '../../actions/common.js';
import type { HandoverRuntime } from '../../actions/handover.js';
import { exportNotes, type NotesExportInput } from '../../actions/notes-export.js';
import type { NotesExportResult } from '../../actions/result.js';
import type { BatchSettings, Reply, UnlockedTicketAction } from '../dispatch.js';
import type { TicketRow } from '../input.js';
import { withReply } from '../reply.js';

// A zip is handed over by the agent, not told: a notes row's reply is its suggestions alone.
export const notesExportTicket: UnlockedTicketAction = Object.assign(
  (deps: ActionDeps, row: TicketRow, ctx: BatchSettings) => exportNotes(deps, notesInput(row, ctx)).then((r) => withReply(deps, row, r, [])),
  {
    unlocked: async (deps: ActionDeps, row: TicketRow, ctx: BatchSettings, runtime: HandoverRuntime): Promise<NotesExportResult & { reply?: Reply }> => {
      mkdirSync(ctx.notesDir, { recursive: true });
      const r = await exportNotes(deps, notesInput(row, ctx), runtime);
      return withReply(deps, row, r, []);
    },
  },
);

/**
 * A dry run creates nothing: the action is told the folder will be made, so it plans as for real. The zip
 * is named after the ticket, so a re-run after a crash (zip written, ticket not yet recorded) rewrites the
 * same file: `force` is safe here, a recorded ticket is never exported again.
 */
function notesInput(row: TicketRow, ctx: BatchSettings): NotesExportInput {
  return {
    email: row.email,
    outDir: ctx.notesDir,
    client: row.fields.clientEmail,
    since: row.fields.since,
    until: row.fields.until,
    force: true,
    createsOutDir: true,
    protect: ctx.protect,
  };
}
