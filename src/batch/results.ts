// The batch results file (docs/reference.md#batch-results): one row per input row, in input order,
// written through toCsv so that no cell can start a spreadsheet formula. The contract's columns come first,
// in their order (scripts read them by position); `tell` and `suggestions` follow (issue 21, part 5).
import type { Outcome } from '../errors.js';
import { toCsv } from '../rules/csv-safe.js';
import type { TicketResult } from './dispatch.js';
import type { TicketRow } from './input.js';

export const RESULT_COLUMNS = ['ticket_id', 'type', 'email', 'outcome', 'account_id', 'detail', 'processed_at', 'tell', 'suggestions'] as const;

/** A results row (docs/reference.md#batch-results); processed_at is empty for a row that was not recorded. */
export interface ResultRow {
  ticket_id: string;
  type: string;
  email: string;
  outcome: Outcome;
  account_id: string | null;
  detail: string;
  processed_at: string;
  /** What to tell the person, as the single command's "Tell the person" says it; empty when there is nothing to say yet. */
  tell: string;
  /** A row that found no account: the addresses to check with the person, separated by spaces. */
  suggestions: string;
  /**
   * Not a column: the accounts the row's result names besides account_id (the clients of a notes export's
   * plan), whose read is audited with the row's when no recorded ticket covers it.
   */
  also_shows?: readonly string[];
}

/** The results row of a ticket row and its action's result. */
export function resultRow(row: TicketRow, r: Pick<TicketResult, 'outcome' | 'detail' | 'account_id' | 'reply'>, processedAt: string): ResultRow {
  return {
    ticket_id: row.ticketId,
    type: row.type ?? row.rawType,
    email: row.email,
    outcome: r.outcome,
    account_id: r.account_id,
    detail: r.detail,
    processed_at: processedAt,
    tell: r.reply?.tell ?? '',
    suggestions: r.reply?.suggestions.join(' ') ?? '',
    also_shows: alsoShownBy(r),
  };
}

/** The clients a notes export's result (NotesZip.client_ids) names; undefined for any other result. */
function alsoShownBy(r: object): readonly string[] | undefined {
  const ids = 'client_ids' in r ? r.client_ids : undefined;
  return Array.isArray(ids) && ids.length > 0 ? ids.filter((id): id is string => typeof id === 'string') : undefined;
}

/** The whole results file: header, then the rows. */
export function resultsCsv(rows: readonly ResultRow[]): string {
  return toCsv(RESULT_COLUMNS, rows);
}

/**
 * Streams results as they are produced, so memory stays flat however long the batch.
 * The caller owns the output and passes a sink (e.g. `(s) => fs.writeSync(fd, s)` or
 * `(s) => process.stdout.write(s)`); the header goes out with the first row, or on `end()`
 * when there were no rows, so the output is always a complete CSV file.
 */
export class ResultsWriter {
  private headerWritten = false;
  private count = 0;

  constructor(private readonly sink: (chunk: string) => void) {}

  write(row: ResultRow): void {
    this.sink(toCsv(RESULT_COLUMNS, [row], { includeHeader: !this.headerWritten }));
    this.headerWritten = true;
    this.count++;
  }

  /** Writes the header if no row was written; returns how many rows were written. */
  end(): number {
    if (!this.headerWritten) this.sink(toCsv(RESULT_COLUMNS, []));
    this.headerWritten = true;
    return this.count;
  }

  get rowsWritten(): number {
    return this.count;
  }
}
