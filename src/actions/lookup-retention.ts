// The retention date of a deactivated client that arrived deactivated (no date recorded by cx): computed
// from the retention policy when the lookup shows it. A separate module because the policy rules load
// zod; the lookup command imports this only when such an account is among the matches.
import { loadPolicy, PolicyFileError, type RetentionPolicy } from '../rules/policy.js';
import { retentionDate, RetentionInputError } from '../rules/retention.js';
import { accountById } from '../store/accounts.js';
import type { Db } from '../store/db.js';
import type { LookupReport } from './lookup.js';

export { loadPolicy, PolicyFileError };

/** Fill in each computed retention date (from the account's dob and state, which the report does not show). */
export function completeRetention(db: Db, report: LookupReport, policy: RetentionPolicy): void {
  for (const m of report.matches) {
    const r = m.retention;
    const account = r ? accountById(db, m.id) : undefined;
    if (!r || r.recorded || r.last_service === null || !account) continue;
    try {
      const decision = retentionDate({ dob: account.dob, lastService: r.last_service, state: account.state }, policy);
      r.retain_until = decision.retainUntil;
      r.rule = decision.rule;
    } catch (err) {
      if (!(err instanceof RetentionInputError)) throw err;
      r.rule = `cannot be computed: ${err.message}`;
    }
  }
}
