// What the entry point needs before commander is loaded: the version (`cx --version` answers without
// building the command tree) and which global options take a value. src/program.ts re-exports both.
export const VERSION = '0.1.0';

/** Global options that take a value: `cx --db x help lookup` has its command word after them. */
export const GLOBAL_VALUE_OPTIONS: ReadonlySet<string> = new Set(['--db', '--agent', '--ticket', '--policy']);
