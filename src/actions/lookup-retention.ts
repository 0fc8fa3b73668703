// The retention date of a deactivated client that arrived deactivated (no date recorded by cx): computed
// when the lookup shows it, by the same rule as `cx retention` (actions/retention.ts), and never stored.
// A separate module: the lookup command imports it (and the retention rules) only when such an account is
// among the matches.
import { accountById } from '../store/accounts.js';
import { lastServiceAt } from '../store/caseload.js';
import type { Db } from '../store/db.js';
import type { RetentionPolicy } from '../rules/policy.js';
import { RetentionInputError } from '../rules/retention.js';
import type { LookupReport } from './lookup.js';
import { decideRetention } from './retention.js';

/** Fill in each computed retention date (from the account's dob and state, which the report does not show). */
export function completeRetention(db: Db, report: LookupReport, policy: RetentionPolicy, now: Date): void {
  for (const m of report.matches) {
    const r = m.retention;
    if (!r || r.recorded || r.retain_until !== null) continue;
    const account = accountById(db, m.id);
    if (!account) continue;
    try {
      const d = decideRetention({ ...account, last_service_at: lastServiceAt(db, account.id, now.toISOString()) }, policy);
      r.retain_until = d.retainUntil;
      r.rule = d.rule;
    } catch (err) {
      if (!(err instanceof RetentionInputError)) throw err;
      r.rule = `cannot be computed: ${err.message}`;
    }
  }
}
