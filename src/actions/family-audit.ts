// `cx family --audit`: across the mirror, the mailboxes whose accounts repeat the holder's name or date of
// birth (src/rules/family-hygiene.ts), for a clean-up project: each row one account to ask the family about.
// Its CSV (--out) holds names and addresses, so it is handed over as the caseload is: 0600, audited, its rows
// keeping every account it lists (each flagged account and its holder) for `cx audit --email`.
import type { OutputFile } from '../files/output-file.js';
import { familyFlags } from '../rules/family-hygiene.js';
import { toCsv } from '../rules/csv-safe.js';
import { plural } from '../rules/plural.js';
import type { Db } from '../store/db.js';
import { sharedMailboxes } from '../store/shared-mailboxes.js';
import { result, type ActionDeps } from './common.js';
import { handOverCsv, type CsvWrite } from './csv-handover.js';
import { writtenFirst } from './handover.js';
import { flagRow, type FamilyFlagRow } from './family.js';

export interface FamilyAudit {
  /** Mailboxes more than one account shares: the ones the rule looked at. */
  shared_mailboxes: number;
  /** Of those, the mailboxes with at least one flagged account. */
  flagged_mailboxes: number;
  flags: FamilyFlagRow[];
}

export function familyAudit(db: Db): FamilyAudit {
  let shared = 0;
  let flagged = 0;
  const flags: FamilyFlagRow[] = [];
  for (const { mailbox, accounts } of sharedMailboxes(db)) {
    shared += 1;
    const found = familyFlags(accounts);
    if (found.length) flagged += 1;
    for (const f of found) flags.push(flagRow(mailbox, f));
  }
  return { shared_mailboxes: shared, flagged_mailboxes: flagged, flags };
}

/** A row of the CSV: the flag and what to ask the family (the command fills it from src/rules/guidance.ts). */
export type FamilyAuditCsvRow = FamilyFlagRow & { ask: string };

export const FAMILY_AUDIT_COLUMNS = ['mailbox', 'account_id', 'email', 'name', 'issue', 'holder_id', 'holder_email', 'holder_name', 'ask'] as const;

export function writeFamilyAuditCsv(deps: ActionDeps, output: OutputFile, audit: FamilyAudit, rows: readonly FamilyAuditCsvRow[]): Promise<CsvWrite> {
  const to = output.direct ? `the ${output.direct} ${output.path}` : output.path;
  const what = `the family audit (${plural(rows.length, 'account')} in ${plural(audit.flagged_mailboxes, 'mailbox', 'mailboxes')})`;
  return handOverCsv(deps, output, {
    action: 'family.audit_csv',
    done: result('done', `wrote ${what} to ${to}`, null),
    startedDetail: `writing ${what} to ${to}${writtenFirst(output)}`,
    doneDetail: `wrote ${what} to ${to}`,
    accounts: [...new Set(rows.flatMap((r) => [r.account_id, r.holder_id]))],
  }, toCsv(FAMILY_AUDIT_COLUMNS, rows));
}
