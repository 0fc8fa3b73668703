// `cx completion bash|zsh|fish`: print the completion script. The scripts are written from the command
// tree (every command's options), and complete commands, subcommands and options only.
//
// Why not @bomb.sh/tab (0.0.22), the library that knows commander: its scripts call back into the program on
// every Tab, and its bash script builds that call by eval-ing the words on the line, so `cx lookup $(…)<Tab>`
// runs the command substitution, and whatever was typed (an address) is passed to a process; it also needs
// the bash-completion package, offers no file names where a file is expected (--out, the batch file), and
// each Tab would start Node and load every command. Static scripts have none of these problems.
import { Argument, type Command } from 'commander';
import { bashScript } from '../completion/bash.js';
import { fishScript } from '../completion/fish.js';
import { commandTree } from '../completion/tree.js';
import { zshScript } from '../completion/zsh.js';
import { createProgram } from '../program.js';
import type { CommandEntry, Runtime } from '../cmdutil/define.js';
import { handle } from '../cmdutil/define.js';
import { COMMANDS } from './index.js';
import { helpAfter } from '../cmdutil/help.js';

const SHELLS = { bash: bashScript, zsh: zshScript, fish: fishScript } as const;
type Shell = keyof typeof SHELLS;

/** Lines that install the script on a fresh machine: the folder made first (README "Shell completion"). */
export const INSTALL: Record<Shell, string[]> = {
  bash: ['mkdir -p ~/.local/share/bash-completion/completions', 'cx completion bash > ~/.local/share/bash-completion/completions/cx'],
  zsh: ['mkdir -p ~/.zfunc', 'cx completion zsh > ~/.zfunc/_cx'],
  fish: ['mkdir -p ~/.config/fish/completions', 'cx completion fish > ~/.config/fish/completions/cx.fish'],
};

export function configure(cmd: Command, runtime: Runtime): void {
  // The registry names the argument; its choices are completed too (`cx completion <Tab>`).
  const shell = cmd.registeredArguments[0] ?? new Argument('<shell>');
  shell.choices(Object.keys(SHELLS));
  helpAfter(cmd, [
    'Install it once, then open a new shell. bash:',
    ...INSTALL.bash.map((command) => ({ command })),
    'zsh, with `fpath=(~/.zfunc $fpath)` before compinit in ~/.zshrc (or instead `source <(cx completion zsh)` after compinit):',
    ...INSTALL.zsh.map((command) => ({ command })),
    'fish:',
    ...INSTALL.fish.map((command) => ({ command })),
    '',
    'Only commands, subcommands and options are completed, never addresses or names.',
  ]);
  handle(cmd, runtime, async (ctx, name: Shell) => {
    const { program } = createProgram(ctx.io);
    await configureAll(program, COMMANDS, runtime);
    ctx.io.stdout.write(SHELLS[name](commandTree(program)));
  });
}

/** Load every command's module so that the tree has every option (the program loads only the one it runs). */
export async function configureAll(parent: Command, entries: CommandEntry[], runtime: Runtime): Promise<void> {
  for (const entry of entries) {
    const cmd = parent.commands.find((c) => c.name() === entry.name);
    if (!cmd) continue;
    if (entry.load) (await entry.load()).configure(cmd, { ...runtime, exitCode: 0 });
    if (entry.children) await configureAll(cmd, entry.children, runtime);
  }
}
