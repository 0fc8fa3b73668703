// Tables the way gh prints them (pkg/tableprinter). In a terminal: borderless columns two spaces apart, fitted to
// the width by the column's kind (layout(), below): what the agent came for is never cut. Piped: tab-separated
// text with a header row and nothing cut, every cell written with tsvCell
// (docs/reference.md#how-every-command-behaves: `\t`, `\r`, `\n`, `\\`, and visible controls), so that `cut -f`
// and `awk -F'\t'` see one row per line and one field per column.
import { tsvCell, visible } from '../rules/visible-text.js';
import { displayWidth, truncate, wrapCell, type Painter, type Style } from './text.js';

export type Cell = string | number | boolean | null | undefined;

/**
 * What a column holds, which decides how it gives way when the table is wider than the terminal, in this
 * order: a `time` shows its short form ("2m ago"); an `id` keeps its start ("7c2f9e14…", as git's short
 * hashes); `text` (a detail, a rule) wraps in its column, or goes under its row when the row leaves it too
 * little; `info` (the default) is cut; then `time`, `id` and `info` columns are left out, lowest `priority`
 * first, and a line under the table names them. A `key` column (an address, a name, an action, an outcome:
 * what the agent came for) is never cut nor left out: as the very last resort it wraps, every character kept.
 */
export type ColumnKind = 'key' | 'id' | 'time' | 'text' | 'info';

export interface Column<Row> {
  header: string;
  /** The cell as people read it in a terminal. */
  value: (row: Row) => Cell;
  /** The cell in a pipe when it differs (an ISO time where the terminal shows "today 14:05, 3m ago"). */
  piped?: (row: Row) => Cell;
  /** A time's short form ("3m ago"), shown when the full one does not fit. */
  short?: (row: Row) => Cell;
  kind?: ColumnKind;
  /** Higher is kept longer when columns must be left out (default 0; of equals, the rightmost goes first). */
  priority?: number;
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
/** An id cut to its start keeps this many columns, `…` included. */
const ID_WIDTH = 9;
/** A cut `info` column keeps at least this many columns (or its header's width, if more). */
const INFO_MIN = 8;
/** Free text stays in its row only with at least this much room (narrower, a sentence runs many lines). */
const TEXT_MIN = 40;
/** Free text under its row starts here. */
const UNDER_INDENT = 4;

/** What layout() needs to know of a column: its kind, priority and the widths of its header and cells. */
export interface ColumnFit {
  kind: ColumnKind;
  priority: number;
  header: number;
  /** The widest cell (or the header, if wider). */
  natural: number;
  /** The widest short form, for a time that has one. */
  short?: number;
  /** No row has anything in it. */
  empty?: boolean;
}

/** Where a column goes: in the row at a width (its short form or not), under the row, or left out. */
export interface Placed {
  place: 'row' | 'under' | 'gone';
  width: number;
  short: boolean;
}

/**
 * The columns fitted to `room` terminal columns, giving way in the order ColumnKind describes (a column with
 * nothing in it goes before anything else). Each step is taken only while the row is still too wide; free
 * text in the row counts with the least room it needs.
 */
export function layout(cols: readonly ColumnFit[], room: number): Placed[] {
  const out: Placed[] = cols.map((c) => ({ place: 'row', width: c.natural, short: false }));
  const inRow = (i: number) => out[i]!.place === 'row';
  const needs = (i: number) => (cols[i]!.kind === 'text' ? Math.min(out[i]!.width, TEXT_MIN) : out[i]!.width);
  const rowWidth = () => {
    const shown = out.flatMap((_, i) => (inRow(i) ? [needs(i)] : []));
    return shown.reduce((a, b) => a + b, 0) + GAP * Math.max(0, shown.length - 1);
  };
  const fits = () => rowWidth() <= room;
  const each = (kinds: readonly ColumnKind[], f: (c: ColumnFit, p: Placed) => void) =>
    cols.forEach((c, i) => kinds.includes(c.kind) && inRow(i) && f(c, out[i]!));

  if (!fits()) cols.forEach((c, i) => c.empty && (out[i]!.place = 'gone'));
  if (!fits()) each(['time'], (c, p) => c.short !== undefined && Object.assign(p, { short: true, width: c.short }));
  if (!fits()) each(['id'], (c, p) => (p.width = Math.min(c.natural, Math.max(ID_WIDTH, c.header))));
  if (!fits()) each(['text'], (_, p) => (p.place = 'under'));
  // Info cut, the lowest priority first, each priority to a common width (the widest first, as gh does);
  // then columns left out until the row fits.
  const before = out.map((p) => p.width);
  const infoMin = (i: number) => Math.min(before[i]!, Math.max(INFO_MIN, cols[i]!.header));
  const isInfo = (i: number) => inRow(i) && cols[i]!.kind === 'info';
  const cutInfo = () => {
    out.forEach((p, i) => isInfo(i) && (p.width = before[i]!));
    const priorities = [...new Set(cols.flatMap((c, i) => (isInfo(i) ? [c.priority] : [])))].sort((a, b) => a - b);
    for (const priority of priorities) {
      if (fits()) return;
      squeeze(out, before, room, (i) => isInfo(i) && cols[i]!.priority === priority, infoMin, rowWidth);
    }
  };
  if (!fits()) cutInfo();
  const droppable = cols
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.kind !== 'key' && c.kind !== 'text')
    .sort((a, b) => a.c.priority - b.c.priority || b.i - a.i);
  for (const { i } of droppable) {
    if (fits()) break;
    out[i]!.place = 'gone';
    cutInfo();
  }
  // The last resort: identifiers wrap (and anything left is squeezed) to a common width.
  if (!fits()) squeeze(out, out.map((p) => p.width), room, inRow, () => 1, rowWidth);
  giveRoomLeft(cols, out, room);
  return out;
}

