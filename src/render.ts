// The one renderer: data goes to stdout (JSON under --json, else text and tables), messages to stderr.
// Colour: chalk turns it on for a terminal and honours FORCE_COLOR; NO_COLOR (https://no-color.org) it
// does not read, so it is applied here.
import chalk, { chalkStderr } from 'chalk';
import { createRequire } from 'node:module';
import type { Context } from './context.js';
import type { Outcome } from './errors.js';

if (process.env.NO_COLOR && !process.env.FORCE_COLOR) {
  chalk.level = 0;
  chalkStderr.level = 0;
}

/** What every action returns (CONTRACTS.md "Outcomes"); actions add their own keys. */
export interface ActionResult {
  outcome: Outcome;
  detail: string;
  account_id: string | null;
  [key: string]: unknown;
}

type Out = Pick<Context, 'json' | 'io'>;

export function printJson(ctx: Out, data: unknown): void {
  ctx.io.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
}

/** Print data: JSON under --json, else the human text that `human()` builds. */
export function printData(ctx: Out, data: unknown, human: () => string): void {
  if (ctx.json) printJson(ctx, data);
  else writeLine(ctx.io.stdout, human());
}

/** A progress message, warning or hint: stderr, never stdout. */
export function note(ctx: Out, message: string): void {
  writeLine(ctx.io.stderr, message);
}

export function warn(ctx: Out, message: string): void {
  writeLine(ctx.io.stderr, chalkStderr.yellow(`warning: ${message}`));
}

export function printError(ctx: Out, message: string, hint?: string): void {
  writeLine(ctx.io.stderr, chalkStderr.red(`cx: ${message}`));
  if (hint) writeLine(ctx.io.stderr, `  ${hint}`);
}

const OUTCOME_MARK: Record<Outcome, (s: string) => string> = {
  done: (s) => chalk.green(s),
  already_done: (s) => chalk.green(s),
  planned: (s) => chalk.cyan(s),
  not_found: (s) => chalk.yellow(s),
  refused: (s) => chalk.red(s),
  invalid: (s) => chalk.red(s),
  error: (s) => chalk.red(s),
};

/**
 * An action's result: the object under --json; else one line saying what happened, then any extra
 * lines (what to tell the person, the next command to run).
 */
export function printOutcome(ctx: Out, result: ActionResult, extra: string[] = []): void {
  if (ctx.json) {
    printJson(ctx, result);
    return;
  }
  const label = result.outcome.replace('_', ' ');
  const lines = [`${OUTCOME_MARK[result.outcome](label)}: ${result.detail}`, ...extra.filter(Boolean)];
  writeLine(ctx.io.stdout, lines.join('\n'));
}

export interface Column<Row> {
  header: string;
  value: (row: Row) => string | number | boolean | null | undefined;
}

/** A plain table for people; JSON callers get the rows themselves. */
export function table<Row>(columns: Array<Column<Row>>, rows: Row[]): string {
  // Loaded on first use: most runs (JSON, one-line outcomes) never draw a table.
  const Table = createRequire(import.meta.url)('cli-table3') as typeof import('cli-table3');
  const t = new Table({
    head: columns.map((c) => c.header),
    style: { head: chalk.level > 0 ? ['bold'] : [], border: chalk.level > 0 ? ['grey'] : [] },
  });
  for (const row of rows) t.push(columns.map((c) => cell(c.value(row))));
  return t.toString();
}

/** "key: value" lines, aligned, skipping empty values. */
export function fields(pairs: Array<[string, string | number | boolean | null | undefined]>): string {
  const shown = pairs.filter(([, v]) => v !== null && v !== undefined && v !== '');
  const width = Math.max(0, ...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${chalk.dim(`${k}:`.padEnd(width + 1))} ${cell(v)}`).join('\n');
}

function cell(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

function writeLine(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}
