// Where output goes (docs/reference.md#how-every-command-behaves): data on stdout; every error, refusal and not-found on
// stderr with the one prefix `cx:`, stdout left empty, and the command that fixes it on a line of its own.
// Under --json the outcome object is on stdout. Commands hand over blocks (lines and at most one table);
// this module alone decides terminal or pipe, colour, width and pager.
import type { ChalkInstance } from 'chalk';
import type { Context } from '../context.js';
import type { Hint, Outcome } from '../errors.js';
import { page, pagerCommand } from './pager.js';
import { isTable, terminalLines, tsvLines, type Table } from './tables.js';
import { command, NO_PAINT, renderLine, span, type Line, type Painter, type Style, type Target } from './text.js';
import { systemZone } from '../config/system-zone.js';
import { localTimesIn } from './times.js';
import { loadChalk } from '../packages.js';

// chalk turns colour on for a terminal and honours FORCE_COLOR (a --color argument, Azure Pipelines); with
// none of them its level is 0 and it paints nothing, so it is not even loaded (~15 ms of a piped run).
// NO_COLOR (https://no-color.org) it does not read, so it is applied here. chalk is an ES module, so it is
// imported, which is asynchronous: the entry (src/index.ts) awaits loadColours() before a command prints.
// Until then (and in unit tests) output is plain. Not a top-level await: the bundle is CommonJS. These read
// the process's own environment, as chalk does, not the context's: the choice is made before any exists.
const mayColour = Boolean(
  process.stdout.isTTY || process.stderr.isTTY || 'FORCE_COLOR' in process.env || ('TF_BUILD' in process.env && 'AGENT_NAME' in process.env) ||
    process.argv.some((a) => a.startsWith('--color')),
);
let colours: { stdout: ChalkInstance; stderr: ChalkInstance } | null = null;

export async function loadColours(): Promise<void> {
  if (!mayColour || colours) return;
  const { default: chalk, chalkStderr } = await loadChalk();
  if (process.env.NO_COLOR && !process.env.FORCE_COLOR) {
    chalk.level = 0;
    chalkStderr.level = 0;
  }
  colours = { stdout: chalk, stderr: chalkStderr };
}

/** What an outcome line says: the outcome and its sentence (an action's result, src/actions/result.ts). */
export interface Said {
  outcome: Outcome;
  detail: string;
}

/** A piece of human output: a line, or a table (at most one per output: a pipe carries it alone). */
export type Block = Line | Table;

/** Where output goes; the agent's zone when the run has resolved it (an error before that uses the system's). */
export type Out = Pick<Context, 'json' | 'io'> & Partial<Pick<Context, 'tz'>>;

type Stream = 'stdout' | 'stderr';

function painter(c: ChalkInstance | undefined): Painter {
  if (!c) return NO_PAINT;
  const styles: Record<Style, (s: string) => string> = {
    bold: (s) => c.bold(s),
    dim: (s) => c.dim(s),
    good: (s) => c.green(s),
    plan: (s) => c.cyan(s),
    warn: (s) => c.yellow(s),
    bad: (s) => c.red(s),
    alert: (s) => c.red.bold(s),
    command: (s) => c.bold(s),
    header: (s) => c.bold(s),
  };
  return (style, text) => (style && c.level > 0 ? styles[style](text) : text);
}

function isTerminal(ctx: Out, stream: Stream): boolean {
  return stream === 'stdout' ? Boolean(ctx.io.stdoutIsTTY) : ctx.io.stderrIsTTY;
}

function target(ctx: Out, stream: Stream): Target & { terminal: boolean } {
  const terminal = isTerminal(ctx, stream);
  return {
    paint: painter(colours?.[stream]),
    width: terminal ? (ctx.io.columns?.(stream) ?? 80) : undefined,
    forPeople: (text) => localTimesIn(text, () => zoneOf(ctx)),
    terminal,
  };
}

/** The agent's zone, else the system's: a message must still print when the zone cannot be resolved. */
function zoneOf(ctx: Out): string {
  try {
    if (ctx.tz) return ctx.tz;
  } catch {
    // a zone setting that cannot be used: the error that says so is printed elsewhere
  }
  return systemZone(ctx.io.env);
}

/**
 * Blocks as the lines one stream shows: a table fitted to a terminal, or tab-separated down a pipe (its
 * cells exactly as stored: ISO times stay ISO). Lines of text are for people on a terminal and in a pipe.
 */
function render(ctx: Out, stream: Stream, blocks: readonly Block[]): string[] {
  const t = target(ctx, stream);
  return blocks.flatMap((b) => (isTable(b) ? (t.terminal ? terminalLines(b, t.width!, t) : tsvLines(b)) : renderLine(b, t)));
}

function write(ctx: Out, stream: Stream, lines: readonly string[]): void {
  if (lines.length) ctx.io[stream].write(`${lines.join('\n')}\n`);
}

/**
 * What JSON.stringify leaves raw but a terminal acts on: C1 controls, bidi marks and overrides, the line and
 * paragraph separators. Written as \\u escapes, the same string to any JSON reader.
 */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function printJson(ctx: Out, data: unknown): void {
  ctx.io.stdout.write(`${JSON.stringify(data, null, 2).replace(UNSAFE_IN_JSON, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`);
}

