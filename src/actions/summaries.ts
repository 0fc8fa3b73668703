// The account and its suppression as reset and resubscribe report them (in a result's `account` and
// `suppression`), and as a command's preview shows them before the question.
import { fullName } from '../rules/names.js';
import type { Account, Suppression } from '../store/accounts.js';
import type { AccountSummary, SuppressionSummary } from './result.js';

export function accountSummary(a: Account): AccountSummary {
  return { id: a.id, email: a.email, name: fullName(a), role: a.role, status: a.status, verified: Boolean(a.email_verified_at) };
}

export function suppressionSummary(s: Suppression): SuppressionSummary {
  return { reason: s.reason, since: s.created_at };
}
