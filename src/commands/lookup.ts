// `cx lookup <email>` and `cx lookup --name "<first last>" [--dob YYYY-MM-DD]`: find the account(s).
// Exit 0 when something matches, 3 when nothing does (with suggestions), 2 for an unusable address.
import type { Command } from 'commander';
import { lookupAddress, lookupName, needsRetention, type LookupReport, type Match } from '../actions/lookup.js';
import type { Context } from '../context.js';
import { EXIT, UsageError } from '../errors.js';
import { note, printData, warn } from '../render.js';
import { isCalendarDate } from '../rules/dates.js';
import type { Db } from '../store/db.js';
import { handle, type Runtime } from './define.js';
import { accountCard, familyText, lookupText, matchTable } from './lookup-view.js';
import { openForRead } from './mirror.js';
import { auditRead } from './read-audit.js';

interface LookupOptions {
  name?: string;
  dob?: string;
}

export function configure(cmd: Command, runtime: Runtime): void {
  cmd
    .option('--name <full name>', 'find by first and last name, in either order (case, accents and punctuation ignored)')
    .option('--dob <YYYY-MM-DD>', 'with --name: only accounts with this date of birth')
    .addHelpText(
      'after',
      '\nAn address is matched as the current address, then a former one, then the same mailbox written another way\n' +
        '(Gmail dots, googlemail.com, a +tag). Accounts sharing the mailbox through +alias addresses are listed as family.\n' +
        'Exit 3 when nothing matches (with suggestions, never applied), 2 when the address is not usable.',
    );
  handle(cmd, runtime, async (ctx, email: string | undefined, opts: LookupOptions) => {
    const dob = checkedOptions(email, opts);
    const db = openForRead(ctx);
    try {
      const deps = { db, now: ctx.now() };
      const outcome = opts.name !== undefined ? lookupName(deps, opts.name, dob) : lookupAddress(deps, email!);
      if (outcome.kind === 'invalid') {
        throw new UsageError(opts.name !== undefined ? outcome.reason : `not a usable address: ${outcome.reason}`);
      }
      const report = outcome.report;
      await completeRetentionDates(ctx, db, report);
      const suggested = report.suggestions.length ? `, ${report.suggestions.length} suggested addresses` : '';
      auditRead(ctx, db, {
        action: 'lookup',
        how: `${opts.name !== undefined ? 'by name' : 'by address'}${suggested}`,
        accountIds: [...report.matches.map((m) => m.id), ...report.family.map((f) => f.id)],
      });
      if (!ctx.json && report.disposable) warn(ctx, `${report.address} is on a disposable (throwaway) mail domain`);
      if (!ctx.json && ctx.io.interactive && report.matches.length > 1) await pickOne(ctx, report);
      else printData(ctx, report, () => lookupText(report, dob));
      return report.matches.length ? EXIT.ok : EXIT.notFound;
    } finally {
      db.close();
    }
  });
}

/** An address or --name (not both); --dob only with --name, and a real date. Returns the dob or null. */
function checkedOptions(email: string | undefined, opts: LookupOptions): string | null {
  if (opts.name !== undefined && email !== undefined) throw new UsageError('give an address or --name, not both');
  if (opts.name === undefined && email === undefined) {
    throw new UsageError('give an address to look up, or --name "<first last>"', 'e.g. cx lookup jane.doe@gmail.com');
  }
  if (opts.dob === undefined) return null;
  if (opts.name === undefined) throw new UsageError('--dob narrows a --name search; an address lookup needs no date of birth');
  if (!isCalendarDate(opts.dob.trim())) throw new UsageError(`--dob is not a date (YYYY-MM-DD): ${opts.dob}`);
  return opts.dob.trim();
}

/** Deactivated clients that arrived without a recorded date: computed from the policy (loaded only then). */
async function completeRetentionDates(ctx: Context, db: Db, report: LookupReport): Promise<void> {
  if (!needsRetention(report)) return;
  const retention = await import('../actions/lookup-retention.js');
  retention.completeRetention(db, report, retention.loadPolicy(ctx.policyPath), ctx.now());
}

/** In a terminal, several matches: list them, let the agent pick one, and show that one in full. */
async function pickOne(ctx: Context, report: LookupReport): Promise<void> {
  printData(ctx, report, () => `${report.matches.length} accounts match:\n${matchTable(report.matches)}`);
  if (report.truncated) note(ctx, 'More accounts have this name than are listed: add --dob to narrow the search.');
  const chosen = await ctx.prompter.select<Match>(
    'Which account?',
    report.matches.map((m) => ({ name: `${m.name} <${m.email}> · ${m.role} ${m.id}`, value: m })),
  );
  const family = familyText({ ...report, family: report.family.filter((f) => f.mailbox === chosen.mailbox) });
  printData(ctx, chosen, () => `\n${accountCard(chosen)}${family ? `\n\n${family}` : ''}`);
}