/**
 * Brings the chosen columns down to the largest common width at which the row fits, none below its minimum
 * (all at their minimum when even that does not fit).
 */
function squeeze(out: Placed[], from: readonly number[], room: number, chosen: (i: number) => boolean, minimum: (i: number) => number, rowWidth: () => number): void {
  const apply = (level: number) => out.forEach((p, i) => chosen(i) && (p.width = Math.max(Math.min(minimum(i), from[i]!), Math.min(from[i]!, level))));
  let lo = 0;
  let hi = Math.max(0, ...from);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    apply(mid);
    if (rowWidth() <= room) lo = mid;
    else hi = mid - 1;
  }
  apply(lo);
}

/**
 * The room the row leaves goes back: a short time becomes its full form again where the room allows, then
 * free text in the row gets what it can use, then the cut columns, the highest priority first.
 */
function giveRoomLeft(cols: readonly ColumnFit[], out: Placed[], room: number): void {
  const shown = out.flatMap((p, i) => (p.place === 'row' ? [i] : []));
  const texts = shown.filter((i) => cols[i]!.kind === 'text');
  const others = shown.filter((i) => cols[i]!.kind !== 'text');
  const gaps = GAP * Math.max(0, shown.length - 1);
  const textNeeds = texts.reduce((a, i) => a + Math.min(TEXT_MIN, cols[i]!.natural), 0);
  const othersWidth = () => others.reduce((a, i) => a + out[i]!.width, 0);
  for (const i of others) {
    const p = out[i]!;
    if (p.short && othersWidth() - p.width + cols[i]!.natural + textNeeds + gaps <= room) Object.assign(p, { short: false, width: cols[i]!.natural });
  }
  let left = room - othersWidth() - gaps;
  texts.forEach((i, n) => {
    const share = Math.floor(left / (texts.length - n));
    out[i]!.width = Math.max(1, Math.min(cols[i]!.natural, share));
    left -= out[i]!.width;
  });
  for (;;) {
    const missing = (i: number) => (out[i]!.short ? cols[i]!.short! : cols[i]!.natural) - out[i]!.width;
    const best = others.filter((i) => missing(i) > 0).sort((a, b) => cols[b]!.priority - cols[a]!.priority || missing(b) - missing(a))[0];
    if (best === undefined || left <= 0) break;
    const more = Math.min(missing(best), left);
    out[best]!.width += more;
    left -= more;
  }
}

