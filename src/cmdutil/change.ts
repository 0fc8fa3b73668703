// How a single command makes a change: ticket first (asked in a terminal, else required), then the
// action's own dry run as the plan, a confirmation, and the real run. Refusals and "already done" come
// back from the plan without a prompt, and a dry run stops at the plan. Nothing is written before "yes".
import { confirmChange, requireTicket, type Context } from '../context.js';
import type { ActionDeps, ActionResult } from '../actions/common.js';
import { exitCodeForOutcome } from '../errors.js';
import { note, printOutcome, printOutcomePaged, type Block, type DataOptions } from '../render/index.js';
import type { Db } from '../store/db.js';
import { openExisting } from './mirror.js';
import { auditPhiRead } from './read-audit.js';

/** A change a command (or the guided desk) ran and printed: the result, and the exit code it means. */
export interface Finished<R extends ActionResult = ActionResult> {
  result: R;
  code: number;
}

/** The plan of a change that goes ahead: what the question and the preview are built from. */
export type PlanOf<R extends ActionResult> = Extract<R, { outcome: 'planned' }>;

export interface ChangeOptions<R extends ActionResult> {
  /** The command as its audit rows name it (reset, deactivate, offboard, notes.export). */
  action: string;
  /** Accounts a result shows beyond the one it is about (a provider's caseload): their read is audited. */
  alsoShows?: (r: R) => string[];
  /** The question shown before a real change, built from the plan (the account and what will happen). */
  question: (plan: PlanOf<R>) => string;
  /** Lines printed to stderr before the question, e.g. the account summary. */
  preview?: (plan: PlanOf<R>) => string[];
}

function isPlanned<R extends ActionResult>(r: R): r is PlanOf<R> {
  return r.outcome === 'planned';
}

export async function runChange<R extends ActionResult>(
  ctx: Context,
  /** Synchronous for most actions; an async one (notes export streams a zip) is awaited the same way. */
  perform: (deps: ActionDeps) => R | Promise<R>,
  options: ChangeOptions<R>,
  /** A mirror the caller keeps open (the guided desk's session); else one is opened for this change. */
  open?: Db,
): Promise<R> {
  const ticket = ctx.dryRun ? (ctx.ticket ?? '') : await requireTicket(ctx);
  const db: Db = open ?? openExisting(ctx);
  try {
    const deps = (dryRun: boolean): ActionDeps => ({ db, now: ctx.now(), agent: ctx.agent, ticket, desk: ctx.desk, dryRun, via: 'command' });
    const plan = await perform(deps(true));
    if (!isPlanned(plan) || ctx.dryRun) {
      auditShown(ctx, db, options, plan, 'the plan');
      return plan;
    }
    if (!ctx.yes && ctx.io.interactive) {
      // The agent sees the account before saying yes or no: that is a read, whatever they answer.
      auditShown(ctx, db, options, plan, 'the plan');
      for (const line of options.preview?.(plan) ?? []) note(ctx, line);
    }
    await confirmChange(ctx, options.question(plan));
    const r = await perform(deps(false));
    auditShown(ctx, db, options, r, 'the result');
    return r;
  } finally {
    if (!open) db.close();
  }
}

/**
 * Every read of PHI is audited (src/actions/read-audit.ts). A change that is done has its own audit row;
 * anything else that names an account (a refusal, already done, a dry run, a plan shown before the
 * question) shows that account's data without one, and so does a caseload listed with a termination.
 */
function auditShown<R extends ActionResult>(ctx: Context, db: Db, options: ChangeOptions<R>, r: R, what: string): void {
  const ids = [...(r.outcome !== 'done' && r.account_id ? [r.account_id] : []), ...(options.alsoShows?.(r) ?? [])];
  if (ids.length) auditPhiRead(ctx, db, { action: `${options.action}.read`, how: `${what} (${r.outcome})`, accountIds: ids });
}

/**
 * Print an action's result (what happened, then what to tell the person) and give its exit code. `json` is
 * what --json prints: the command's typed view of the result, with every key docs/reference.md ("JSON output")
 * promises for the command on every outcome; the result itself when the result's type already holds them.
 */
export function finish(ctx: Context, r: ActionResult, extra: readonly Block[] = [], json: object = r): number {
  printOutcome(ctx, r, extra, json);
  return exitCodeForOutcome(r.outcome);
}

/** finish, with the result shown through the pager on a terminal (the guided desk's caseload). */
export async function finishPaged(ctx: Context, r: ActionResult, extra: readonly Block[], json: object, options: DataOptions): Promise<number> {
  await printOutcomePaged(ctx, r, extra, json, options);
  return exitCodeForOutcome(r.outcome);
}
