// `cx family <email> [--suggest "<name>"]`: the accounts sharing a mailbox, a free +alias address for a new
// family member, and the accounts there that repeat the holder's name or date of birth, with what to ask the
// family. Exit 3 when no account uses the mailbox, 2 for an unusable address or name.
// `cx family --audit [--out file.csv]`: those accounts across the mirror (src/commands/family-audit.ts).
import type { Command } from 'commander';
import { familyReport, type FamilyFlagRow, type FamilyReport } from '../actions/family.js';
import type { AccountRef } from '../actions/lookup.js';
import { EXIT, UsageError } from '../errors.js';
import { adviceLines, note, plural, printData, printError, printJson, span, table, type Block, type Line } from '../render/index.js';
import { familyAdvice, familyHygieneAdvice, familyQuestion } from '../rules/guidance.js';
import type { Context } from '../context.js';
import type { Db } from '../store/db.js';
import { handle, type Runtime } from '../cmdutil/define.js';
import { openExisting } from '../cmdutil/mirror.js';
import { auditPhiRead } from '../cmdutil/read-audit.js';
import { helpAfter } from '../cmdutil/help.js';
import { runFamilyAudit, type FamilyAuditOptions } from './family-audit.js';

export interface FamilyOptions {
  suggest?: string;
}

export function configure(cmd: Command, runtime: Runtime): void {
  cmd
    .option('--suggest <name>', 'propose a unique +alias address for a new family member (e.g. "Max")')
    .option('--audit', "across the mirror: the mailboxes where an account repeats the holder's name or date of birth")
    .option('--out <file>', 'with --audit: write every flagged account as CSV (mode 0600: it holds names)')
    .option('--force', 'replace an existing --out file')
    .option('--limit <n>', 'with --audit: at most this many rows (default 200 for people; --json: all unless given)')
    .option('--no-pager', 'print straight to the terminal, not through $PAGER (less -FRX)');
  helpAfter(cmd, [
    'Family +alias addresses (jane.doe+max@gmail.com) work only on Gmail, Hotmail, Outlook and iCloud; elsewhere each family member needs an address of their own. Nothing is created: this only proposes.',
    "Every account must carry the name and date of birth of the person in care, a child's too. An account at the " +
      "mailbox that repeats the name, the date of birth or both of its holder (the account at the mailbox's own address) " +
      'is flagged, with what to ask the family; no date of birth is shown. --audit lists them across the mirror, for a clean-up: ' +
      '--json, or --out FILE for CSV (its writing is recorded in the audit log).',
  ]);
  handle(cmd, runtime, async (ctx, email: string | undefined, opts: FamilyOptions & FamilyAuditOptions & { audit?: boolean }) => {
    if (opts.audit) {
      if (email !== undefined) throw new UsageError('--audit looks at the whole mirror: give it no address (cx family <email> looks at one mailbox)');
      if (opts.suggest !== undefined) throw new UsageError('--suggest is for one mailbox: cx family <email> --suggest "<name>"');
      return runFamilyAudit(ctx, opts);
    }
    if (email === undefined) throw new UsageError('cx family needs an address (cx family jane.doe@gmail.com), or --audit for the whole mirror');
    for (const flag of ['out', 'force', 'limit'] as const) {
      if (opts[flag] !== undefined) throw new UsageError(`--${flag} goes with --audit (cx family --audit --${flag} …)`);
    }
    return runFamily(ctx, email, opts);
  });
}

/** The family listing as `cx family` runs, audits and prints it; the guided desk passes its open mirror. */
export async function runFamily(ctx: Context, email: string, opts: FamilyOptions, open?: Db): Promise<number> {
  const db = open ?? openExisting(ctx);
  try {
    const outcome = familyReport(db, email, opts.suggest);
    if (outcome.kind === 'invalid') throw new UsageError(`not usable: ${outcome.reason}`);
    const report = outcome.report;
    auditPhiRead(ctx, db, { action: 'family', how: opts.suggest !== undefined ? 'by mailbox, with a suggestion' : 'by mailbox', accountIds: report.accounts.map((a) => a.id) });
    if (!report.accounts.length) {
      if (ctx.json) printJson(ctx, familyJson(report));
      else {
        printError(ctx, `no account uses the mailbox ${report.mailbox}`);
        note(ctx, ...suggestionLines(report, opts.suggest));
      }
      return EXIT.notFound;
    }
    await printData(ctx, familyJson(report), () => familyBlocks(report, opts.suggest));
    return EXIT.ok;
  } finally {
    if (!open) db.close();
  }
}

function familyBlocks(r: FamilyReport, suggestFor: string | undefined): Block[] {
  const n = r.accounts.length;
  const blocks: Block[] = [
    `Mailbox ${r.mailbox}: ${plural(n, 'account')}`,
    table([
      { header: 'id', value: (a: AccountRef) => a.id, kind: 'id', priority: 3 },
      { header: 'email', value: (a) => a.email, kind: 'key' },
      { header: 'name', value: (a) => a.name, kind: 'key' },
    ], r.accounts),
  ];
  if (r.from_former_address) blocks.push(`(${r.query.trim()} is a former address; this is the mailbox of the current one, ${r.address})`);
  return [...blocks, ...hygieneLines(r.flags), ...suggestionLines(r, suggestFor)];
}

/** The accounts that repeat the holder's identity, and what to ask the family about each. */
function hygieneLines(flags: readonly FamilyFlagRow[]): Line[] {
  if (!flags.length) return [];
  const head = `${plural(flags.length, 'account here repeats', 'accounts here repeat')} the account holder's name or date of birth; each account must carry the person in care's own, a child's too.`;
  return [[span(head, 'warn')], ...adviceLines(familyHygieneAdvice(flags))];
}

/** `cx family --json`: the outcome as every command has it, the report, each flag with what to ask the family. */
function familyJson(r: FamilyReport): { outcome: 'done' | 'not_found'; detail: string } & FamilyReport & { flags: Array<FamilyFlagRow & { ask: string }> } {
  const found = r.accounts.length > 0;
  const detail = found ? `${plural(r.accounts.length, 'account')} at the mailbox ${r.mailbox}` : `no account uses the mailbox ${r.mailbox}`;
  return { outcome: found ? 'done' : 'not_found', detail, ...r, flags: r.flags.map((f) => ({ ...f, ask: familyQuestion(f) })) };
}

function suggestionLines(r: FamilyReport, suggestFor: string | undefined): Line[] {
  const name = suggestFor?.trim();
  // What to tell the family (src/rules/guidance.ts): only when the agent asked for a member's address.
  const advice = name === undefined ? [] : adviceLines(familyAdvice({ name, address: r.address, domain: r.domain, plus_addressing: r.plus_addressing, suggestion: r.suggestion, same_name: r.same_name }));
  if (!r.plus_addressing) {
    return [
      `${r.domain} is not one of the providers where the platform supports family +alias addresses (Gmail, Hotmail, Outlook, iCloud):`,
      'a family member needs an email address of their own.',
      ...advice,
    ];
  }
  if (name === undefined) return [];
  const lines: Line[] = r.same_name.map((a): Line => [
    span(`${a.name} already has an account at this mailbox:`, 'warn'),
    span(` ${a.id} ${a.email}. Check with the person before making another one for ${name}.`),
  ]);
  lines.push(
    r.suggestion
      ? `Suggested address for ${name}: ${r.suggestion} (no account uses it; it delivers to ${r.mailbox})`
      : `No free +alias address could be made from "${name}": choose another name.`,
  );
  return [...lines, ...advice];
}
