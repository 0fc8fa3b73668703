// `cx reset <email>`: queue the password-reset email (or the verification email) through the outbox.
import type { Command } from 'commander';
import { resetPassword } from '../actions/reset.js';
import type { ResetResult } from '../actions/result.js';
import { resetAdvice } from '../rules/guidance.js';
import { adviceLines, guidanceContext } from '../render/index.js';
import type { Context } from '../context.js';
import type { Db } from '../store/db.js';
import { handle, type Runtime } from '../cmdutil/define.js';
import { finish, runChange, type Finished } from '../cmdutil/change.js';
import { accountLine } from './resubscribe.js';
import { helpAfter } from '../cmdutil/help.js';

export interface ResetOptions {
  resubscribe?: boolean;
}

export function configure(cmd: Command, runtime: Runtime): void {
  cmd
    .option('--resubscribe', 'if the address unsubscribed, take it off the list and queue the email in one step (never for a bounce or complaint)');
  helpAfter(cmd, [
    'A verified client gets the client reset email, a verified provider the provider email; an unverified ' +
      "account gets the verification email instead. The email always goes to the account's current address.",
    'Env: CX_BRAND (brand in subjects, default Headway), CX_RESET_WINDOW_MINUTES (default 15).',
  ]);
  handle(cmd, runtime, async (ctx, email: string, opts: ResetOptions) => (await runReset(ctx, email, opts)).code);
}

/** The reset as `cx reset` runs and prints it; the guided desk passes the mirror its session keeps open. */
export async function runReset(ctx: Context, email: string, opts: ResetOptions, db?: Db): Promise<Finished<ResetResult>> {
  const r = await runChange(ctx, (deps) => resetPassword(deps, { email, resubscribe: Boolean(opts.resubscribe), settings: ctx.email }), {
    action: 'reset',
    preview: (plan) => [accountLine(plan.account), `Will queue: ${plan.subject} (${plan.template}) to ${plan.to}`],
    question: (plan) => (plan.resubscribed ? `Take ${plan.to} off the unsubscribe list and queue this email?` : 'Queue this email?'),
  }, db);
  return { result: r, code: finish(ctx, r, adviceLines(resetAdvice(r, guidanceContext(ctx, email)))) };
}
