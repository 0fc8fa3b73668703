// `cx family --audit [--out file.csv] [--limit N]`: across the mirror, the accounts that repeat their mailbox
// holder's name or date of birth (src/rules/family-hygiene.ts), with what to ask each family. For people a
// table (paged on a terminal); --json every row; --out the CSV for a clean-up project, handed over as the
// caseload is. The rows shown or written are a read of patient data: audited before they are.
import { familyAudit, writeFamilyAuditCsv, type FamilyAudit, type FamilyAuditCsvRow } from '../actions/family-audit.js';
import type { FamilyFlagRow } from '../actions/family.js';
import { CxError, EXIT } from '../errors.js';
import { checkOutput, openOutput, type OutputFile } from '../files/output-file.js';
import { mirrorFiles } from '../files/protected.js';
import { familyAuditAdvice, familyQuestion } from '../rules/guidance.js';
import type { FamilyIssue } from '../rules/family-hygiene.js';
import { adviceLines, commandContext, note, plural, printData, printError, table, thousands, type Block, type Line } from '../render/index.js';
import type { Context } from '../context.js';
import { listingLimit, shownFooter } from '../cmdutil/listing.js';
import { openExisting } from '../cmdutil/mirror.js';
import { withForceFix } from '../cmdutil/out-exists.js';
import { contextForOut } from '../cmdutil/out-stdout.js';
import { auditPhiRead } from '../cmdutil/read-audit.js';

export interface FamilyAuditOptions {
  out?: string;
  force?: boolean;
  limit?: string;
  /** commander's --no-pager: false when given. */
  pager?: boolean;
}

const ISSUE_SHOWN: Record<FamilyIssue, string> = {
  holder_name_and_dob: 'name and date of birth',
  holder_name: 'name',
  holder_dob: 'date of birth',
};

export async function runFamilyAudit(given: Context, opts: FamilyAuditOptions): Promise<number> {
  const ctx = contextForOut(given, opts.out);
  const limit = opts.out === undefined ? listingLimit(ctx, opts.limit) : undefined;
  // The CSV's path is checked (its temporary file made) before the mirror is read.
  const target = { label: '--out', force: Boolean(opts.force), protect: mirrorFiles(ctx.dbPath) };
  let csv: OutputFile | undefined;
  if (opts.out !== undefined) {
    const out = opts.out;
    if (ctx.dryRun) withForceFix(ctx, () => checkOutput(out, target));
    else csv = withForceFix(ctx, () => openOutput(out, target));
  }
  const db = openExisting(ctx);
  try {
    const audit = familyAudit(db);
    const rows = (limit === undefined ? audit.flags : audit.flags.slice(0, limit)).map(withQuestion);
    const how = `across the mirror, accounts repeating their mailbox holder's name or date of birth${opts.out !== undefined ? `, for ${opts.out}` : ''}`;
    auditPhiRead(ctx, db, { action: 'family.audit', how, accountIds: rows.flatMap((r) => [r.account_id, r.holder_id]) });
    if (opts.out !== undefined) {
      note(ctx, ...summary(audit, ctx, true));
      if (!csv) {
        note(ctx, `Dry run: ${opts.out} not written.`);
        return EXIT.ok;
      }
      const deps = { db, now: ctx.now(), agent: ctx.agent, ticket: ctx.ticket ?? '', desk: ctx.desk, dryRun: false, via: 'command' as const };
      const written = await writeFamilyAuditCsv(deps, csv, audit, rows);
      if (written.outcome === 'done') {
        note(ctx, `Written to ${written.path} (${plural(rows.length, 'account')}${csv.direct ? '' : '; mode 0600: it holds names'}; recorded in the audit log).`);
        return EXIT.ok;
      }
      const failure = written.error;
      printError(ctx, `the family audit could not be written to ${written.path}: ${failure instanceof CxError ? failure.message : failure.detail}`, 'nothing was handed over; run the same command again');
      if (failure instanceof CxError) return failure.exitCode;
      return failure.outcome === 'refused' ? EXIT.refused : EXIT.internal;
    }
    if (!rows.length && !ctx.json) {
      note(ctx, ...summary(audit, ctx));
      return EXIT.ok;
    }
    await printData(ctx, { shared_mailboxes: audit.shared_mailboxes, flagged_mailboxes: audit.flagged_mailboxes, flags: rows }, () => human(audit, rows, ctx), { pager: opts.pager !== false });
    return EXIT.ok;
  } finally {
    csv?.discard();
    db.close();
  }
}

function withQuestion(f: FamilyFlagRow): FamilyAuditCsvRow {
  return { ...f, ask: familyQuestion(f) };
}

function human(audit: FamilyAudit, rows: readonly FamilyAuditCsvRow[], ctx: Context): Block[] {
  return [
    table<FamilyAuditCsvRow>(
      [
        { header: 'mailbox', value: (r) => r.mailbox, kind: 'key' },
        { header: 'account', value: (r) => r.account_id, kind: 'id', priority: 2 },
        { header: 'email', value: (r) => r.email, kind: 'key' },
        { header: 'name', value: (r) => r.name, kind: 'key' },
        { header: "repeats holder's", value: (r) => ISSUE_SHOWN[r.issue], kind: 'key', style: (r) => (r.issue === 'holder_name_and_dob' ? 'alert' : 'warn') },
        { header: 'holder', value: (r) => r.holder_email, priority: 1 },
      ],
      rows,
    ),
    ...shownFooter(rows.length, audit.flags.length, ['account', 'accounts'], 'by mailbox'),
    ...summary(audit, ctx),
  ];
}

/** How many, and what to do with them: ask each family; the CSV for a clean-up project. */
function summary(audit: FamilyAudit, ctx: Context, csvWritten = false): Line[] {
  const shared = `${plural(audit.shared_mailboxes, 'mailbox', 'mailboxes')} shared by more than one account`;
  if (!audit.flags.length) return [`No account repeats its mailbox holder's name or date of birth (${shared}).`];
  return [
    `${plural(audit.flags.length, 'account repeats', 'accounts repeat')} the holder's name or date of birth, in ${thousands(audit.flagged_mailboxes)} of ${shared}.`,
    ...adviceLines(familyAuditAdvice(audit.flags[0]!.email, commandContext(ctx), csvWritten)),
  ];
}
