// `cx resubscribe`: take an address off the suppression list. An unsubscribe is lifted on the agent's
// word (the person asked); a bounce or a spam complaint means the address does not work or the person
// complained, so it is refused unless forced with a reason, which goes in the audit log.
//
// Which address: the account's current address, found as `cx lookup` finds it (any case, a former
// address, the same mailbox), because that is where every email goes. An address that no account uses
// but that is on the list may be resubscribed too: the list is about addresses, not accounts (someone
// who unsubscribed before signing up, or an address taken off an account), and the contract says "take
// the address off the list". Such a change is still ticketed and audited, with account_id null.
import { asOf } from '../rules/contract.js';
import { today } from '../rules/dates.js';
import { describeSuppression, foundByNote, resubscribeRefusal } from '../rules/outgoing-email.js';
import { addressKey } from '../rules/address.js';
import type { EmailSettings } from '../config/email.js';
import { suppressionFor, type Suppression } from '../store/accounts.js';
import { writeTransaction, type Db } from '../store/db.js';
import { removeSuppression } from '../store/suppressions.js';
import { accountForChange, audit, recordChangeFor, recordTicket, result, type ActionDeps } from './common.js';
import type { AccountSummary, ResubscribeResult } from './result.js';
import { accountSummary, suppressionSummary } from './summaries.js';

export interface ResubscribeInput {
  email: string;
  /** Lift a bounce or complaint too; needs `reason`. */
  force?: boolean;
  /** Why: required with force, recorded in the audit detail either way. */
  reason?: string;
  /** Brand for the wording (CX_BRAND, resolved with the other settings). */
  settings: EmailSettings;
}

/** The suppression row a real run removes, and what the detail says once it has. */
interface Target {
  key: string;
  doneDetail: string;
}

type Planned = Extract<ResubscribeResult, { outcome: 'planned' }>;

type Decision = { result: Exclude<ResubscribeResult, Planned> } | { result: Planned; target: Target };

export function resubscribe(deps: ActionDeps, input: ResubscribeInput): ResubscribeResult {
  const reason = input.reason?.trim() || undefined;
  if (input.force && !reason) {
    return result('invalid', '--force needs --reason "<why>": the reason goes in the audit log', null);
  }
  const { brand } = input.settings;
  const decide = (): Decision => decideResubscribe(deps.db, input.email, { force: Boolean(input.force), reason, ticket: deps.ticket, brand, today: today(deps.now) });
  if (deps.dryRun) return decide().result;
  return writeTransaction(deps.db, () => {
    const d = decide();
    if (!('target' in d)) return d.result;
    const lifted = removeSuppression(deps.db, d.target.key);
    if (!lifted) throw new Error(`the suppression of ${d.target.key} was gone inside its own transaction`);
    recordChangeFor(deps, 'resubscribe', 'lift_suppression', d.result.account_id, {
      email: lifted.email,
      reason: lifted.reason,
      forced: lifted.reason !== 'unsubscribe',
    });
    const done: ResubscribeResult = { ...d.result, outcome: 'done', detail: d.target.doneDetail };
    audit(deps, 'resubscribe', done);
    recordTicket(deps, 'resubscribe', input.email, done);
    return done;
  });
}

function decideResubscribe(db: Db, email: string, o: { force: boolean; reason: string | undefined; ticket: string; brand: string; today: string }): Decision {
  const found = accountForChange(db, email);
  if ('refusal' in found) {
    if (found.refusal.outcome !== 'not_found') return { result: found.refusal };
    // No account: the address itself may still be on the list.
    const key = addressKey(email);
    const row = suppressionFor(db, key);
    if (!row) return { result: result('not_found', `${found.refusal.detail}, and ${key} is not on the suppression list`, null, { address: key, suppression: null }) };
    return decideFor(row, { key, address: key, accountId: null, note: ' (no account uses this address)' }, o, {});
  }
  const { matchedBy } = found;
  const account = asOf(found.account, o.today);
  const note = foundByNote(matchedBy, addressKey(email), account.email_key, account.email);
  const extra = { account: accountSummary(account) };
  const row = suppressionFor(db, account.email_key);
  if (!row) {
    const detail = `${account.email} is not on the suppression list; nothing to change${note}`;
    return { result: result('already_done', detail, account.id, { address: account.email, suppression: null, ...extra }) };
  }
  return decideFor(row, { key: account.email_key, address: account.email, accountId: account.id, note }, o, extra);
}

function decideFor(
  row: Suppression,
  at: { key: string; address: string; accountId: string | null; note: string },
  o: { force: boolean; reason: string | undefined; ticket: string; brand: string },
  extra: { account?: AccountSummary },
): Decision {
  const keys = { address: at.address, suppression: suppressionSummary(row), ...extra };
  if (row.reason !== 'unsubscribe' && !o.force) {
    const refusal = resubscribeRefusal({ address: at.address, reason: row.reason, since: row.created_at, ticket: o.ticket, brand: o.brand });
    return { result: result('refused', refusal.detail + at.note, at.accountId, { ...keys, fix: refusal.fix }) };
  }
  const forced = row.reason !== 'unsubscribe';
  const why = o.reason ? `, ${forced ? 'forced' : 'reason'}: ${JSON.stringify(o.reason)}` : '';
  const what = `${at.address} off the suppression list (${describeSuppression(row)})${why}${at.note}`;
  return {
    result: result('planned', `would take ${what}`, at.accountId, { ...keys, forced }),
    target: { key: at.key, doneDetail: `took ${what}` },
  };
}
