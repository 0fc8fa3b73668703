// Handing PHI over in a file, with its audit trail (issue 10, section 2; rows: src/rules/handover-rows.ts).
// A file: written and sealed as a temporary file; then the started row is committed; then, holding the
// write lock, the file is renamed into place and the completing row (and a batch's ticket record) written.
// A device or a pipe: the started row comes before the first byte. Ctrl-C and SIGTERM are held from the
// started row to the completing one (Cancellable.critical), so a signal never leaves that pair half done.
import type { Cancellable } from '../files/cancellation.js';
import { CancelledError } from '../errors.js';
import { OutputExistsError } from '../files/errors.js';
import type { OutputFile } from '../files/output-file.js';
import { abandonedAction, startedAction, startedRef, STARTED_OUTCOME } from '../rules/handover-rows.js';
import { appendAudit } from '../store/audit.js';
import { writeTransaction } from '../store/db.js';
import type { TicketAction } from '../rules/tickets.js';
import { audit, recordTicket, result, type ActionDeps, type ActionResult } from './common.js';
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
  /** The started row's detail: what, how many, to where (for a file, also its bytes and SHA-256). */
  startedDetail: string;
  /** The completing row's detail, before the reference to the started row. */
  doneDetail: string;
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
      agent: deps.agent, action: startedAction(h.action), ticket: deps.ticket || null, account_id: h.done.account_id, outcome: STARTED_OUTCOME, detail: h.startedDetail,
    }, deps.now);
    return { id: row.id };
  });
}

/**
 * A sealed temporary file: started row, then the rename and the completing row under one write lock (so two
 * batches racing for one ticket cannot rename over each other's file between row and record).
 */
export async function handOverFile<Done extends ActionResult>(deps: ActionDeps, output: OutputFile, h: Handover<Done>, runtime: HandoverRuntime): Promise<HandedOver<Done>> {
  try {
    runtime.work?.throwIfCancelled();
  } catch (err) {
    // The file was complete but not yet announced: it goes with the temporary file, nothing recorded.
    if (err instanceof CancelledError) throw new CancelledError(`${err.message}: stopped before the hand-over of ${output.path}; no file was left behind, nothing was recorded`);
    throw err;
  }
  const inSection = <T>(work: () => Promise<T>) => (runtime.work ? runtime.work.critical(work) : work());
  return inSection(async () => {
    let started: Started;
    try {
      started = await recordStart(deps, h, runtime);
    } catch (err) {
      return result('error', `the hand-over could not be recorded in the audit log (${messageOf(err)}), so ${output.path} was not written: nothing was handed over`, h.done.account_id);
    }
    if ('prior' in started) return started.prior;
    try {
      await complete(deps, h, started.id, runtime, () => output.publish());
      return h.done;
    } catch (err) {
      const published = output.published;
      if (published) takeBack(output);
      await abandon(deps, h, started.id, runtime, err);
      if (err instanceof RecordedMeanwhile) return err.prior;
      if (err instanceof OutputExistsError) return result('invalid', `${err.message}; nothing was handed over`, h.done.account_id);
      const back = published ? `${output.path} was removed again` : `${output.path} was not written`;
      return result('error', `the hand-over of ${output.path} failed (${messageOf(err)}): ${back}, nothing was handed over`, h.done.account_id);
    }
  });
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
    audit(deps, h.action, { ...h.done, detail: `${h.doneDetail} ${startedRef(startedId)}` });
    runtime.ledger?.record(h.done);
    if (h.ticket) recordTicket(deps, h.ticket.action, h.ticket.typed, h.done);
  });
}

/** Closes a started row that will get no completion: why the file was not handed over (best effort). */
export async function abandon(deps: ActionDeps, h: Handover, startedId: number, runtime: HandoverRuntime, why: unknown): Promise<void> {
  const transact = runtime.transact ?? defaultTransact(deps);
  try {
    await transact(() =>
      appendAudit(deps.db, {
        agent: deps.agent, action: abandonedAction(h.action), ticket: deps.ticket || null, account_id: h.done.account_id, outcome: 'error',
        detail: `not handed over: ${messageOf(why)} ${startedRef(startedId)}`,
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
