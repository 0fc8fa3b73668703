// The command line an agent typed, written again with a change (a flag added, a value replaced), so that a
// fix cx prints is the whole command, ready to paste (issue 21, part 6): never "add --ticket <id> --yes".
import { shellWord } from './shell.js';

/** A value the agent must supply, written as it is: `<ticket>`, `<why>`. */
const PLACEHOLDER = /^<[a-z][a-z -]*>$/;

/** `cx` and the words, each quoted for the shell (placeholders as they are). */
export function commandLine(words: readonly string[]): string {
  return ['cx', ...words.map((w) => (PLACEHOLDER.test(w) ? w : shellWord(w)))].join(' ');
}

/** Whether the words hold one of these flags (alone, or as `--name=value`), before a `--`. */
export function hasFlag(words: readonly string[], ...names: string[]): boolean {
  for (const w of words) {
    if (w === '--') return false;
    if (names.some((n) => w === n || w.startsWith(`${n}=`))) return true;
  }
  return false;
}

/** The words with the option `name` set to `value`: its value replaced where it was given, else added at the end. */
export function withOption(words: readonly string[], name: string, value: string): string[] {
  const out = [...words];
  for (let i = 0; i < out.length; i++) {
    if (out[i] === '--') break;
    if (out[i] === name && i + 1 < out.length) {
      out[i + 1] = value;
      return out;
    }
    if (out[i]!.startsWith(`${name}=`)) {
      out.splice(i, 1, name, value);
      return out;
    }
  }
  return [...out, name, value];
}

/** The words with these flags added, each unless it is there already. */
export function withFlags(words: readonly string[], ...flags: string[]): string[] {
  return [...words, ...flags.filter((f) => !hasFlag(words, f))];
}
