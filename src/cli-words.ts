// What the entry point needs before commander is loaded: the version (`cx --version` answers without
// building the command tree) and which global options take a value. src/program.ts re-exports both.
export const VERSION = '0.1.0';

/** The global options a plain lookup may carry, as `resolveContext` names them. */
export interface PlainLookupFlags {
  json?: true;
  db?: string;
  agent?: string;
  ticket?: string;
  policy?: string;
}

/** Global options that take a value, and the name each has among the flags. */
const VALUE_OPTIONS: ReadonlyMap<string, Exclude<keyof PlainLookupFlags, 'json'>> = new Map([
  ['--db', 'db'],
  ['--agent', 'agent'],
  ['--ticket', 'ticket'],
  ['--policy', 'policy'],
]);

/** Global options that take a value: `cx --db x help lookup` has its command word after them. */
export const GLOBAL_VALUE_OPTIONS: ReadonlySet<string> = new Set(VALUE_OPTIONS.keys());

/**
 * `cx lookup <address>` with at most --json and the global options that take a value, each once and
 * written as two words: the command agents and scripts run most, answered without commander and the
 * command tree, which cost more than the lookup itself (issue 14). Anything else (--help, --id, --db=x, an
 * option twice, a value starting with "-") is undefined and goes through commander, the reference that
 * test/cli/lookup-plain.test.ts holds this path equal to.
 */
export function plainLookup(args: readonly string[]): { address: string; flags: PlainLookupFlags } | undefined {
  const flags: PlainLookupFlags = {};
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const name = VALUE_OPTIONS.get(arg);
    if (arg === '--json') {
      if (flags.json) return undefined;
      flags.json = true;
    } else if (name) {
      const value = args[++i];
      if (value === undefined || value === '' || value.startsWith('-') || flags[name] !== undefined) return undefined;
      flags[name] = value;
    } else if (arg.startsWith('-')) {
      return undefined;
    } else {
      words.push(arg);
    }
  }
  return words.length === 2 && words[0] === 'lookup' ? { address: words[1]!, flags } : undefined;
}
