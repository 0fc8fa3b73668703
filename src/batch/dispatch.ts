// Which action a ticket type runs. Batch calls the very same actions as the single commands: each type's
// module in src/batch/actions/ only maps a ticket row's columns to an action's input. The modules are
// loaded for the types a file holds (loadDispatch): a file of lookups starts like a lookup, without the zip
// writer a notes export needs (archiver, ~100 ms to load) or the other actions.
import type { ActionDeps, ActionResult } from '../actions/common.js';
import type { AlreadyRecorded, Outcome, Result } from '../actions/result.js';
import type { EmailSettings } from '../config/email.js';
import type { HandoverRuntime } from '../actions/handover.js';
import type { Protected } from '../files/output-file.js';
import type { GuidanceContext } from '../rules/guidance.js';
import type { RetentionPolicy } from '../rules/policy.js';
import type { TicketRow, TicketType } from './input.js';

/** What every row of one batch shares, beyond the action's own deps. */
export interface BatchSettings {
  /** Where notes_export rows write their zips (--notes-dir, default ./exports), as an absolute path. */
  notesDir: string;
  /** The retention policy deactivate_client rows use (--policy, $CX_POLICY, else the defaults). */
  policy: RetentionPolicy;
  /** Files a notes zip may never replace besides the mirror: the batch's input and results. */
  protect?: readonly Protected[];
  /** The brand and the reset window the email rows use (CX_BRAND, CX_RESET_WINDOW_MINUTES). */
  email: EmailSettings;
  /** Times as the agent reads them, for the replies (src/render/advice.ts); ISO times without it. */
  clock?: Pick<GuidanceContext, 'at' | 'ago'>;
}

/**
 * What a row's results give beside the contract's columns (issue 21, part 5): the words for the person (the
 * Tell lines the single command prints), and for a row that found no account, the addresses `cx lookup`
 * would suggest (or the +alias account's own address, src/actions/common.ts changeAccountOf).
 */
export interface Reply {
  tell: string;
  suggestions: string[];
}

/** An action's result as a batch row reads it: its base, and the reply when the action's type has one. */
export type TicketResult = ActionResult & { reply?: Reply };

/** A ticket type's action: the same action as the single command; the batch reads its result's base. */
export type TicketAction = (deps: ActionDeps, row: TicketRow, ctx: BatchSettings) => TicketResult | Promise<TicketResult>;

/** What an unlocked action returns: already_done only as the ledger's earlier record, with its time. */
export type UnlockedResult = (Result<Exclude<Outcome, 'already_done'>> | AlreadyRecorded) & { reply?: Reply };

/**
 * An action that must not run inside the batch's write lock (a notes export zips for seconds or minutes).
 * Called as a TicketAction for a dry run (inside the batch's read transaction); for real, `unlocked` runs
 * with no transaction open: it reads from its own snapshot and takes the lock through `runtime.transact`
 * for its short steps, recording the ticket through `runtime.ledger` in its last one (src/batch/unlocked.ts).
 */
export interface UnlockedTicketAction extends TicketAction {
  unlocked(deps: ActionDeps, row: TicketRow, ctx: BatchSettings, runtime: UnlockedRuntime): Promise<UnlockedResult>;
}

export type UnlockedRuntime = HandoverRuntime & Required<Pick<HandoverRuntime, 'transact' | 'ledger'>>;

/** The actions of the types a batch runs (loadDispatch); a row of another type never reaches it. */
export type DispatchTable = Partial<Record<TicketType, TicketAction>>;

export function isUnlocked(action: TicketAction): action is UnlockedTicketAction {
  return 'unlocked' in action;
}

/**
 * Rules for each row type (the contract's optional columns):
 * - resubscribe never forces: a bounce or a complaint is refused, as `cx resubscribe` without --force.
 * - deactivate_client: `requested_by` is the address the request came from (checked by the action).
 * - provider_termination: `until` is the effective date, the day the termination takes effect (today when
 *   empty; a future day schedules it, more than 30 days back is refused: cx offboard --allow-past does it);
 *   `since` is not used.
 * - notes_export: `client_email` narrows to one client, `since`/`until` bound the session dates. It runs
 *   unlocked (see UnlockedTicketAction): the zip is written with no write lock held, then its started row
 *   is committed, then the zip renamed into place and the ticket recorded with the completing row. A crash
 *   in between leaves at most a started row and no record; the re-run writes the same zip again (named
 *   after deps.ticket). A ticket already recorded is never exported again.
 */
const ACTIONS: Record<TicketType, () => Promise<TicketAction>> = {
  lookup: async () => (await import('./actions/lookup.js')).lookupTicket,
  password_reset: async () => (await import('./actions/password-reset.js')).passwordResetTicket,
  resubscribe: async () => (await import('./actions/resubscribe.js')).resubscribeTicket,
  deactivate_client: async () => (await import('./actions/deactivate-client.js')).deactivateClientTicket,
  provider_termination: async () => (await import('./actions/provider-termination.js')).providerTerminationTicket,
  notes_export: async () => (await import('./actions/notes-export.js')).notesExportTicket,
};

/** The actions of these types, each loaded once, before the batch starts (the rows then run without awaits). */
export async function loadDispatch(types: Iterable<TicketType>): Promise<DispatchTable> {
  const wanted = [...new Set(types)];
  const actions = await Promise.all(wanted.map((type) => ACTIONS[type]()));
  return Object.fromEntries(wanted.map((type, i) => [type, actions[i]]));
}
