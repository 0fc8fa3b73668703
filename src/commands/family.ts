// `cx family <email> [--suggest "<name>"]`: the accounts sharing a mailbox, and a free +alias address for a
// new family member. Exit 3 when no account uses the mailbox, 2 for an unusable address or name.
import type { Command } from 'commander';
import { familyReport, type FamilyReport } from '../actions/family.js';
import { EXIT, UsageError } from '../errors.js';
import { printData } from '../render.js';
import { handle, type Runtime } from './define.js';
import { refList } from './lookup-view.js';
import { openForRead } from './mirror.js';
import { auditRead } from './read-audit.js';

interface FamilyOptions {
  suggest?: string;
}

export function configure(cmd: Command, runtime: Runtime): void {
  cmd
    .option('--suggest <name>', 'propose a unique +alias address for a new family member (e.g. "Max")')
    .addHelpText(
      'after',
      '\nFamily +alias addresses (jane.doe+max@gmail.com) work only on Gmail, Hotmail, Outlook and iCloud;\n' +
        'elsewhere each family member needs an address of their own. Nothing is created: this only proposes.',
    );
  handle(cmd, runtime, async (ctx, email: string, opts: FamilyOptions) => {
    const db = openForRead(ctx);
    try {
      const outcome = familyReport(db, email, opts.suggest);
      if (outcome.kind === 'invalid') throw new UsageError(`not usable: ${outcome.reason}`);
      const report = outcome.report;
      auditRead(ctx, db, { action: 'family', how: opts.suggest !== undefined ? 'by mailbox, with a suggestion' : 'by mailbox', accountIds: report.accounts.map((a) => a.id) });
      printData(ctx, report, () => familyText(report, opts.suggest));
      return report.accounts.length ? EXIT.ok : EXIT.notFound;
    } finally {
      db.close();
    }
  });
}

function familyText(r: FamilyReport, suggestFor: string | undefined): string {
  const lines: string[] = [];
  if (!r.accounts.length) lines.push(`No account uses the mailbox ${r.mailbox}.`);
  else {
    const n = r.accounts.length;
    lines.push(`Mailbox ${r.mailbox}: ${n} account${n === 1 ? '' : 's'}`, refList(r.accounts));
  }
  if (r.from_former_address) lines.push(`(${r.query.trim()} is a former address; this is the mailbox of the current one, ${r.address})`);
  if (!r.plus_addressing) {
    lines.push(
      `${r.domain} is not one of the providers where the platform supports family +alias addresses (Gmail, Hotmail, Outlook, iCloud):`,
      'a family member needs an email address of their own.',
    );
  } else if (suggestFor !== undefined) {
    lines.push(
      r.suggestion
        ? `Suggested address for ${suggestFor.trim()}: ${r.suggestion} (no account uses it; it delivers to ${r.mailbox})`
        : `No free +alias address could be made from "${suggestFor.trim()}": choose another name.`,
    );
  }
  return lines.join('\n');
}