/** How a terminal table shows its cells: painted, and with the renderer's rewriting of text (local times). */
export interface TableTarget {
  paint: Painter;
  /** Text as people read it (an ISO time in a detail in the agent's zone); the pipe keeps the original. */
  forPeople?: (text: string) => string;
}

/** In a terminal: headers in capitals, columns fitted to `width` (layout()), no rules between rows. */
export function terminalLines<Row>(t: Table<Row>, width: number, target: TableTarget | Painter): string[] {
  const { paint, forPeople = (s: string) => s } = typeof target === 'function' ? { paint: target } : target;
  const cols = t.columns;
  const headers = cols.map((c) => c.header.toUpperCase());
  const cell = (v: Cell) => visible(forPeople(text(v)));
  const full = t.rows.map((row) => cols.map((c) => cell(c.value(row))));
  const short = t.rows.map((row) => cols.map((c) => (c.short ? cell(c.short(row)) : '')));
  const widest = (i: number, cells: string[][]) => Math.max(displayWidth(headers[i]!), ...cells.map((r) => displayWidth(r[i]!)));
  const placed = layout(
    cols.map((c, i) => ({
      kind: c.kind ?? 'info',
      priority: c.priority ?? 0,
      header: displayWidth(headers[i]!),
      natural: widest(i, full),
      ...(c.short ? { short: widest(i, short) } : {}),
      empty: full.every((r) => r[i] === ''),
    })),
    width,
  );
  const row = placed.flatMap((p, i) => (p.place === 'row' ? [i] : []));
  const under = placed.flatMap((p, i) => (p.place === 'under' ? [i] : []));
  // A column with nothing in it that made way is not worth a line.
  const gone = placed.flatMap((p, i) => (p.place === 'gone' && full.some((r) => r[i] !== '') ? [headers[i]!] : []));

  // One cell as lines: wrapped when it may not be cut (an identifier, free text), else cut to one line.
  const cellLines = (i: number, value: string): string[] => {
    const kind = cols[i]!.kind ?? 'info';
    const w = placed[i]!.width;
    return kind === 'key' || kind === 'text' ? wrapCell(value, w) : [truncate(value, w)];
  };
  const joined = (parts: Array<{ text: string; style?: Style; width: number }>): string =>
    parts
      .map((p, n) => paint(p.style, p.text) + (n === parts.length - 1 ? '' : ' '.repeat(p.width - displayWidth(p.text) + GAP)))
      .join('')
      .trimEnd();

  const lines = [joined(row.map((i) => ({ text: truncate(headers[i]!, placed[i]!.width), style: 'header' as Style, width: placed[i]!.width })))];
  for (const i of under) lines.push(`${' '.repeat(UNDER_INDENT)}${paint('header', headers[i]!)}`);
  t.rows.forEach((r, n) => {
    const cells = row.map((i) => cellLines(i, placed[i]!.short ? short[n]![i]! : full[n]![i]!));
    const height = Math.max(1, ...cells.map((c) => c.length));
    for (let l = 0; l < height; l++) {
      lines.push(joined(row.map((i, k) => ({ text: cells[k]![l] ?? '', style: cols[i]!.style?.(r), width: placed[i]!.width }))));
    }
    for (const i of under) {
      if (full[n]![i] === '') continue;
      const style = cols[i]!.style?.(r);
      for (const l of wrapCell(full[n]![i]!, Math.max(1, width - UNDER_INDENT))) lines.push(`${' '.repeat(UNDER_INDENT)}${paint(style, l)}`);
    }
  });
  if (gone.length) {
    const why = `Left out at ${width} columns: ${gone.join(', ')} (a wider window or --json shows them).`;
    for (const l of wrapCell(why, width)) lines.push(paint('dim', l));
  }
  return lines;
}
