// `cx lookup <email>`, `cx lookup --id <id>` and `cx lookup --name "<first last>" [--dob YYYY-MM-DD]`: find the
// account(s). Exit 0 when something matches, 3 when nothing does (with suggestions), 2 for an unusable address.
import type { Command } from 'commander';
import { lookupAddress, lookupId, lookupName, needsRetention, type LookupOutcome, type LookupReport, type Match } from '../actions/lookup.js';
import { clockOf, type Context } from '../context.js';
import { EXIT, NotFoundError, UsageError } from '../errors.js';
import { BLANK, commandContext, note, plural, printData, printError, printJson, warn } from '../render/index.js';
import { isCalendarDate } from '../rules/dates.js';
import type { Db } from '../store/db.js';
import { handle, type Runtime } from '../cmdutil/define.js';
import { accountCard, askedOf, familyLines, lookupBlocks, lookupJson, matchTable, narrowByDob, notFound, type Asked, type CardContext } from '../cmdutil/lookup-view.js';
import { openExisting } from '../cmdutil/mirror.js';
import { auditPhiRead } from '../cmdutil/read-audit.js';
import { helpAfter } from '../cmdutil/help.js';

export interface LookupOptions {
  name?: string;
  dob?: string;
  id?: string;
}

export function configure(cmd: Command, runtime: Runtime): void {
  cmd
    .option('--id <id>', 'find the account with this id (as cx outbox, audit and retention show it)')
    .option('--name <full name>', 'find by first and last name, in either order (case, accents and punctuation ignored)')
    .option('--dob <YYYY-MM-DD>', 'with --name: only accounts with this date of birth');
  helpAfter(cmd, [
    'An address is matched as the current address, then a former one, then the same mailbox written another way ' +
      '(Gmail dots, googlemail.com, a +tag). Accounts sharing the mailbox through +alias addresses are listed as family. ' +
      'Pasted text is accepted: `Jane Doe <jane.doe@gmail.com>` (the name shown as a hint) or an address with a ' +
      'trailing , . or ;. An argument without @ that is an account id finds that account.',
    'Exit 3 when nothing matches (with suggestions, never applied), 2 when the address is not usable.',
  ]);
  handle(cmd, runtime, async (ctx, email: string | undefined, opts: LookupOptions) => (await runLookup(ctx, email, opts)).code);
}

/** What a lookup showed: its exit code, and the one account it ended on (a single match, or the one picked). */
export interface LookupShown {
  code: number;
  report: LookupReport;
  chosen: Match | null;
}

/** The lookup as `cx lookup` runs, audits and prints it; the guided desk passes the mirror it keeps open. */
export async function runLookup(
  ctx: Context,
  email: string | undefined,
  opts: LookupOptions,
  open?: Db,
  view: Pick<CardContext, 'advice' | 'pickedFrom'> = {},
): Promise<LookupShown> {
  const dob = checkedOptions(email, opts);
  const db = open ?? openExisting(ctx);
  try {
    const deps = { db, now: ctx.now() };
    const outcome = find(deps, email, opts, dob);
    const report = outcome.report;
    await completeRetentionDates(ctx, db, report);
    const suggested = report.suggestions.length ? `, ${report.suggestions.length} suggested addresses` : '';
    auditPhiRead(ctx, db, {
      action: 'lookup',
      how: `${opts.name !== undefined ? 'by name' : report.matches[0]?.matched_by === 'id' ? 'by id' : 'by address'}${suggested}`,
      // The suggestions name the accounts that use them ("account 1001 uses this address"): shown, so audited.
      accountIds: [...report.matches.map((m) => m.id), ...report.family.map((f) => f.id), ...report.suggested.flatMap((x) => (x.account_id ? x.account_id.split(', ') : []))],
    });
    const card = { ...cardContext(ctx), ...view };
    const asked = askedOf(report, dob !== null);
    if (!report.matches.length) {
      if (ctx.json) printJson(ctx, lookupJson(report));
      else {
        const { message, lines } = notFound(report, dob, card.commands);
        printError(ctx, message);
        note(ctx, ...lines);
      }
      return { code: EXIT.notFound, report, chosen: null };
    }
    if (!ctx.json && report.pasted_name !== null) note(ctx, `Looked up ${report.address} (pasted with the name "${report.pasted_name}": check it is the same person).`);
    if (!ctx.json && report.disposable) warn(ctx, `${report.address} is on a disposable (throwaway) mail domain`);
    if (!ctx.json && ctx.io.interactive && report.matches.length > 1) return { code: EXIT.ok, report, chosen: await pickOne(ctx, report, card, asked) };
    await printData(ctx, lookupJson(report), () => lookupBlocks(report, card, asked));
    return { code: EXIT.ok, report, chosen: report.matches.length === 1 ? report.matches[0]! : null };
  } finally {
    if (!open) db.close();
  }
}

/** By --name, by --id, by address; a bare argument without @ may be an account id. */
function find(deps: { db: Db; now: Date }, email: string | undefined, opts: LookupOptions, dob: string | null): { report: LookupReport } {
  const checked = (outcome: LookupOutcome, what: string): { report: LookupReport } => {
    if (outcome.kind === 'invalid') throw new UsageError(`${what}${outcome.reason}`);
    return outcome;
  };
  if (opts.name !== undefined) return checked(lookupName(deps, opts.name, dob), '');
  if (opts.id !== undefined) {
    const byId = lookupId(deps, opts.id);
    if (!byId) throw new NotFoundError(`no account has the id ${JSON.stringify(opts.id.trim())}`, 'Ids are as cx outbox, cx audit and cx retention show them; look up by address instead.');
    return checked(byId, '');
  }
  const byAddress = lookupAddress(deps, email!);
  if (byAddress.kind === 'invalid' && !email!.includes('@')) {
    const byId = lookupId(deps, email!);
    if (byId) return checked(byId, '');
    throw new UsageError(`not a usable address: ${byAddress.reason} No account has the id ${JSON.stringify(email!.trim())} either.`);
  }
  return checked(byAddress, 'not a usable address: ');
}

export function cardContext(ctx: Context): CardContext {
  return { clock: clockOf(ctx), brand: ctx.email.brand, commands: commandContext(ctx) };
}

/** An address, --id or --name (one of them); --dob only with --name, and a real date. Returns the dob or null. */
function checkedOptions(email: string | undefined, opts: LookupOptions): string | null {
  const given = [email !== undefined, opts.name !== undefined, opts.id !== undefined].filter(Boolean).length;
  if (given > 1) throw new UsageError('give one of: an address, --id or --name');
  if (given === 0) {
    throw new UsageError('give an address to look up, --id <id>, or --name "<first last>"', { commands: ['cx lookup jane.doe@gmail.com'] });
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
async function pickOne(ctx: Context, report: LookupReport, card: CardContext, asked: Asked): Promise<Match> {
  await printData(ctx, report, () => [`${plural(report.matches.length, 'account')} match:`, matchTable(report.matches)]);
  if (report.truncated) note(ctx, 'More accounts have this name than are listed: ask for their date of birth and narrow the search:', narrowByDob(report, card.commands));
  const chosen = await ctx.prompter.select<Match>(
    'Which account?',
    report.matches.map((m) => ({ name: `${m.name} <${m.email}> · ${m.role} ${m.id}`, value: m })),
  );
  const family = familyLines({ ...report, family: report.family.filter((f) => f.mailbox === chosen.mailbox) });
  await printData(ctx, chosen, () => [BLANK, ...accountCard(chosen, card, asked), ...(family.length ? [BLANK, ...family] : [])]);
  return chosen;
}
