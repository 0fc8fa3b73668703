// What the person needs, and the action that answers it at the desk. Each one is the command's own
// run-and-print function on the session's open mirror (plan, confirmation, audit, "Tell the person"); the
// desk only chains them the way the rules' advice says: a reset refused for an unsubscribe offers the reset
// that lifts it (cx reset --resubscribe), one refused for a bounce or complaint offers the forced lift with
// a reason and then the reset again.
import type { Match } from '../actions/lookup.js';
import type { OffboardResult } from '../actions/result.js';
import { runDeactivate } from '../commands/deactivate.js';
import { runFamily } from '../commands/family.js';
import { runNotesExport } from '../commands/notes/export.js';
import { runOffboard, saveCaseloadCsv } from '../commands/offboard.js';
import { runReset } from '../commands/reset.js';
import { runResubscribe } from '../commands/resubscribe.js';
import { has } from '../has.js';
import { countNotes } from '../store/notes.js';
import type { Db } from '../store/db.js';
import { join } from 'node:path';
import { exportsFolder, makeExportsFolder } from '../files/exports-folder.js';
import { DATE_HINT, isCalendarDate, today } from '../rules/dates.js';
import { caseloadCsvName, notesZipName } from '../rules/notes-zip-name.js';
import { plural } from '../render/index.js';
import type { Person } from './find.js';
import { confirmWhoIsAsking } from './identity.js';
import type { Session } from './session.js';

export type Need = 'find' | 'reset' | 'emails' | 'deactivate' | 'offboard' | 'notes' | 'family';

export const NEEDS: ReadonlyArray<{ need: Need; label: string }> = [
  { need: 'find', label: 'Find an account' },
  { need: 'reset', label: 'Password reset (or the verification email)' },
  { need: 'emails', label: 'Emails stopped arriving (unsubscribed, bounced, marked as spam)' },
  { need: 'deactivate', label: "Close a client's account" },
  { need: 'offboard', label: 'A provider is leaving the platform' },
  { need: 'notes', label: "A provider's progress notes" },
  { need: 'family', label: 'A family account (a shared mailbox)' },
];

/** The needs an account's situation allows, for the menu after "find an account". */
export function needsFor(m: Match): Array<{ need: Need; label: string }> {
  const open = m.status === 'active';
  const allowed: Record<Need, boolean> = {
    find: false,
    reset: open,
    emails: m.suppression !== null,
    deactivate: m.role === 'client' && open,
    offboard: m.role === 'provider' && open,
    notes: m.role === 'provider',
    family: true,
  };
  return NEEDS.filter((n) => allowed[n.need]);
}

const DATE = (d: string) => isCalendarDate(d) || DATE_HINT;

/** What changes an account (or hands its data over): the person must have shown it is theirs first. */
const CHANGES: ReadonlySet<Need> = new Set(['reset', 'emails', 'deactivate', 'offboard', 'notes']);

/** The change (or listing) for the person on the screen, given their address as the command would be. */
export async function act(s: Session, need: Need, person: Person): Promise<void> {
  const { ctx, db, prompter } = s;
  const address = person.address;
  if (CHANGES.has(need) && !(await confirmWhoIsAsking(s, person))) return;
  switch (need) {
    case 'find':
      return;
    case 'reset':
      return reset(s, address);
    case 'emails': {
      const first = (await runResubscribe(ctx, address, {}, db)).result;
      if (first.outcome === 'refused' && has(first, 'suppression')) await liftBlock(s, address);
      return;
    }
    case 'deactivate': {
      // Confirmed here by the address the request came from: the deactivation names it, and checks it again.
      // By the date of birth: no address to name. Found by an address: asked, as cx deactivate --requested-by.
      const confirmed = person.confirmed;
      const from = confirmed
        ? (confirmed.by === 'address' ? confirmed.requester : '')
        : await prompter.text("The request came from which address? (Enter: the account's own)", { optional: true });
      await runDeactivate(ctx, address, { requestedBy: from || undefined }, db);
      return;
    }
    case 'offboard': {
      const effective = await prompter.text('Effective date (YYYY-MM-DD; a future day schedules it), or Enter for today:', { optional: true, validate: DATE });
      // The caseload may be long: through the pager, which leaves the session running.
      const { result } = await runOffboard(ctx, address, { effective: effective || undefined, page: true }, db);
      await afterOffboarding(s, address, result);
      return;
    }
    case 'notes':
      // A client, or a provider with no notes: the export says so at once, with no file name asked first.
      if (person.match.role !== 'provider' || !providerHasNotes(db, person.match.id)) {
        await runNotesExport(ctx, address, { outDir: exportsFolder(ctx.dbPath) }, db);
        return;
      }
      return exportNotes(s, address, person.match.id);
    case 'family': {
      const name = await prompter.text('A family member who needs an address of their own? Their name (Enter: only list the mailbox):', { optional: true });
      await runFamily(ctx, address, { suggest: name || undefined }, db);
      return;
    }
  }
}

