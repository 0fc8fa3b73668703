// The guided desk (`cx desk`, or `cx` alone in a terminal): a session that asks what the person needs, finds
// their account, runs the action the situation calls for and says what to tell them; then the next person.
// Every step is the command's own run-and-print function (src/commands/*), so each read is audited and each
// change planned, confirmed and recorded exactly as the single command does it. The mirror stays open for the
// whole session; the ticket is asked once, and confirmed for each new person ("Same ticket 70001?"): the next
// caller is usually another ticket, and a change filed under the last one would be on the wrong record.
import { checkedTicket, type Context } from '../context.js';
import { CancelledError, CxError, EXIT, UsageError } from '../errors.js';
import { BLANK, note, printError, span } from '../render/index.js';
import { checkTicketId } from '../rules/tickets.js';
import { stopLockWaitWith, type Db } from '../store/db.js';
import { openExisting } from '../cmdutil/mirror.js';
import { act, NEEDS, type Need } from './act.js';
import { findPerson, nextSteps } from './find.js';
import { keysStopLockWait } from './lock-wait.js';
import { Back, deskPrompter, type DeskPrompter } from './prompts.js';

export interface Session {
  /** The run's context, with the desk's prompter and the session's ticket. */
  ctx: Context;
  prompter: DeskPrompter;
  db: Db;
  /** Someone was helped under the ticket: the next person confirms it (or gives theirs) before anything else. */
  ticketUsed: boolean;
}

type TopChoice = Need | 'ticket' | 'leave';

export async function runDesk(ctx: Context): Promise<number> {
  if (!ctx.io.interactive) {
    throw new UsageError('the guided desk needs a terminal (stdin and stdout)', { text: 'In a script, use the single commands:', commands: ['cx --help'] });
  }
  if (ctx.json) throw new UsageError('the guided desk is interactive: --json is for the single commands');
  const prompter = deskPrompter(ctx.io);
  // No command line to repeat in a fix: the desk's steps are not `cx desk` with a flag added.
  const session: Session = { ctx: { ...ctx, prompter, argv: undefined }, prompter, db: openExisting(ctx), ticketUsed: false };
  // Ctrl-C while a step waits for another cx's write lock: back to the menu, as anywhere in a step.
  const stop = keysStopLockWait(ctx.io.stdin);
  if (stop) stopLockWaitWith(session.db, stop);
  try {
    greet(session.ctx);
    if (!session.ctx.ticket && !(await askTicket(session))) return left(session.ctx);
    for (;;) {
      const choice = await prompter.menu<TopChoice>('What does the person need?', [
        ...NEEDS.map((n) => ({ name: n.label, value: n.need })),
        { name: `Change the ticket (now ${session.ctx.ticket ?? ''})`, value: 'ticket' },
        { name: 'Leave the desk', value: 'leave' },
      ]);
      if (choice === null || choice === 'leave') return left(session.ctx);
      if (choice === 'ticket') await step(session, () => askTicket(session));
      else await step(session, () => help(session, choice));
    }
  } finally {
    session.db.close();
  }
}

/** One person's need: find them, then the action (for "find an account", the one the agent picks next). */
async function help(s: Session, need: Need): Promise<void> {
  if (s.ticketUsed) await ticketForNextPerson(s);
  const person = await findPerson(s, need === 'find');
  s.ticketUsed = true;
  note(s.ctx, BLANK);
  const chosen = need === 'find' ? await nextSteps(s, person) : need;
  if (chosen) await act(s, chosen, person);
  note(s.ctx, BLANK, [span('— next person —', 'dim')]);
}

/** A step ends however it ends and the session goes on; only a bug (exit 1) ends the desk. */
async function step(s: Session, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (err instanceof Back) note(s.ctx, [span('Back to the menu.', 'dim')]);
    else if (err instanceof CancelledError) note(s.ctx, [span(`Back to the menu: ${err.message}.`, 'dim')]);
    else if (err instanceof CxError && err.exitCode !== EXIT.internal) printError(s.ctx, err.message, err.hint, err.details);
    else throw err;
  }
}

/** A new person: the same ticket (Enter), or theirs. Esc goes back to the menu with the ticket unchanged. */
async function ticketForNextPerson(s: Session): Promise<void> {
  if (!(await s.prompter.confirm(`Same ticket ${s.ctx.ticket ?? ''} for this person? (No: type theirs)`, true))) s.ctx.ticket = await readTicket(s);
  s.ticketUsed = false;
}

function readTicket(s: Session): Promise<string> {
  return s.prompter
    .text('Ticket id (kept for this person and offered for the next):', {
      validate: (v) => {
        const t = checkTicketId(v);
        return t.ok ? true : t.reason;
      },
    })
    .then(checkedTicket);
}

/** The ticket every read and change of the session is filed under. False: the agent left instead. */
async function askTicket(s: Session): Promise<boolean> {
  try {
    s.ctx.ticket = await readTicket(s);
    s.ticketUsed = false;
    return true;
  } catch (err) {
    // Esc while changing it keeps the old one; with none yet, there is nothing to work under.
    if (err instanceof Back && s.ctx.ticket) return true;
    if (err instanceof Back) return false;
    throw err;
  }
}

function greet(ctx: Context): void {
  const practice = ctx.dryRun ? ' · dry run: every change is only planned' : '';
  note(
    ctx,
    [span('cx desk', 'bold'), span(` · mirror ${ctx.dbPath} · agent ${ctx.agent}${practice}`)],
    [span('Arrows and Enter choose; Esc or Ctrl-C goes back; Ctrl-C at the menu leaves.', 'dim')],
  );
}

function left(ctx: Context): number {
  note(ctx, 'Left the desk.');
  return EXIT.ok;
}