export interface DataOptions {
  /** A long listing: through the agent's pager when stdout is a terminal (false: --no-pager). */
  pager?: boolean;
  /** The guided desk: Ctrl-C in the pager does not end the session (src/render/pager.ts). */
  inSession?: boolean;
}

/**
 * Print data: JSON under --json; else the blocks. Down a pipe a table travels alone on stdout (tab-separated,
 * a header row) and every other line of the output goes to stderr, so `cut` and `awk` see only rows.
 */
export async function printData(ctx: Out, data: unknown, human: () => readonly Block[], options: DataOptions = {}): Promise<void> {
  if (ctx.json) return printJson(ctx, data);
  const blocks = human();
  if (!ctx.io.stdoutIsTTY && blocks.some(isTable)) {
    write(ctx, 'stderr', render(ctx, 'stderr', blocks.filter((b) => !isTable(b))));
    write(ctx, 'stdout', render(ctx, 'stdout', blocks.filter(isTable)));
    return;
  }
  const lines = render(ctx, 'stdout', blocks);
  await writePaged(ctx, lines, options);
}

/** Lines for stdout, through the pager when asked for and stdout is a terminal. */
async function writePaged(ctx: Out, lines: readonly string[], options: DataOptions): Promise<void> {
  const pager = options.pager && ctx.io.stdoutIsTTY ? pagerCommand(ctx.io.env) : null;
  if (pager && lines.length) await page(ctx.io, `${lines.join('\n')}\n`, pager, { inSession: options.inSession });
  else write(ctx, 'stdout', lines);
}

/** A progress message, hint or count: stderr, never stdout. */
export function note(ctx: Out, ...lines: Line[]): void {
  write(ctx, 'stderr', render(ctx, 'stderr', lines));
}

export function warn(ctx: Out, message: string): void {
  note(ctx, [span('warning: ', 'warn'), span(message)]);
}

/** Lines for a hint: its sentence, then each command on a line of its own. */
export function hintLines(hint: Hint | undefined): Line[] {
  if (hint === undefined) return [];
  if (typeof hint === 'string') return [hint];
  return [...(hint.text ? [hint.text] : []), ...hint.commands.map(command)];
}

/** An error, refusal or not-found: `cx: <message>` on stderr, the problems listed, then what to do. */
export function printError(ctx: Out, message: string, hint?: Hint, details: readonly string[] = []): void {
  note(ctx, [span('cx:', 'bad'), span(` ${message}`)], ...details.map((d) => `  ${d}`), ...hintLines(hint));
}

const OUTCOME_STYLE: Record<Outcome, Style> = {
  done: 'good',
  already_done: 'good',
  planned: 'plan',
  not_found: 'warn',
  refused: 'bad',
  invalid: 'bad',
  error: 'bad',
};

/** Outcomes that are problems: said on stderr, as errors are. */
const PROBLEMS: ReadonlySet<Outcome> = new Set(['not_found', 'refused', 'invalid', 'error']);

export function isProblem(outcome: Outcome): boolean {
  return PROBLEMS.has(outcome);
}

/**
 * An action's result. Under --json, `json`: the command's view of the result (the result itself unless the
 * command promises more keys). Else, done/already done/planned: one line saying what happened on stdout,
 * then the blocks (what to tell the person, what to do next). A problem: `cx: <detail>` on stderr, the
 * blocks under it, nothing on stdout.
 */
export function printOutcome(ctx: Out, result: Said, blocks: readonly Block[] = [], json: object = result): void {
  if (ctx.json) return printJson(ctx, json);
  if (isProblem(result.outcome)) {
    const head: Line = [span('cx:', OUTCOME_STYLE[result.outcome]), span(` ${result.detail}`)];
    write(ctx, 'stderr', render(ctx, 'stderr', [head, ...blocks]));
    return;
  }
  const all = [outcomeHead(result), ...blocks];
  if (!ctx.io.stdoutIsTTY && all.some(isTable)) {
    write(ctx, 'stderr', render(ctx, 'stderr', all.filter((b) => !isTable(b))));
    write(ctx, 'stdout', render(ctx, 'stdout', all.filter(isTable)));
    return;
  }
  write(ctx, 'stdout', render(ctx, 'stdout', all));
}

/** printOutcome, with a result that goes ahead shown through the pager on a terminal (a long caseload). */
export async function printOutcomePaged(ctx: Out, result: Said, blocks: readonly Block[], json: object, options: DataOptions): Promise<void> {
  if (ctx.json || isProblem(result.outcome) || !ctx.io.stdoutIsTTY || !options.pager) return printOutcome(ctx, result, blocks, json);
  await writePaged(ctx, render(ctx, 'stdout', [outcomeHead(result), ...blocks]), options);
}

/** "done: <detail>", the outcome in its colour. */
function outcomeHead(result: Said): Line {
  return [span(result.outcome.replace('_', ' '), OUTCOME_STYLE[result.outcome]), span(`: ${result.detail}`)];
}
