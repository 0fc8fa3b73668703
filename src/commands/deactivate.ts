// cx deactivate <email> [--requested-by <email>]: a client's request to close their account.
import type { Command } from 'commander';
import { deactivateClient } from '../actions/deactivate.js';
import type { DeactivateResult } from '../actions/result.js';
import { UsageError } from '../errors.js';
import { checkAddress } from '../rules/address.js';
import { deactivateAdvice } from '../rules/guidance.js';
import { loadPolicy } from '../rules/policy-file.js';
import { adviceLines, guidanceContext } from '../render/index.js';
import type { Context } from '../context.js';
import type { Db } from '../store/db.js';
import { finish, runChange, type Finished } from '../cmdutil/change.js';
import { handle, type Runtime } from '../cmdutil/define.js';
import { helpAfter } from '../cmdutil/help.js';

export interface DeactivateOptions {
  requestedBy?: string;
}

export function configure(cmd: Command, runtime: Runtime): void {
  cmd
    .option('--requested-by <email>', "the address the request came from; refused unless it is the account's current or a former address");
  helpAfter(cmd, ['Nothing is deleted: the record is kept until its retention date (see cx retention; --policy sets the years). Providers are not deactivated: use cx offboard.']);
  handle(cmd, runtime, async (ctx, email: string, opts: DeactivateOptions) => (await runDeactivate(ctx, email, opts)).code);
}

/** The deactivation as `cx deactivate` runs and prints it; the guided desk passes its open mirror. */
export async function runDeactivate(ctx: Context, email: string, opts: DeactivateOptions, db?: Db): Promise<Finished<DeactivateResult>> {
  // A bad policy file stops the command before anything is asked or changed (exit 2).
  const policy = loadPolicy(ctx.policyPath);
  if (opts.requestedBy !== undefined) {
    const checked = checkAddress(opts.requestedBy);
    if (!checked.ok) throw new UsageError(`--requested-by is not a usable address: ${checked.reason}`);
  }
  const r = await runChange(ctx, (deps) => deactivateClient(deps, { email, requestedBy: opts.requestedBy, policy, settings: ctx.email }), {
    action: 'deactivate',
    question: (plan) => `Deactivate ${plan.account_id} <${plan.email}> and keep the records until ${plan.retain_until}?`,
    preview: (plan) => [plan.detail, `Retention rule: ${plan.retention_rule}`],
  }, db);
  const json = deactivateJson(r);
  const lines = [...(json.retention_rule ? [`Retention rule: ${json.retention_rule}`] : []), ...adviceLines(deactivateAdvice(r, guidanceContext(ctx, email)))];
  return { result: r, code: finish(ctx, r, lines, json) };
}

/**
 * `cx deactivate --json` (docs/reference.md#json-of-cx-deactivate): the result, with the retention date and rule
 * on every outcome. A deactivation that goes ahead has both; any other outcome gets them first (where cx has
 * always printed them), null unless the account was deactivated before.
 */
function deactivateJson(r: DeactivateResult): DeactivateResult & { retain_until: string | null; retention_rule: string | null } {
  if (r.outcome === 'planned' || r.outcome === 'done') return r;
  return { retain_until: null, retention_rule: null, ...r };
}
