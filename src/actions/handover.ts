// Handing PHI over in a file, with its audit trail (issue 10, section 2; issue 20, section 3; rows:
// src/rules/handover-rows.ts). The started row is committed before the first byte of PHI reaches the disk or
// leaves for a device or a pipe: a crash, kill -9 included, can leave a temporary file of notes behind, never
// one without its row. It names what is handed over (the provider, the clients whose data the file holds,
// kept in audit_accounts, and where it goes: the target and, for a file, the temporary name it is written
// under first); it cannot know the size and hash of bytes not yet written. Then the file is written, and:
// a file is sealed, then renamed into place under the write lock with its completing row (bytes, SHA-256,
// and the started row it completes); a device or a pipe gets its completing row after its last byte. A file
// that is not handed over (a full disk, Ctrl-C, a reader that went away) gets an abandoned row saying why
// and how far it got. Ctrl-C and SIGTERM are held from the rename to the completing row
// (Cancellable.critical), so a signal never leaves that pair half done.
import { basename } from 'node:path';
import type { Cancellable } from '../files/cancellation.js';
import { CancelledError } from '../errors.js';
import { OutputExistsError } from '../files/errors.js';
import type { OutputFile } from '../files/output-file.js';
import { abandonedAction, startedAction, startedRef, STARTED_OUTCOME } from '../rules/handover-rows.js';
import { appendAudit } from '../store/audit.js';
import { writeTransaction } from '../store/db.js';
import type { TicketAction } from '../rules/tickets.js';
import { recordTicket, result, type ActionDeps, type ActionResult } from './common.js';
import type { AlreadyRecorded, HandoverFailure } from './result.js';

/** A batch's record of its ticket: the earlier record (as already_done), or the new one. */
export interface TicketLedger {
  prior(): AlreadyRecorded | null;
  record(r: ActionResult): void;
}

/** What a caller other than a single command brings: a batch waits its turn for the lock its own way. */
export interface HandoverRuntime {
  /** Runs `work` in a write transaction (default: writeTransaction, which waits on the busy timeout). */
  transact?: <T>(work: () => T) => Promise<T>;
  ledger?: TicketLedger;
  work?: Cancellable;
  /** Told after each item is written (a notes export's notes), with how many there are: a progress bar. */
  progress?: (done: number, total: number) => void;
}

export interface Handover<Done extends ActionResult = ActionResult> {
  /** The completing row's action, e.g. 'notes.export'. */
  action: string;
  /** The ticket action a single command records in the ledger when the file is handed over. */
  ticket?: { action: TicketAction; typed: string };
  /** The outcome when it is handed over (done); its detail is what the agent reads. */
  done: Done;
  /** The started row's detail: what, how many, to where (and the temporary file it is written to first). */
  startedDetail: string;
  /** The completing row's detail (with the bytes and SHA-256 written), before the reference to the started row. */
  doneDetail: string;
  /** The accounts whose data the file holds besides `done.account_id` (a provider's clients): kept with both rows. */
  accounts: readonly string[];
}

const defaultTransact = (deps: ActionDeps) => async <T>(work: () => T): Promise<T> => writeTransaction(deps.db, work);

export type Started = { id: number } | { prior: AlreadyRecorded };

/** How a hand-over ends: handed over (`done`), not (the failure), or recorded by another run meanwhile. */
export type HandedOver<Done> = Done | HandoverFailure | AlreadyRecorded;

/** Commits the started row, unless the ticket was recorded meanwhile (a batch racing another). */
export async function recordStart(deps: ActionDeps, h: Handover, runtime: HandoverRuntime): Promise<Started> {
  const transact = runtime.transact ?? defaultTransact(deps);
  return transact((): Started => {
    const prior = runtime.ledger?.prior();
    if (prior) return { prior };
    const row = appendAudit(deps.db, {
      agent: deps.agent, action: startedAction(h.action), ticket: deps.ticket || null, account_id: h.done.account_id, outcome: STARTED_OUTCOME, detail: h.startedDetail, accounts: h.accounts,
    }, deps.now);
    return { id: row.id };
  });
}

/**
 * A temporary file written and sealed after its started row: renamed into place with its completing row under
 * one write lock (so two batches racing for one ticket cannot rename over each other's file between row and
 * record). Not handed over (a signal before the rename, the rename or the row failing): the file goes, and
 * an abandoned row closes the started one.
 */
