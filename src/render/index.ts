// The one renderer: commands build blocks of lines and tables from their results and hand them here (they
// import this index); nothing else writes to stdout or stderr. What goes where and how it looks is decided
// in the modules beside it: messages.ts (streams, outcomes, errors), tables.ts (terminal columns, piped
// TSV), text.ts (escaping, colour, wrapping), times.ts (times for people), pager.ts.
import { displayWidth, type Line, type Span } from './text.js';
import type { Cell, Column } from './tables.js';
import { shortTimeForPeople, timeForPeople, type Clock } from './times.js';

export { hintLines, isProblem, loadColours, note, printData, printError, printJson, printOutcome, printOutcomePaged, warn } from './messages.js';
export type { Block, DataOptions, Out, Said } from './messages.js';
export { table, type Column, type ColumnKind, type Table } from './tables.js';
export { BLANK, command, span, type Line, type Span, type Style } from './text.js';
export { clockTime, dayForPeople, localTime, timeForPeople, type Clock } from './times.js';
export { plural, thousands } from '../rules/plural.js';

/**
 * A column of times: "today 14:05, 3m ago" in a terminal, "3m ago" when that does not fit; piped, the ISO
 * UTC time as stored (docs/reference.md#json-output).
 */
export function timeColumn<Row>(header: string, at: (row: Row) => string, clock: Clock, priority = 2): Column<Row> {
  return { header, kind: 'time', priority, value: (r) => timeForPeople(at(r), clock), short: (r) => shortTimeForPeople(at(r), clock), piped: at };
}

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
