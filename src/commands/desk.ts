// `cx desk` (and `cx` alone in a terminal): the guided desk, src/desk/. Without a terminal it is exit 2.
import type { Command } from 'commander';
import { handle, type Runtime } from '../cmdutil/define.js';
import { helpAfter } from '../cmdutil/help.js';

export function configure(cmd: Command, runtime: Runtime): void {
  helpAfter(cmd, [
    'Asks what the person needs, finds their account (an address, an account id, or a name and date of ' +
      'birth), shows it as cx lookup does, runs the action with its plan and confirmation, and says what to tell ' +
      'the person; then the next person. The ticket is asked once and kept until you change it in the menu.',
    'Keys: arrows and Enter choose; Esc or Ctrl-C inside a step goes back to the menu (also while it waits ' +
      'for another cx to finish writing); Ctrl-C at the menu leaves (exit 0). Every read and change is audited ' +
      'as the single command does it.',
  ]);
  handle(cmd, runtime, async (ctx) => (await import('../desk/session.js')).runDesk(ctx));
}