export async function handOverFile<Done extends ActionResult>(deps: ActionDeps, output: OutputFile, h: Handover<Done>, startedId: number, runtime: HandoverRuntime): Promise<HandedOver<Done>> {
  try {
    runtime.work?.throwIfCancelled();
  } catch (err) {
    // The file was complete but not yet announced: it goes with the temporary file.
    if (!(err instanceof CancelledError)) throw err;
    output.discard();
    await abandon(deps, h, startedId, runtime, notHandedOver(`${err.message} before the rename; the temporary file was removed`));
    throw new CancelledError(`${err.message}: stopped before the hand-over of ${output.path}; no file was left behind, recorded as abandoned in the audit log`);
  }
  const inSection = <T>(work: () => Promise<T>) => (runtime.work ? runtime.work.critical(work) : work());
  return inSection(async () => {
    try {
      await complete(deps, h, startedId, runtime, () => output.publish());
      return h.done;
    } catch (err) {
      const published = output.published;
      if (published) takeBack(output);
      await abandon(deps, h, startedId, runtime, notHandedOver(messageOf(err)));
      if (err instanceof RecordedMeanwhile) return err.prior;
      if (err instanceof OutputExistsError) return result('invalid', `${err.message}; nothing was handed over`, h.done.account_id);
      const back = published ? `${output.path} was removed again` : `${output.path} was not written`;
      return result('error', `the hand-over of ${output.path} failed (${messageOf(err)}): ${back}, nothing was handed over`, h.done.account_id);
    }
  });
}

/** For a file, the temporary name it is written under first (a crash leaves that name): its started row says it. */
export function writtenFirst(output: OutputFile): string {
  return output.direct ? '' : `, written first as ${basename(output.writingTo)}`;
}

/** The started row could not be committed: nothing may be written, nothing was handed over. */
export function startFailed(h: Handover, path: string, err: unknown): HandoverFailure {
  return result('error', `the hand-over could not be recorded in the audit log (${messageOf(err)}), so ${path} was not written: nothing was handed over`, h.done.account_id);
}

/** The completing row (and a batch's ticket record) after a direct target received every byte. */
export async function completeDirect<Done extends ActionResult>(deps: ActionDeps, h: Handover<Done>, startedId: number, runtime: HandoverRuntime): Promise<HandedOver<Done>> {
  try {
    await complete(deps, h, startedId, runtime, () => undefined);
    return h.done;
  } catch (err) {
    return result('error', `the data was sent but its completion could not be recorded (${messageOf(err)}); the audit log shows it as started in row ${startedId}`, h.done.account_id);
  }
}

class RecordedMeanwhile extends Error {
  constructor(readonly prior: AlreadyRecorded) {
    super('the ticket was recorded by another run meanwhile');
  }
}

async function complete(deps: ActionDeps, h: Handover, startedId: number, runtime: HandoverRuntime, publish: () => void): Promise<void> {
  const transact = runtime.transact ?? defaultTransact(deps);
  await transact(() => {
    const prior = runtime.ledger?.prior();
    if (prior) throw new RecordedMeanwhile(prior);
    publish();
    appendAudit(deps.db, {
      agent: deps.agent, action: h.action, ticket: deps.ticket || null, account_id: h.done.account_id, outcome: h.done.outcome,
      detail: `${h.doneDetail} ${startedRef(startedId)}`, accounts: h.accounts,
    }, deps.now);
    runtime.ledger?.record(h.done);
    if (h.ticket) recordTicket(deps, h.ticket.action, h.ticket.typed, h.done);
  });
}

/** The abandoned row's words for a file that went nowhere. */
export function notHandedOver(why: string): string {
  return `not handed over: ${why}`;
}

/**
 * Closes a started row that will get no completion (best effort): `detail` says what happened, e.g.
 * notHandedOver(why), or how much of it had gone to a device or a pipe.
 */
export async function abandon(deps: ActionDeps, h: Handover, startedId: number, runtime: HandoverRuntime, detail: string): Promise<void> {
  const transact = runtime.transact ?? defaultTransact(deps);
  try {
    await transact(() =>
      appendAudit(deps.db, {
        agent: deps.agent, action: abandonedAction(h.action), ticket: deps.ticket || null, account_id: h.done.account_id, outcome: 'error',
        detail: `${detail} ${startedRef(startedId)}`,
      }, deps.now),
    );
  } catch {
    // The log cannot be written (the cause of the failure, most likely): the started row stays open, which
    // is what `cx audit` then shows.
  }
}

/** The rename happened but its completing row did not commit: the file goes again, so none is left unaudited. */
function takeBack(output: OutputFile): void {
  if (output.direct) return;
  try {
    output.unpublish();
  } catch {
    // gone already
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
