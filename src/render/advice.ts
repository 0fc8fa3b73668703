// Advice (src/rules/guidance.ts) as lines: "Tell the person: …", "Next: …", each command on a line of its own.
import type { Context } from '../context.js';
import type { Advice, CommandContext, GuidanceContext } from '../rules/guidance.js';
import { today } from '../rules/dates.js';
import { command, span, type Line } from './text.js';
import { ago, clockTime } from './times.js';

export function adviceLines(advice: readonly Advice[]): Line[] {
  const lines: Line[] = [];
  for (const a of advice) {
    if (a.kind === 'tell') lines.push([span(`Tell ${a.to ?? 'the person'}${a.when ? `, ${a.when}` : ''}:`, 'bold'), span(` ${a.text}`)]);
    else if (a.kind === 'ask') lines.push([span(`Ask ${a.to ?? 'the person'}:`, 'bold'), span(` ${a.text}`)]);
    else if (a.kind === 'next') lines.push([span('Next:', 'bold'), span(` ${a.text}`)]);
    else lines.push(a.text);
    for (const c of a.commands ?? []) lines.push(command(c));
  }
  return lines;
}

/**
 * What the guidance rules need from the run: the ticket, the brand and reset window, the agent's clock and
 * zone, and what makes a printed command run as pasted (src/rules/guidance.ts commandFor).
 */
export function guidanceContext(ctx: CommandRun & Pick<Context, 'now' | 'tz' | 'email'>, typed: string): GuidanceContext {
  const now = ctx.now();
  return {
    ...commandContext(ctx),
    brand: ctx.email.brand,
    typed,
    at: (iso) => clockTime(iso, { now, tz: ctx.tz }),
    ago: (iso) => ago(new Date(iso), now),
    windowMinutes: ctx.email.resetWindowMinutes,
    today: today(now),
  };
}

type CommandRun = Pick<Context, 'ticket' | 'yes' | 'io' | 'argv'> & { settings: Pick<Context['settings'], 'db'> };

/**
 * What a printed command needs to run as pasted from this run: the ticket; --yes when there is no terminal
 * to confirm in (or the agent gave --yes); the mirror, when the agent named it with --db.
 */
export function commandContext(ctx: CommandRun): CommandContext {
  return {
    ticket: ctx.ticket,
    yes: ctx.yes || !ctx.io.interactive,
    ...(ctx.settings.db.source === 'flag' ? { db: ctx.settings.db.value } : {}),
    ...(ctx.argv ? { argv: ctx.argv } : {}),
  };
}
