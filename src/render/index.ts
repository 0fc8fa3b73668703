// The one renderer: commands build blocks of lines and tables from their results and hand them here (they
// import this index); nothing else writes to stdout or stderr. What goes where and how it looks is decided
// in the modules beside it: messages.ts (streams, outcomes, errors), tables.ts (terminal columns, piped
// TSV), text.ts (escaping, colour, wrapping), times.ts (times for people), pager.ts.
import { displayWidth, type Line, type Span } from './text.js';
import type { Cell } from './tables.js';

export { hintLines, isProblem, loadColours, note, printData, printError, printJson, printOutcome, warn } from './messages.js';
export type { Block, DataOptions, Out, Said } from './messages.js';
export { table, type Column, type Table } from './tables.js';
export { BLANK, command, span, type Line, type Span, type Style } from './text.js';
export { clockTime, dayForPeople, timeForPeople, type Clock } from './times.js';
export { plural } from '../rules/plural.js';

/** "label  value" lines, labels aligned, empty values left out; a value may be styled pieces. */
export function fields(pairs: Array<[string, Cell | Span[]]>, indent = 2): Line[] {
  const shown = pairs.filter(([, v]) => v !== null && v !== undefined && v !== '');
  const width = Math.max(0, ...shown.map(([k]) => displayWidth(k)));
  return shown.map(([k, v]) => {
    const label = `${' '.repeat(indent)}${k}${' '.repeat(width - displayWidth(k))}  `;
    return Array.isArray(v) ? [{ text: label }, ...v] : `${label}${typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v)}`;
  });
}
export { adviceLines, commandContext, guidanceContext } from './advice.js';
