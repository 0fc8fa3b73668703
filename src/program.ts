// Builds the commander program. Tests call createProgram() directly: it never calls process.exit.
import { Command, Option } from 'commander';
import { COMMANDS } from './commands/index.js';
import type { CommandEntry, Runtime } from './cmdutil/define.js';
import { helpAfter, type HelpBlock } from './cmdutil/help.js';
import type { IO } from './io.js';
import type { Prompter } from './prompt.js';
import { visible } from './rules/visible-text.js';
import { VERSION } from './cli-words.js';

export { GLOBAL_VALUE_OPTIONS, VERSION } from './cli-words.js';

export function createProgram(io: IO, prompter?: Prompter): { program: Command; runtime: Runtime } {
  const runtime: Runtime = { io, prompter, exitCode: 0 };
  const program = new Command('cx')
    .description('The Customer Experience desk: find accounts, reset passwords, deactivate, offboard, export notes.')
    .version(VERSION, '-V, --version')
    .option('--db <path>', 'the mirror (else $CX_DB, else the config file, else data/mirror.db where cx is installed)')
    .option('--json', 'machine-readable output on stdout')
    .option('--agent <name>', 'who is acting (else $CX_AGENT, else the config file, else the OS user)')
    .option('-y, --yes', 'answer yes to the confirmation prompt')
    .option('--dry-run', 'say what would happen, change nothing')
    .option('--ticket <id>', 'the ticket every change is filed under')
    .addOption(new Option('--policy <file>', 'retention policy file (else $CX_POLICY, else the config file, else built-in defaults)'))
    .helpCommand(false)
    .configureOutput(outputFor(io))
    .showHelpAfterError(helpHint('cx'))
    .exitOverride();
  addCommands(program, COMMANDS, runtime, 'cx');
  helpAfter(program, () => programHelp(COMMANDS));
  return { program, runtime };
}

/**
 * Commander's own messages: help and version on stdout; its parse errors on stderr with cx's one prefix
 * (`cx: unknown option '--x'`), what was typed made visible like any other text that reaches the terminal.
 */
function outputFor(io: IO) {
  return {
    writeOut: (s: string) => io.stdout.write(s),
    writeErr: (s: string) => io.stderr.write(s),
    outputError: (s: string, write: (s: string) => void) => {
      const lines = s.replace(/\n$/, '').split('\n').map((l) => visible(l));
      write(`${lines.map((l, i) => (i === 0 ? l.replace(/^error: /, 'cx: ') : l)).join('\n')}\n`);
    },
    getOutHelpWidth: () => (io.stdoutIsTTY ? (io.columns?.('stdout') ?? 80) : 100),
    getErrHelpWidth: () => (io.stderrIsTTY ? (io.columns?.('stderr') ?? 80) : 100),
  };
}

function helpHint(path: string): string {
  return `Usage and examples:\n  ${path} --help`;
}

function addCommands(parent: Command, entries: CommandEntry[], runtime: Runtime, prefix: string): void {
  for (const entry of entries) {
    const path = `${prefix} ${entry.name}`;
    const cmd = parent
      .command(entry.args ? `${entry.name} ${entry.args}` : entry.name)
      .description(entry.summary)
      .helpCommand(false)
      .configureOutput(outputFor(runtime.io))
      .showHelpAfterError(helpHint(path))
      .exitOverride();
    helpAfter(cmd, () => commandHelp(entry));
    if (entry.children) addCommands(cmd, entry.children, runtime, path);
  }
  // Load a command's module only once it is the one being run (its help too: that is where its options are).
  parent.hook('preSubcommand', async (_parent, sub) => {
    const entry = entries.find((e) => e.name === sub.name());
    if (entry?.load) (await entry.load()).configure(sub, runtime);
  });
}

/** Under a command's own help: the global options it honours and its examples (its own text comes after). */
export function commandHelp(entry: CommandEntry): HelpBlock[] {
  const blocks: HelpBlock[] = [];
  if (entry.globals?.length) {
    blocks.push('Global options it honours:', { items: entry.globals }, { aside: '(and everywhere: --db <path>, --agent <name>, --policy <file>; see cx --help)' }, '');
  }
  blocks.push('Examples:', ...entry.examples.map((e) => ({ command: e })));
  return blocks;
}

function programHelp(entries: CommandEntry[]): HelpBlock[] {
  const examples: HelpBlock[] = [];
  const walk = (list: CommandEntry[]): void => {
    for (const e of list) {
      if (e.load) examples.push({ command: e.examples[0]! });
      if (e.children) walk(e.children);
    }
  };
  walk(entries);
  return [
    'Examples:',
    ...examples,
    '',
    'Help on one command: cx help <command> (the same as cx <command> --help).',
    'Exit codes: 0 done, 1 internal error, 2 usage or invalid input, 3 not found, 4 refused by a policy, 5 batch finished with problems, 6 integrity check failed, 7 the mirror is busy, 130 cancelled.',
  ];
}
