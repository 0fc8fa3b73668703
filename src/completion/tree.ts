// What the completion scripts know: the command tree with each command's options, read from the configured
// commander program (every command module loaded, which only `cx completion` pays for). Values are never
// completed from data: an option's value is a file, a folder, one of a fixed list, or nothing at all.
import type { Argument, Command, Option } from 'commander';

/** How a value is completed: files, folders, one of these words, or not at all (addresses, names, ids). */
export type ValueKind = { kind: 'file' } | { kind: 'dir' } | { kind: 'choices'; words: string[] } | { kind: 'none' };

export interface OptionSpec {
  /** `--out`, and the short form (`-y`) when there is one. */
  long: string;
  short?: string;
  description: string;
  /** null: a switch, which takes no value. */
  value: ValueKind | null;
}

export interface CommandSpec {
  /** The words after `cx` that lead here ('' for cx itself, 'notes export'). */
  path: string;
  name: string;
  description: string;
  subcommands: CommandSpec[];
  /** Its own options and the global ones, which commander accepts after any command. */
  options: OptionSpec[];
  /** The positional argument (the first one): what may be completed there. */
  argument: ValueKind;
}

/** Placeholders that name a file or a folder: `--out <file>`, `--db <path>`, `--notes-dir <dir>`. */
const FILE_WORDS = new Set(['file', 'path', 'tickets']);
const DIR_WORDS = new Set(['dir', 'folder']);

function valueKind(placeholder: string, choices: readonly string[] | undefined): ValueKind {
  if (choices?.length) return { kind: 'choices', words: [...choices] };
  if (FILE_WORDS.has(placeholder)) return { kind: 'file' };
  if (DIR_WORDS.has(placeholder)) return { kind: 'dir' };
  return { kind: 'none' };
}

function optionSpec(o: Option): OptionSpec {
  const placeholder = /[<[]([^>\]]+)[>\]]/.exec(o.flags)?.[1] ?? '';
  return {
    long: o.long ?? o.short ?? '',
    ...(o.short && o.long ? { short: o.short } : {}),
    description: o.description,
    value: o.required || o.optional ? valueKind(placeholder, o.argChoices) : null,
  };
}

function argumentKind(a: Argument | undefined): ValueKind {
  return a ? valueKind(a.name(), a.argChoices) : { kind: 'none' };
}

export function commandTree(program: Command): CommandSpec {
  const global = program.options.filter((o) => o.long !== '--version').map(optionSpec);
  const walk = (cmd: Command, path: string): CommandSpec => {
    const help = cmd.createHelp();
    const own = help.visibleOptions(cmd).map(optionSpec);
    const longs = new Set(own.map((o) => o.long));
    const options = cmd === program ? own : [...own, ...global.filter((o) => !longs.has(o.long))];
    return {
      path,
      name: cmd.name(),
      description: cmd.description(),
      subcommands: help.visibleCommands(cmd).filter((c) => c.name() !== 'help').map((c) => walk(c, path ? `${path} ${c.name()}` : c.name())),
      options,
      argument: argumentKind(cmd.registeredArguments[0]),
    };
  };
  return walk(program, '');
}

/** Every command in the tree, cx itself first, each before its subcommands. */
export function allCommands(root: CommandSpec): CommandSpec[] {
  return [root, ...root.subcommands.flatMap(allCommands)];
}

/** The options that take a value: the scripts skip the word after one when they find the command path. */
export function valuedNames(cmd: CommandSpec): string[] {
  return cmd.options.filter((o) => o.value !== null).flatMap((o) => (o.short ? [o.long, o.short] : [o.long]));
}

export function optionNames(cmd: CommandSpec): string[] {
  return cmd.options.flatMap((o) => (o.short ? [o.long, o.short] : [o.long]));
}
