// Builds the commander program. Tests call createProgram() directly: it never calls process.exit.
import { Command, Option } from 'commander';
import { COMMANDS } from './commands/index.js';
import type { CommandEntry, Runtime } from './commands/define.js';
import type { IO } from './io.js';
import type { Prompter } from './prompt.js';

export const VERSION = '0.1.0';

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
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();
  addCommands(program, COMMANDS, runtime);
  program.addHelpText('after', examplesHelp(COMMANDS));
  return { program, runtime };
}

function addCommands(parent: Command, entries: CommandEntry[], runtime: Runtime): void {
  for (const entry of entries) {
    const cmd = parent
      .command(entry.args ? `${entry.name} ${entry.args}` : entry.name)
      .description(entry.summary)
      .addHelpText('after', `\nExample:\n  ${entry.example}`)
      .configureOutput(parent.configureOutput())
      .exitOverride();
    if (entry.children) addCommands(cmd, entry.children, runtime);
  }
  // Load a command's module only once it is the one being run.
  parent.hook('preSubcommand', async (_parent, sub) => {
    const entry = entries.find((e) => e.name === sub.name());
    if (entry?.load) (await entry.load()).configure(sub, runtime);
  });
}

function examplesHelp(entries: CommandEntry[], prefix = ''): string {
  const lines: string[] = [];
  const walk = (list: CommandEntry[], path: string): void => {
    for (const e of list) {
      if (e.children) walk(e.children, `${path}${e.name} `);
      else lines.push(`  ${e.example}`);
    }
  };
  walk(entries, prefix);
  return `\nExamples:\n${lines.join('\n')}\n\nExit codes: 0 done, 1 internal error, 2 usage or invalid input, 3 not found, 4 refused by a policy,\n5 batch finished with problems, 6 integrity check failed.`;
}
