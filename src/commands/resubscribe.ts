// `cx resubscribe <email>`: take an address off the suppression list (an unsubscribe; a bounce or a
// complaint only with --force --reason).
import type { Command } from 'commander';
import { resubscribe } from '../actions/resubscribe.js';
import type { AccountSummary, ResubscribeResult, SuppressionSummary } from '../actions/result.js';
import { UsageError } from '../errors.js';
import { resubscribeAdvice } from '../rules/guidance.js';
import { adviceLines, guidanceContext } from '../render/index.js';
import type { Context } from '../context.js';
import type { Db } from '../store/db.js';
import { handle, type Runtime } from '../cmdutil/define.js';
import { finish, runChange, type Finished } from '../cmdutil/change.js';
import { checkPrintableLine } from '../rules/tickets.js';
import { helpAfter } from '../cmdutil/help.js';

export interface ResubscribeOptions {
  force?: boolean;
  reason?: string;
}

export function configure(cmd: Command, runtime: Runtime): void {
  cmd
    .option('--force', 'also lift a bounce or a spam complaint (needs --reason)')
    .option('--reason <why>', 'why, for the audit log (only with --force, which requires it)');
  helpAfter(cmd, ["The address is found as `cx lookup` finds it; the account's current address is the one taken off the list."]);
  handle(cmd, runtime, async (ctx, email: string, opts: ResubscribeOptions) => (await runResubscribe(ctx, email, opts)).code);
}

/** The resubscribe as `cx resubscribe` runs and prints it; the guided desk passes its open mirror. */
export async function runResubscribe(ctx: Context, email: string, opts: ResubscribeOptions, db?: Db): Promise<Finished<ResubscribeResult>> {
  if (opts.force && !opts.reason?.trim()) {
    throw new UsageError('--force needs --reason "<why>": the reason goes in the audit log', 'e.g. --reason "address confirmed by phone"');
  }
  if (opts.reason !== undefined && !opts.force) {
    throw new UsageError('--reason goes with --force: an unsubscribe is lifted on the person\'s word, a bounce or complaint only with --force --reason');
  }
  // The reason is kept in the audit log: one printable line, as a ticket id is.
  const reason = opts.reason === undefined ? undefined : checkedReason(opts.reason);
  const r = await runChange(ctx, (deps) => resubscribe(deps, { email, force: opts.force, reason, settings: ctx.email }), {
    action: 'resubscribe',
    preview: (plan) => [accountLine(plan.account), `Will take ${plan.address} off the suppression list (${suppressionWords(plan.suppression)}).`],
    question: (plan) => `Take ${plan.address} off the suppression list?`,
  }, db);
  return { result: r, code: finish(ctx, r, adviceLines(resubscribeAdvice(r, guidanceContext(ctx, email)))) };
}

function suppressionWords(s: SuppressionSummary): string {
  return `${s.reason} since ${s.since.slice(0, 10)}`;
}

/** "Account: 1008 Priya Raman <priya.raman@hotmail.com>, client, active, verified" for a preview. */
export function accountLine(a: AccountSummary | undefined): string {
  if (!a) return 'Account: none uses this address';
  return `Account: ${a.id} ${a.name} <${a.email}>, ${a.role}, ${a.status}, ${a.verified ? 'verified' : 'NOT verified'}`;
}

function checkedReason(raw: string): string {
  const checked = checkPrintableLine(raw, '--reason', 500);
  if (!checked.ok) throw new UsageError(checked.reason);
  return checked.value;
}
