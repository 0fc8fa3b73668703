// A command's help text after its options, flowing to the width commander was given for this help (the
// terminal's on stdout, or on stderr after an error): src/render/help.ts lays it out.
import type { Command, OutputConfiguration } from 'commander';
import { flowHelp, type HelpBlock } from '../render/help.js';

export type { HelpBlock } from '../render/help.js';

/** Adds the blocks after the command's options, a blank line before them. */
export function helpAfter(cmd: Command, blocks: readonly HelpBlock[] | (() => readonly HelpBlock[])): Command {
  return cmd.addHelpText('after', ({ error, command }) => `\n${flowHelp(typeof blocks === 'function' ? blocks() : blocks, helpWidth(command, error))}`);
}

function helpWidth(cmd: Command, error: boolean): number {
  const out: OutputConfiguration = cmd.configureOutput();
  return (error ? out.getErrHelpWidth?.() : out.getOutHelpWidth?.()) ?? 80;
}
