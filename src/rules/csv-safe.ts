// Every CSV cx writes goes through here, so that no cell can start a spreadsheet formula
// (docs/reference.md#batch-results) and any CSV reader gets the same values back.

export type CsvCell = string | number | boolean | null | undefined;

// = + - @ start formulas; TAB, CR and LF are the OWASP extras; the full-width ＝ ＋ － ＠ are
// read as formulas by Apple Numbers (csv-stringify found that by testing). csv-stringify's own
// `escape_formulas` misses a leading LF, so cx does not use it.
const FORMULA_START = /^[=+\-@\t\r\n\uFF1D\uFF0B\uFF0D\uFF20]/;

/** A cell that a spreadsheet would read as a formula gets a leading single quote. */
export function neutraliseFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** null/undefined are empty; booleans are spelled out (csv-stringify would write '1' and ''). */
function cellText(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return String(value);
}

export interface ToCsvOptions {
  /** Write the header row first (default true). False suits appending rows to a file already started. */
  includeHeader?: boolean;
}

/**
 * CSV text with LF line ends, fields quoted only when needed, every cell (header too) neutralised.
 * Columns come from `header`, in that order; keys of a row that are not in `header` are ignored.
 */
export function toCsv<const K extends string>(
  header: readonly K[],
  rows: ReadonlyArray<{ readonly [P in NoInfer<K>]?: CsvCell }>,
  options: ToCsvOptions = {},
): string {
  // Built as one string, cell by cell: a batch writes every results row through here.
  let text = options.includeHeader !== false ? csvLine(header, (h) => h) : '';
  for (const row of rows) text += csvLine(header, (key) => cellText(row[key]));
  return text;
}

function csvLine<K extends string>(header: readonly K[], cell: (key: K) => string): string {
  let line = '';
  for (let i = 0; i < header.length; i++) line += (i === 0 ? '' : ',') + csvField(neutraliseFormula(cell(header[i]!)));
  return `${line}\n`;
}

/**
 * A field as csv-stringify writes it with LF records and quote_record_delimiter (test/rules/csv-safe.test.ts
 * holds the two equal): quoted when it holds a comma, a quote, a CR or a LF, its quotes doubled. Written
 * here because a batch writes one per cell: csv-stringify's general path cost ~4% of a 100,000-ticket batch.
 */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
