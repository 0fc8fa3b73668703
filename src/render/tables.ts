// Tables the way gh prints them (pkg/tableprinter). In a terminal: borderless columns two spaces apart,
// fitted to the width by cutting the widest cells with `…`. Piped: tab-separated text with a header row and
// nothing cut, every cell written with tsvCell (CONTRACTS.md: `\t`, `\r`, `\n`, `\\`, and visible controls),
// so that `cut -f` and `awk -F'\t'` see one row per line and one field per column.
import { tsvCell, visible } from '../rules/visible-text.js';
import { displayWidth, truncate, type Painter, type Style } from './text.js';

export type Cell = string | number | boolean | null | undefined;

export interface Column<Row> {
  header: string;
  /** The cell as people read it in a terminal. */
  value: (row: Row) => Cell;
  /** The cell in a pipe when it differs (an ISO time where the terminal shows "today 14:05, 3 min ago"). */
  piped?: (row: Row) => Cell;
  /** Never cut this column (ids, dates) unless nothing else is left to cut. */
  keep?: boolean;
  /** Free text (a detail, a rule): keeps a share of a narrow line when other columns are cut. */
  grow?: boolean;
  /** A colour for the cell, chosen from the row (an outcome, a due date). */
  style?: (row: Row) => Style | undefined;
}

export interface Table<Row = any> {
  kind: 'table';
  columns: Array<Column<Row>>;
  rows: readonly Row[];
}

export function table<Row>(columns: Array<Column<Row>>, rows: readonly Row[]): Table<Row> {
  return { kind: 'table', columns, rows };
}

export function isTable(x: unknown): x is Table {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'table';
}

function text(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

/** Piped: the header row, then one tab-separated line per row. */
export function tsvLines<Row>(t: Table<Row>): string[] {
  const lines = [t.columns.map((c) => tsvCell(c.header)).join('\t')];
  for (const row of t.rows) lines.push(t.columns.map((c) => tsvCell(text((c.piped ?? c.value)(row)))).join('\t'));
  return lines;
}

const GAP = 2;
/** A cut column keeps at least this many columns of text (or its header's width, if less). */
const MIN_WIDTH = 6;

/** In a terminal: headers in capitals, columns fitted to `width`, no rules between rows. */
export function terminalLines<Row>(t: Table<Row>, width: number, paint: Painter): string[] {
  const headers = t.columns.map((c) => c.header.toUpperCase());
  const cells = t.rows.map((row) => t.columns.map((c) => visible(text(c.value(row)))));
  const natural = headers.map((h, i) => Math.max(displayWidth(h), ...cells.map((r) => displayWidth(r[i]!))));
  const widths = fit(natural, t.columns.map((c) => !c.keep), width - GAP * (headers.length - 1), t.columns.map((c) => Boolean(c.grow)));
  const line = (parts: string[], styles: Array<Style | undefined>): string => {
    const last = parts.length - 1;
    return parts
      .map((p, i) => {
        const cut = truncate(p, widths[i]!);
        const pad = i === last ? '' : ' '.repeat(widths[i]! - displayWidth(cut) + GAP);
        return paint(styles[i], cut) + pad;
      })
      .join('')
      .trimEnd();
  };
  return [
    line(headers, headers.map(() => 'header')),
    ...t.rows.map((row, r) => line(cells[r]!, t.columns.map((c) => c.style?.(row)))),
  ];
}

/**
 * Column widths that add up to at most `room`. The widest cut columns are brought down to a common width
 * first (gh cuts the widest cells too), never below a small minimum; a free-text column (`grow`: a detail, a
 * rule) keeps a share of the line so it stays readable. If that is not enough, the share goes, then every
 * column is cut.
 */
export function fit(natural: number[], cuttable: boolean[], room: number, grow: boolean[] = natural.map(() => false)): number[] {
  const sum = (ws: number[]) => ws.reduce((a, b) => a + b, 0);
  if (sum(natural) <= room) return natural;
  // The free-text share: 40% of the line, or what the other columns leave at their minimum if less.
  const others = natural.reduce((a, w, i) => a + (grow[i] ? 0 : cuttable[i] ? Math.min(w, MIN_WIDTH) : w), 0);
  const share = Math.min(Math.floor(room * 0.4), room - others);
  // Last, the kept columns (ids, dates) are cut too, the widest first, with the others at their minimum.
  const atMinimum = natural.map((w, i) => (cuttable[i] ? Math.min(w, MIN_WIDTH) : w));
  const attempts: Array<{ widths: number[]; which: boolean[]; floor: (i: number) => number }> = [
    { widths: natural, which: cuttable, floor: (i) => Math.min(natural[i]!, grow[i] ? Math.max(MIN_WIDTH, share) : MIN_WIDTH) },
    { widths: natural, which: cuttable, floor: (i) => Math.min(natural[i]!, MIN_WIDTH) },
    { widths: atMinimum, which: cuttable.map((c) => !c), floor: (i) => Math.min(natural[i]!, MIN_WIDTH) },
  ];
  for (const { widths, which, floor } of attempts) {
    const capped = (level: number) => widths.map((w, i) => (which[i] ? Math.max(floor(i), Math.min(w, level)) : w));
    if (sum(capped(0)) > room) continue;
    let lo = 0;
    let hi = Math.max(...widths);
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (sum(capped(mid)) <= room) lo = mid;
      else hi = mid - 1;
    }
    return spread(capped(lo), natural, which, grow, room);
  }
  // Narrower than every column's minimum: an equal share each, at least one column.
  const each = Math.max(1, Math.floor(room / natural.length));
  return natural.map((w) => Math.min(w, each));
}

/** The room left over goes to the cut columns, a free-text one first, then the one missing the most. */
function spread(widths: number[], natural: number[], which: boolean[], grow: boolean[], room: number): number[] {
  const out = [...widths];
  let left = room - out.reduce((a, b) => a + b, 0);
  while (left > 0) {
    let best = -1;
    const need = (i: number) => natural[i]! - out[i]!;
    for (let i = 0; i < out.length; i++) {
      if (!which[i] || need(i) <= 0) continue;
      if (best < 0 || (grow[i] && !grow[best]) || (grow[i] === grow[best] && need(i) > need(best))) best = i;
    }
    if (best < 0) break;
    out[best] = out[best]! + 1;
    left--;
  }
  return out;
}
