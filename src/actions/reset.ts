// `cx reset`: queue the right email for a password reset, in the outbox, with its audit row, in one
// write transaction. The role and the account's state decide which email; a suppressed address, a
// closed account or the same email queued a moment ago decide that none is queued. cx never creates a
// token or a link: the mail service that drains the outbox does.
import { describeSuppression, foundByNote, resetEmailFor, resetSuppressedRefusal, type EmailChoice } from '../rules/outgoing-email.js';
import { asOf } from '../rules/contract.js';
import { today } from '../rules/dates.js';
import { addressKey } from '../rules/address.js';
import type { EmailSettings } from '../config/email.js';
import { suppressionFor, type Account, type Suppression } from '../store/accounts.js';
import { writeTransaction } from '../store/db.js';
import { enqueueEmail, recentEmail, type OutboxRow } from '../store/outbox.js';
import { removeSuppression } from '../store/suppressions.js';
import { accountForChange, audit, emailContext, recordChangeFor, recordTicket, result, type ActionDeps } from './common.js';
import type { ResetResult } from './result.js';
import { accountSummary, suppressionSummary } from './summaries.js';

export interface ResetInput {
  email: string;
  /** Also lift an unsubscribe (never a bounce or complaint), in the same transaction. */
  resubscribe?: boolean;
  /** Brand and de-duplication window (CX_BRAND, CX_RESET_WINDOW_MINUTES, resolved with the other settings). */
  settings: EmailSettings;
}

interface Plan {
  account: Account;
  choice: EmailChoice;
  /** An unsubscribe to lift first (only with `resubscribe`). */
  lift?: Suppression;
  /** How the typed address led to the account, when it is not the current address. */
  note: string;
}

type Planned = Extract<ResetResult, { outcome: 'planned' }>;

type Decision = { result: Exclude<ResetResult, Planned> } | { result: Planned; plan: Plan };

export function resetPassword(deps: ActionDeps, input: ResetInput): ResetResult {
  const { settings } = input;
  if (deps.dryRun) return decideReset(deps, input, settings).result;
  // Decide again under the write lock: another agent may have queued the email since the plan.
  return writeTransaction(deps.db, () => {
    const d = decideReset(deps, input, settings);
    if (!('plan' in d)) return d.result;
    return perform(deps, input, d.result, d.plan);
  });
}

function perform(deps: ActionDeps, input: ResetInput, planned: Planned, plan: Plan): ResetResult {
  const { account, choice, lift } = plan;
  // The platform receives one account's changes in the order they were made: the lift before the email.
  if (lift) {
    removeSuppression(deps.db, lift.email_key);
    recordChangeFor(deps, 'password_reset', 'lift_suppression', account.id, { email: lift.email, reason: lift.reason, forced: false });
    const detail = `took ${account.email} off the suppression list (${describeSuppression(lift)}) to send a password reset`;
    audit(deps, 'resubscribe', result('done', detail, account.id));
  }
  const queued = enqueueEmail(deps.db, {
    to: account.email,
    template: choice.template,
    subject: choice.subject,
    accountId: account.id,
    ...emailContext(deps, 'password_reset'),
  });
  const done: ResetResult = { ...planned, outcome: 'done', detail: planDetail(plan, 'done'), outbox_id: queued.id };
  audit(deps, 'reset', done);
  recordTicket(deps, 'password_reset', input.email, done);
  return done;
}

function decideReset(deps: ActionDeps, input: ResetInput, settings: EmailSettings): Decision {
  const { db } = deps;
  const found = accountForChange(db, input.email);
  if ('refusal' in found) return { result: found.refusal };
  const { matchedBy } = found;
  // A provider whose termination has taken effect is terminated here, whatever the row's status says.
  const account = asOf(found.account, today(deps.now));
  const note = foundByNote(matchedBy, addressKey(input.email), account.email_key, account.email);
  const base = { account: accountSummary(account) };

  if (account.status !== 'active') {
    const why =
      account.status === 'terminated'
        ? `account ${account.id} is a terminated provider${account.contract_ends_at ? ` (contract ended ${account.contract_ends_at})` : ''}`
        : `account ${account.id} is deactivated${account.deactivated_at ? ` (since ${account.deactivated_at.slice(0, 10)})` : ''}`;
    const closed = account.status === 'terminated' ? { contract_ends_at: account.contract_ends_at } : { deactivated_at: account.deactivated_at };
    return { result: result('refused', `${why}: it cannot sign in, so cx queues no reset${note}`, account.id, { ...base, ...closed }) };
  }

  const choice = resetEmailFor(account, settings.brand);
  const suppression = suppressionFor(db, account.email_key);
  let lift: Suppression | undefined;
  if (suppression) {
    if (suppression.reason === 'unsubscribe' && input.resubscribe) {
      lift = suppression;
    } else {
      const c = { address: account.email, reason: suppression.reason, since: suppression.created_at, ticket: deps.ticket, brand: settings.brand };
      const refusal = resetSuppressedRefusal(c, Boolean(input.resubscribe));
      const keys = { ...base, suppression: suppressionSummary(suppression), fix: refusal.fix };
      return { result: result('refused', refusal.detail + note, account.id, keys) };
    }
  }

  const since = new Date(deps.now.getTime() - settings.resetWindowMinutes * 60_000);
  const recent = recentEmail(db, account.id, choice.template, since);
  if (recent) return { result: repeated(account, recent, choice, settings) };

  const plan: Plan = { account, choice, lift, note };
  const keys = { ...base, template: choice.template, to: account.email, subject: choice.subject, resubscribed: Boolean(lift) };
  return { result: result('planned', planDetail(plan, 'planned'), account.id, keys), plan };
}

/** One sentence for the plan and, in the past tense, for what was done. */
function planDetail(plan: Plan, tense: 'planned' | 'done'): string {
  const { account, choice, lift, note } = plan;
  const [take, queue] = tense === 'done' ? ['took', 'queued'] : ['would take', 'would queue'];
  const first = lift ? `${take} ${account.email} off the suppression list (${describeSuppression(lift)}), then ` : '';
  const instead = choice.verification ? ' instead of a reset: the account has not verified its address' : '';
  return `${first}${queue} ${choice.label} to ${account.email}${instead}${note}`;
}

/**
 * The same email is in the outbox, not sent yet (a second would go out beside it at the same push), or sent a
 * moment ago: say when, queue nothing.
 */
function repeated(account: Account, row: OutboxRow, choice: EmailChoice, settings: EmailSettings): Extract<ResetResult, { outcome: 'already_done' }> {
  const when = row.status === 'pending' ? ' and has not gone out yet' : `, within the last ${settings.resetWindowMinutes} minutes`;
  const detail = `${choice.label} was already queued for ${row.to} at ${row.created_at} (outbox ${row.id})${when}; not queued twice`;
  return result('already_done', detail, account.id, {
    account: accountSummary(account),
    template: row.template,
    to: row.to,
    subject: row.subject,
    outbox_id: row.id,
    queued_at: row.created_at,
    email_status: row.status,
  });
}
