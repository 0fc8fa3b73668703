// `cx family <email> [--suggest "<name>"]`: the accounts sharing a mailbox, and a free +alias address for a
// new family member. Exit 3 when no account uses the mailbox, 2 for an unusable address or name.
import type { Command } from 'commander';
import { familyReport, type FamilyReport } from '../actions/family.js';
import type { AccountRef } from '../actions/lookup.js';
import { EXIT, UsageError } from '../errors.js';
import { adviceLines, note, plural, printData, printError, printJson, span, table, type Block, type Line } from '../render/index.js';
import { familyAdvice } from '../rules/guidance.js';
import type { Context } from '../context.js';
import type { Db } from '../store/db.js';
import { handle, type Runtime } from '../cmdutil/define.js';
import { openExisting } from '../cmdutil/mirror.js';
import { auditPhiRead } from '../cmdutil/read-audit.js';
import { helpAfter } from '../cmdutil/help.js';

export interface FamilyOptions {
  suggest?: string;
}

export function configure(cmd: Command, runtime: Runtime): void {
  cmd
    .option('--suggest <name>', 'propose a unique +alias address for a new family member (e.g. "Max")');
  helpAfter(cmd, ['Family +alias addresses (jane.doe+max@gmail.com) work only on Gmail, Hotmail, Outlook and iCloud; elsewhere each family member needs an address of their own. Nothing is created: this only proposes.']);
  handle(cmd, runtime, async (ctx, email: string, opts: FamilyOptions) => runFamily(ctx, email, opts));
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
      if (ctx.json) printJson(ctx, report);
      else {
        printError(ctx, `no account uses the mailbox ${report.mailbox}`);
        note(ctx, ...suggestionLines(report, opts.suggest));
      }
      return EXIT.notFound;
    }
    await printData(ctx, report, () => familyBlocks(report, opts.suggest));
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
  return [...blocks, ...suggestionLines(r, suggestFor)];
}

function suggestionLines(r: FamilyReport, suggestFor: string | undefined): Line[] {
  const name = suggestFor?.trim();
  // What to tell the family (src/rules/guidance.ts): only when the agent asked for a member's address.
  const advice = name === undefined ? [] : adviceLines(familyAdvice({ name, address: r.address, domain: r.domain, plus_addressing: r.plus_addressing, suggestion: r.suggestion }));
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