/**
 * A provider's progress notes, as cx notes export writes them. PHI never lands in whatever folder the shell is
 * in: Enter keeps the zip beside the mirror, in a folder only the agent can open.
 */
async function exportNotes(s: Session, address: string, providerId: string): Promise<void> {
  const { ctx, db, prompter } = s;
  const folder = exportsFolder(ctx.dbPath);
  const name = notesZipName(providerId, ctx.ticket ?? '', today(ctx.now()));
  const out = await prompter.text(`Save the zip as (Enter: ${join(folder, name)}, in a folder only you can read):`, { optional: true });
  if (!out && !ctx.dryRun) makeExportsFolder(folder);
  await runNotesExport(ctx, address, { ...(out ? { out } : { outDir: folder }), verify: true }, db);
}

function providerHasNotes(db: Db, providerId: string): boolean {
  return countNotes(db, { providerId }) > 0;
}

/** After a provider's offboarding: their notes now, and the caseload kept as a CSV file (both PHI, both audited). */
async function afterOffboarding(s: Session, address: string, r: OffboardResult): Promise<void> {
  const { ctx, db, prompter } = s;
  if (r.outcome !== 'done' && r.outcome !== 'already_done' && r.outcome !== 'planned') return;
  // No notes written: nothing to offer.
  if (r.progress_notes > 0 && (await prompter.confirm('Export the notes now?', true))) await exportNotes(s, address, r.account_id);
  const clients = has(r, 'clients') ? r.clients : [];
  if (ctx.dryRun || !clients.length) return;
  if (!(await prompter.confirm(`Save the caseload (${plural(clients.length, 'client')}) as CSV?`, false))) return;
  const folder = exportsFolder(ctx.dbPath);
  const name = caseloadCsvName(r.account_id, ctx.ticket ?? '', today(ctx.now()));
  const out = await prompter.text(`Save it as (Enter: ${join(folder, name)}, in a folder only you can read):`, { optional: true });
  if (!out) makeExportsFolder(folder);
  await saveCaseloadCsv(ctx, r.account_id, clients, out || join(folder, name), db);
}

/** The reset; a suppressed address is offered the fix the reset's refusal names, then the reset itself. */
async function reset(s: Session, address: string): Promise<void> {
  const first = (await runReset(s.ctx, address, {}, s.db)).result;
  if (first.outcome !== 'refused' || !has(first, 'suppression')) return;
  // An unsubscribe is lifted together with the reset, in one change, once the person agrees (the question).
  if (first.suppression.reason === 'unsubscribe') await runReset(s.ctx, address, { resubscribe: true }, s.db);
  else if (await liftBlock(s, address)) await runReset(s.ctx, address, {}, s.db);
}

/** A bounce or a spam complaint: lifted only with a reason for the audit log (cx resubscribe --force). */
async function liftBlock(s: Session, address: string): Promise<boolean> {
  const reason = await s.prompter.text('Only if they confirmed the address and want email again: why lift the block? (for the audit log; Esc leaves it)');
  return (await runResubscribe(s.ctx, address, { force: true, reason }, s.db)).result.outcome === 'done';
}
