// A ticket export read in two passes over its bytes, so memory does not grow with the number of rows.
// Pass 1 (readTicketFile) reads the whole file before anything is applied: a malformed CSV or a missing
// column throws BatchInputError here (exit 2, nothing applied); it counts the plan and notes where each
// slice of rows starts. Pass 2 (rows()) reads the file again slice by slice as the batch consumes it.
// Held: the bytes, a line number per record, the counts and the repeated rows' first lines (pass 1 holds
// every row's key to find them; pass 2 reads them from it); never all the rows.
import { readCsvRange, visitCsv } from './csv-read.js';
import { exportDesk, noHeader, rememberingRepeats, ticketMapper, type TicketMapper, type TicketRow, type TicketType } from './input.js';
import { addToPlan, checkRow, emptyPlan, type Plan } from './plan.js';

export interface TicketFile {
  /** Ticket rows (all-empty records are blank lines, not rows). */
  count: number;
  plan: Plan;
  /** The types of the rows an action will run for (the batch loads those actions alone: dispatch.ts). */
  types: ReadonlySet<TicketType>;
  /** The help desk the export comes from (Zendesk, Freshdesk), or null for the canonical CSV. */
  desk: 'zendesk' | 'freshdesk' | null;
  /** The rows in file order; each call reads the file again. Addresses are not checked here: each
   * action checks its own (see plan.ts checkRow for the plan shown in a terminal). */
  rows(): Iterable<TicketRow>;
}

/** Records per slice in pass 2: the most rows the batch holds at once. */
const SLICE = 2000;

interface Scan {
  header: { cells: string[]; line: number } | undefined;
  /** Byte offsets where slices of SLICE records begin, then the end of the file. */
  starts: number[];
  /** The line where each record after the header starts (a number a record: the file's only per-row state). */
  lines: number[];
  plan: Plan;
  types: Set<TicketType>;
  count: number;
  /** A repeated row's line -> the line of its first appearance (input.ts RepeatCheck). */
  repeats: Map<number, number>;
}

type Options = { typeColumn?: string; checkAddresses?: boolean };

/** Pass 1, in its own function so that its mapper (and its map of every ticket id) is garbage after it. */
function scan(input: Buffer, opts: Options): Scan {
  const out: Scan = { header: undefined, starts: [], lines: [], plan: emptyPlan(), types: new Set(), count: 0, repeats: new Map() };
  const remember = rememberingRepeats();
  const repeats = (line: number, key: () => string) => {
    const first = remember(line, key);
    if (first !== undefined) out.repeats.set(line, first);
    return first;
  };
  let toRow: TicketMapper | undefined;
  let records = 0;
  visitCsv(input, (cells, line, end) => {
    if (!toRow) {
      out.header = { cells, line };
      toRow = ticketMapper(cells, line, { typeColumn: opts.typeColumn, repeats }); // checks the columns
      out.starts.push(end);
      return;
    }
    out.lines.push(line);
    if (++records % SLICE === 0) out.starts.push(end);
    const row = toRow(line, cells);
    if (!row) return;
    out.count++;
    // Before checkRow: pass 2 hands the batch the rows unchecked, and each action checks its own address.
    if (row.problem === null && row.type !== null) out.types.add(row.type);
    addToPlan(out.plan, opts.checkAddresses ? checkRow(row) : row);
  });
  out.starts.push(input.length);
  return out;
}

export function readTicketFile(input: Buffer, opts: Options = {}): TicketFile {
  const { header, starts, lines, plan, types, count, repeats } = scan(input, opts);
  if (!header) throw noHeader();
  return {
    count,
    plan,
    types,
    desk: exportDesk(header.cells),
    *rows() {
      const toRow = ticketMapper(header.cells, header.line, { typeColumn: opts.typeColumn, repeats: (line) => repeats.get(line) });
      let index = 0;
      for (let k = 0; k + 1 < starts.length; k++) {
        for (const cells of readCsvRange(input, starts[k]!, starts[k + 1]!)) {
          const row = toRow(lines[index++]!, cells);
          if (row) yield row;
        }
      }
    },
  };
}
