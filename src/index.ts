// Entry point: run the program and turn whatever happened into an exit code. Only bin/cx.js exits.
// Commander and the command tree load only once they are needed: `cx --version`, a plain `cx lookup`
// and a plain `cx batch` (src/cli-words.ts) answer without them.
import type { CommanderError } from 'commander';
import { GLOBAL_VALUE_OPTIONS, plainRun, type PlainRun, VERSION } from './cli-words.js';
import { COMMANDS } from './commands/index.js';
import { asCxError, EXIT } from './errors.js';
import { processIO, type IO } from './io.js';
import { loadCommander } from './packages.js';
import type { Prompter } from './prompt.js';

export { installCodeCache } from './code-cache.js';

export async function main(argv: string[], io: IO = processIO(), prompter?: Prompter): Promise<number> {
  const args = helpAsFlag(argv.slice(2));
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    io.stdout.write(`${VERSION}\n`); // what commander's .version() prints
    return EXIT.ok;
  }
  // Set once commander runs: only its runs can end in one of its errors.
  let commander: typeof import('commander') | undefined;
  try {
    const plain = plainRun(args);
    if (plain) return await runPlain(plain, args, io, prompter);
    const [{ createProgram }, loaded] = await Promise.all([import('./program.js'), loadCommander()]);
    commander = loaded;
    const { program, runtime } = createProgram(io, prompter);
    runtime.argv = args;
    const alone = commandWords(args).length === 0 && onlyGlobalFlags(args);
    if (alone && (!io.interactive || args.includes('--json'))) {
      // `cx` alone without a terminal (a script, CI): the help on stdout, and the run ends well.
      program.outputHelp();
      return EXIT.ok;
    }
    // `cx` alone in a terminal is the guided desk (docs/reference.md#cx-desk), with the global options given.
    await loadColours();
    await program.parseAsync(alone ? [...args, 'desk'] : args, { from: 'user' });
    return runtime.exitCode;
  } catch (err) {
    if (commander && err instanceof commander.CommanderError) {
      const code = commanderExitCode(err);
      // Commander has said what is wrong on stderr; a script reading --json still gets an outcome.
      if (code !== EXIT.ok && args.includes('--json')) {
        io.stdout.write(`${JSON.stringify({ outcome: 'invalid', detail: err.message.replace(/^error: /, ''), account_id: null }, null, 2)}\n`);
      }
      return code;
    }
    const cx = asCxError(err);
    const json = args.includes('--json');
    const { printError, printJson } = await import('./render/index.js');
    const out = { json, io };
    if (json) {
      const fix = typeof cx.hint === 'object' ? cx.hint.commands[0] : undefined;
      printJson(out, { outcome: cx.outcome, detail: cx.message, account_id: null, ...(cx.details.length ? { problems: cx.details } : {}), ...(fix ? { fix } : {}) });
    }
    printError(out, cx.message, cx.hint, cx.details);
    if (cx.exitCode === EXIT.internal && io.env.CX_DEBUG && cx.stack) io.stderr.write(`${cx.stack}\n`);
    return cx.exitCode;
  }
}

/** A plain run: the command's module and the context, without commander (the same context its path builds). */
async function runPlain(plain: PlainRun, args: readonly string[], io: IO, prompter: Prompter | undefined): Promise<number> {
  const { resolveContext } = await import('./context.js');
  if (plain.command === 'lookup') {
    const [{ runLookup }] = await Promise.all([import('./commands/lookup.js'), loadColours()]);
    return (await runLookup(resolveContext(plain.flags, io, prompter, args), plain.address, plain.options)).code;
  }
  const [{ runPlainBatch }] = await Promise.all([import('./commands/batch.js'), loadColours()]);
  return runPlainBatch(resolveContext(plain.flags, io, prompter, args), plain.source, plain.options);
}

/** chalk, when output may be coloured, before a command prints (src/render/messages.ts says why here). */
async function loadColours(): Promise<void> {
  await (await import('./render/index.js')).loadColours();
}

function commanderExitCode(err: CommanderError): number {
  // Help and version requested on purpose end well; every other commander complaint is a usage error.
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
  return EXIT.usage;
}

const GLOBAL_FLAGS: ReadonlySet<string> = new Set(['--json', '-y', '--yes', '--dry-run']);

/** Nothing but global options (and their values): `cx`, `cx --json`; not `cx --help`, not `cx --bogus`. */
function onlyGlobalFlags(args: readonly string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    if (GLOBAL_VALUE_OPTIONS.has(args[i]!)) i++;
    else if (!GLOBAL_FLAGS.has(args[i]!)) return false;
  }
  return true;
}

/** The words that are not options (nor an option's value): the command path and its arguments. */
function commandWords(args: readonly string[]): Array<{ word: string; at: number }> {
  const words: Array<{ word: string; at: number }> = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (a.startsWith('-')) {
      if (GLOBAL_VALUE_OPTIONS.has(a)) i++;
      continue;
    }
    words.push({ word: a, at: i });
  }
  return words;
}

/**
 * `cx help <cmd…>` and `cx <group> help <cmd>` are `cx <cmd…> --help`, so the two print exactly the same
 * text (the command's module loads and lists its options) and both end with exit 0.
 */
export function helpAsFlag(args: string[]): string[] {
  const words = commandWords(args);
  const groups = new Set(COMMANDS.filter((c) => c.children).map((c) => c.name));
  const helpAt = words[0]?.word === 'help' ? 0 : words[1]?.word === 'help' && groups.has(words[0]!.word) ? 1 : -1;
  if (helpAt < 0) return args;
  const path = words.filter((_, i) => i !== helpAt).map((w) => w.word);
  const options = args.filter((_, i) => !words.some((w) => w.at === i));
  // `cx help nope`: no such command, which commander then says as for `cx nope`.
  const known = path.length === 0 || COMMANDS.some((c) => c.name === path[0]);
  return known ? [...options, ...path, '--help'] : [...options, ...path];
}
