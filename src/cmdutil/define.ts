// How a command is declared. The registry (src/commands/index.ts) holds each command's name, summary and
// examples; its module is imported only when that command runs, so `cx --version` pays for none of them.
import type { Command } from 'commander';
import { resolveContext, type Context } from '../context.js';
import type { IO } from '../io.js';
import type { Prompter } from '../prompt.js';

/** A global option a command honours, as its help lists it: the flag and what it does there. */
export type GlobalHelp = readonly [flag: string, meaning: string];

export interface CommandEntry {
  /** The word typed after `cx` (or after the parent command). */
  name: string;
  /** Positional arguments, as commander spells them: `<email>`, `[dir]`. */
  args?: string;
  summary: string;
  /** Two or three lines an agent can copy, covering the main flags; the first is the one `cx --help` lists. */
  examples: string[];
  /** The global options (--ticket, --yes, --dry-run, --json) this command honours, and what each does here. */
  globals?: GlobalHelp[];
  load?: () => Promise<CommandModule>;
  children?: CommandEntry[];
}

export interface CommandModule {
  /** Add the command's own options and its action to the (already named) command. */
  configure(cmd: Command, runtime: Runtime): void;
}

/** What a run shares between the program and the command that ran. */
export interface Runtime {
  io: IO;
  prompter?: Prompter;
  exitCode: number;
  /** The words typed after `cx`: fixes repeat the command (src/context.ts argv). */
  argv?: readonly string[];
}

type Handler<A extends unknown[]> = (ctx: Context, ...args: A) => Promise<number | void>;

/**
 * Attach a handler: it receives the resolved context, then commander's positional arguments and the
 * command's own options, and returns the exit code (0 when it returns nothing).
 */
export function handle<A extends unknown[]>(cmd: Command, runtime: Runtime, handler: Handler<A>): void {
  cmd.action(async (...received: unknown[]) => {
    const command = received[received.length - 1] as Command;
    const args = received.slice(0, -1) as A;
    const ctx = resolveContext(command.optsWithGlobals(), runtime.io, runtime.prompter, runtime.argv);
    runtime.exitCode = (await handler(ctx, ...args)) ?? 0;
  });
}

/** What a command run without the settings has: its output flags and the streams. */
export interface BareRun {
  json: boolean;
  dryRun: boolean;
  io: IO;
}

/**
 * Attach a handler that runs without resolving the settings: for `cx config set` and `cx config unset`,
 * which must work when the config file holds a value the reader refuses (that is how it is mended).
 */
export function handleBare<A extends unknown[]>(cmd: Command, runtime: Runtime, handler: (run: BareRun, ...args: A) => Promise<number | void>): void {
  cmd.action(async (...received: unknown[]) => {
    const command = received[received.length - 1] as Command;
    const flags = command.optsWithGlobals<{ json?: boolean; dryRun?: boolean }>();
    const args = received.slice(0, -2) as A; // the positional arguments; then the options and the command
    runtime.exitCode = (await handler({ json: Boolean(flags.json), dryRun: Boolean(flags.dryRun), io: runtime.io }, ...args)) ?? 0;
  });
}
