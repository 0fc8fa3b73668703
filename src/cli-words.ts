// What the entry point needs before commander is loaded: the version (`cx --version` answers without
// building the command tree), which global options take a value, and which runs are plain enough to go
// without commander at all. src/program.ts re-exports the first two.
export const VERSION = '0.1.0';

/** The global options a plain run may carry, as `resolveContext` names them. */
export interface PlainFlags {
  json?: true;
  yes?: true;
  dryRun?: true;
  db?: string;
  agent?: string;
  ticket?: string;
  policy?: string;
}

type GlobalValue = 'db' | 'agent' | 'ticket' | 'policy';

/** Global options that take a value, and the name each has among the flags. */
const VALUE_OPTIONS: ReadonlyMap<string, GlobalValue> = new Map([
  ['--db', 'db'],
  ['--agent', 'agent'],
  ['--ticket', 'ticket'],
  ['--policy', 'policy'],
]);

/** Global options that take a value: `cx --db x help lookup` has its command word after them. */
export const GLOBAL_VALUE_OPTIONS: ReadonlySet<string> = new Set(VALUE_OPTIONS.keys());

/** The words of a plain `cx lookup`: an address, or --name (and --dob). */
export interface PlainLookup {
  command: 'lookup';
  address: string | undefined;
  options: { name?: string; dob?: string };
  flags: PlainFlags;
}

/** The words of a plain `cx batch <file | ->` and its own options (src/commands/batch.ts). */
export interface PlainBatch {
  command: 'batch';
  source: string;
  options: { out?: string; force?: true; typeColumn?: string; notesDir?: string; desk?: string };
  flags: PlainFlags;
}

export type PlainRun = PlainLookup | PlainBatch;

/** The global options that take no value (commander reads the program's options before and after a command). */
const GLOBAL_FLAGS: ReadonlySet<string> = new Set(['--json', '--yes', '-y', '--dry-run']);

type FlagKey = 'json' | 'yes' | 'dryRun' | 'force';
type ValueKey = GlobalValue | 'name' | 'dob' | 'out' | 'typeColumn' | 'notesDir' | 'desk';

/** What a command may carry on the plain path: global flags, its own flags, options that take a value. */
interface PlainWords {
  flags: ReadonlyMap<string, FlagKey>;
  values: ReadonlyMap<string, ValueKey>;
  /** How many arguments the command takes besides its options. */
  args: readonly number[];
}

const LOOKUP: PlainWords = {
  flags: new Map([['--json', 'json']]),
  values: new Map([...VALUE_OPTIONS, ['--name', 'name'], ['--dob', 'dob']]),
  args: [0, 1],
};

const BATCH: PlainWords = {
  flags: new Map([['--json', 'json'], ['--yes', 'yes'], ['-y', 'yes'], ['--dry-run', 'dryRun'], ['--force', 'force']]),
  values: new Map([...VALUE_OPTIONS, ['--out', 'out'], ['--type-column', 'typeColumn'], ['--notes-dir', 'notesDir'], ['--desk', 'desk']]),
  args: [1],
};

/**
 * `cx lookup <address>`, `cx lookup --name "<first last>" [--dob <date>]` and `cx batch <file | ->`, with
 * their own options and the global ones they honour, each once and written as two words: the runs agents
 * and scripts make most, answered without commander and the command tree, which cost more than a lookup
 * itself (issues 14 and 22). Anything else (--help, --id, --db=x, an option twice, a value starting with
 * "-", an option the command does not take) is undefined and goes through commander, the reference that
 * test/cli/lookup-plain.test.ts and test/cli/batch-plain.test.ts hold this path equal to.
 */
export function plainRun(args: readonly string[]): PlainRun | undefined {
  const command = commandWord(args);
  if (command === 'lookup') {
    const s = scan(args, LOOKUP);
    if (!s) return undefined;
    const { name, dob } = s.values;
    // An address, or --name: anything else (both, neither) is commander's to refuse.
    if ((s.args.length === 1) === (name !== undefined)) return undefined;
    return {
      command,
      address: s.args[0],
      options: { ...(name !== undefined ? { name } : {}), ...(dob !== undefined ? { dob } : {}) },
      flags: flagsOf(s),
    };
  }
  if (command === 'batch') {
    const s = scan(args, BATCH);
    if (!s) return undefined;
    const { out, typeColumn, notesDir, desk } = s.values;
    const options: PlainBatch['options'] = {
      ...(out !== undefined ? { out } : {}),
      ...(s.flags.force ? { force: true as const } : {}),
      ...(typeColumn !== undefined ? { typeColumn } : {}),
      ...(notesDir !== undefined ? { notesDir } : {}),
      ...(desk !== undefined ? { desk } : {}),
    };
    return { command, source: s.args[0]!, options, flags: flagsOf(s) };
  }
  return undefined;
}

/** The plain path's `cx lookup <address>` alone (the form issue 14 made plain). */
export function plainLookup(args: readonly string[]): { address: string; flags: PlainFlags } | undefined {
  const run = plainRun(args);
  if (run?.command !== 'lookup' || run.address === undefined || run.options.name !== undefined) return undefined;
  return { address: run.address, flags: run.flags };
}

/** The first word that is neither an option nor a global option's value. */
function commandWord(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (VALUE_OPTIONS.has(args[i]!)) i++;
    else if (!args[i]!.startsWith('-')) return args[i];
  }
  return undefined;
}

interface Scanned {
  args: string[];
  flags: Partial<Record<FlagKey, true>>;
  values: Partial<Record<ValueKey, string>>;
}

/** The command's words and options, or undefined when any word is one the plain path leaves to commander. */
function scan(args: readonly string[], words: PlainWords): Scanned | undefined {
  const flags: Scanned['flags'] = {};
  const values: Scanned['values'] = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const flag = words.flags.get(arg);
    const valued = words.values.get(arg);
    // Before the command word, only the program's own options: commander refuses the command's there.
    if (rest.length === 0 && (flag || valued) && !GLOBAL_FLAGS.has(arg) && !VALUE_OPTIONS.has(arg)) return undefined;
    if (flag) {
      if (flags[flag]) return undefined;
      flags[flag] = true;
    } else if (valued) {
      const value = args[++i];
      if (value === undefined || value === '' || value.startsWith('-') || values[valued] !== undefined) return undefined;
      values[valued] = value;
    } else if (arg.startsWith('-') && arg !== '-') {
      return undefined; // `-` alone is an argument (stdin), as commander reads it
    } else {
      rest.push(arg);
    }
  }
  const [, ...commandArgs] = rest; // the command word itself comes first
  return words.args.includes(commandArgs.length) ? { args: commandArgs, flags, values } : undefined;
}

/** The global options among those given, as resolveContext takes them. */
function flagsOf(s: Scanned): PlainFlags {
  const flags: PlainFlags = {};
  if (s.flags.json) flags.json = true;
  if (s.flags.yes) flags.yes = true;
  if (s.flags.dryRun) flags.dryRun = true;
  for (const key of ['db', 'agent', 'ticket', 'policy'] as const) {
    const value = s.values[key];
    if (value !== undefined) flags[key] = value;
  }
  return flags;
}
