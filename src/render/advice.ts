// Advice (src/rules/guidance.ts) as lines: "Tell the person: …", "Next: …", each command on a line of its own.
import type { Context } from '../context.js';
import type { Advice, GuidanceContext } from '../rules/guidance.js';
import { command, span, type Line } from './text.js';
import { ago, clockTime } from './times.js';

export function adviceLines(advice: readonly Advice[]): Line[] {
  const lines: Line[] = [];
  for (const a of advice) {
    if (a.kind === 'tell') lines.push([span(`Tell ${a.to ?? 'the person'}:`, 'bold'), span(` ${a.text}`)]);
    else if (a.kind === 'next') lines.push([span('Next:', 'bold'), span(` ${a.text}`)]);
    else lines.push(a.text);
    for (const c of a.commands ?? []) lines.push(command(c));
  }
  return lines;
}

/** What the guidance rules need from the run: the ticket, the brand and reset window, the agent's clock and zone. */
export function guidanceContext(ctx: Pick<Context, 'ticket' | 'now' | 'tz' | 'email'>, typed: string): GuidanceContext {
  const clock = { now: ctx.now(), tz: ctx.tz };
  return {
    ticket: ctx.ticket,
    brand: ctx.email.brand,
    typed,
    at: (iso) => clockTime(iso, clock),
    ago: (iso) => ago(new Date(iso), clock.now),
    windowMinutes: ctx.email.resetWindowMinutes,
  };
}
