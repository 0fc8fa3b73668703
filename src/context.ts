// The global options, resolved once per run (docs/reference.md#global-options), and what every command needs.
import { RunClock } from './clock.js';
import type { EmailSettings } from './config/email.js';
import { resolveSettings, type EffectiveSettings } from './config/resolve.js';
import { CancelledError, UsageError, type Hint } from './errors.js';
import type { IO } from './io.js';
import { terminalPrompter, type Prompter } from './prompt.js';
import { commandLine } from './rules/command-line.js';
import { checkTicketId } from './rules/tickets.js';

export interface GlobalFlags {
  db?: string;
  json?: boolean;
  agent?: string;
  yes?: boolean;
  dryRun?: boolean;
  ticket?: string;
  policy?: string;
}

export interface Context {
  dbPath: string;
  /** True when the mirror path came from the default, so its folder may be created. */
  dbPathIsDefault: boolean;
  json: boolean;
  agent: string;
  yes: boolean;
  dryRun: boolean;
  ticket: string | undefined;
  /** The help desk single commands file their tickets under (docs/reference.md#tickets): the `desk` setting. */
  desk: string;
  policyPath: string | undefined;
  /** The agent's time zone (IANA name), for human output; JSON and CSV keep UTC. */
  tz: string;
  /** The brand and the reset window of the emails cx queues (CX_BRAND, CX_RESET_WINDOW_MINUTES). */
  email: EmailSettings;
  /** How long a write waits for another cx's lock (CX_LOCK_WAIT_MS), for the mirror the command opens. */
  lockWaitMs: number;
  /** Every setting with where it came from (src/config/resolve.ts): what `cx config` shows. */
  settings: EffectiveSettings;
  io: IO;
  prompter: Prompter;
  /** Now, as the run records it: the system's clock on an encrypted mirror (src/clock.ts). */
  now: () => Date;
  /** The clock behind `now`, told by the opener which kind of mirror the run works on (src/cmdutil/mirror.ts). */
  clock: RunClock;
  /**
   * The words typed after `cx` (as the shell passed them), for a fix that repeats the command with a change;
   * absent where there is no command line to repeat (the guided desk, a test's own context).
   */
  argv?: readonly string[];
}

/** The global options, with the environment, the config file and the defaults behind them. */
export function resolveContext(flags: GlobalFlags, io: IO, prompter: Prompter = terminalPrompter(io), argv?: readonly string[]): Context {
  const settings = resolveSettings(flags, io.env);
  const clock = new RunClock(io.clock ?? (() => new Date()), io.env.CX_NOW);
  return {
    dbPath: settings.db.value,
    dbPathIsDefault: settings.db.source === 'default',
    json: Boolean(flags.json),
    agent: settings.agent.value,
    yes: Boolean(flags.yes),
    dryRun: Boolean(flags.dryRun),
    ticket: flags.ticket === undefined ? undefined : checkedTicket(flags.ticket),
    desk: settings.desk.value,
    policyPath: settings.policy.value ?? undefined,
    get tz() {
      return settings.tz.value; // resolved on first use (src/config/resolve.ts)
    },
    email: { brand: settings.brand.value, resetWindowMinutes: settings.reset_window_minutes.value },
    get lockWaitMs() {
      return settings.lock_wait_ms.value; // checked on first use (src/config/resolve.ts)
    },
    settings,
    io,
    prompter,
    clock,
    now: clock.now,
    ...(argv ? { argv } : {}),
  };
}

/**
 * The command the agent typed, once with each set of words added (a complete command per line, ready to
 * paste); without a command line to repeat, the sentence `otherwise`.
 */
function again(ctx: Pick<Context, 'argv'>, text: string, additions: string[][], otherwise: string): Hint {
  if (!ctx.argv) return otherwise;
  return { text, commands: additions.map((words) => commandLine([...ctx.argv!, ...words])) };
}

/** A ticket id from --ticket or a prompt (docs/reference.md#tickets). */
export function checkedTicket(raw: string): string {
  const ticket = checkTicketId(raw);
  if (!ticket.ok) throw new UsageError(`--ticket: ${ticket.reason}`);
  return ticket.value;
}

/** The clock and zone that human output shows times against. */
export function clockOf(ctx: Pick<Context, 'now' | 'tz'>): { now: Date; tz: string } {
  return {
    now: ctx.now(),
    get tz() {
      return ctx.tz; // only when a time is shown to people (the zone costs a start-up: src/config/resolve.ts)
    },
  };
}

/**
 * The ticket a change is filed under: the flag, else asked in a terminal, else an error. A script missing
 * both the ticket and --yes learns both at once (the confirmation would be its next error).
 */
export async function requireTicket(ctx: Context): Promise<string> {
  if (ctx.ticket) return ctx.ticket;
  if (!ctx.io.interactive) {
    if (!ctx.yes && !ctx.dryRun) {
      throw new UsageError(
        '--ticket and --yes are required when not running in a terminal: every change names its ticket, and nothing asks for a confirmation',
        again(ctx, 'Check the plan first, then run it under its ticket:', [['--dry-run'], ['--ticket', '<ticket>', '--yes']], 'add --ticket <id> --yes (check the plan first with --dry-run)'),
      );
    }
    throw new UsageError('--ticket is required: every change names its ticket', again(ctx, 'Run it under its ticket:', [['--ticket', '<ticket>']], 'add --ticket <id>'));
  }
  const answer = checkedTicket(await ctx.prompter.input('Ticket id for this change:'));
  ctx.ticket = answer;
  return answer;
}

/** Ask before a change. `--yes` (and `--dry-run`) answer it; without a terminal it is an error. */
export async function confirmChange(ctx: Context, question: string): Promise<void> {
  if (ctx.yes || ctx.dryRun) return;
  if (!ctx.io.interactive) {
    throw new UsageError('--yes is required when not running in a terminal', again(ctx, 'Check the plan first, then confirm it with --yes:', [['--dry-run'], ['--yes']], 'check the plan with --dry-run, then add --yes'));
  }
  if (!(await ctx.prompter.confirm(question, false))) throw new CancelledError();
}
