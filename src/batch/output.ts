// Where the results CSV goes. --out: through src/files/output-file.ts, so the file appears complete under
// its name or not at all (a temporary file beside it, renamed at the end), is never written through a
// planted symlink, and the path is checked before anything is applied. Otherwise stdout, chunk by chunk
// (memory stays flat; the reader applies back-pressure).
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { openOutput, type OutputFile, type TargetOptions } from '../files/output-file.js';
import { toCsv } from '../rules/csv-safe.js';
import { RESULT_COLUMNS, type ResultRow } from './results.js';

export interface ResultsOutput {
  write(rows: readonly ResultRow[]): Promise<void>;
  /** Complete the file (the header alone when there were no rows). */
  finish(): Promise<void>;
  /** Drop what was written (a temporary file is removed). */
  abort(): void;
}

/** Rows as CSV text; the header goes with the first call. */
function csvChunks(): (rows: readonly ResultRow[]) => string {
  let first = true;
  return (rows) => {
    const text = toCsv(RESULT_COLUMNS, rows, { includeHeader: first });
    first = false;
    return text;
  };
}

export function streamOutput(stream: Writable): ResultsOutput {
  const chunk = csvChunks();
  const send = async (text: string) => {
    if (text && !stream.write(text)) await once(stream, 'drain');
  };
  return {
    write: (rows) => send(chunk(rows)),
    finish: () => send(chunk([])),
    abort: () => {},
  };
}

/** Rows kept until the end, then shown at once (a terminal: the progress bar is gone by then). */
export function screenOutput(show: (rows: readonly ResultRow[]) => Promise<void>): ResultsOutput {
  const rows: ResultRow[] = [];
  return {
    write: async (more) => {
      rows.push(...more);
    },
    finish: () => show(rows),
    abort: () => {},
  };
}

/** Checks the path and opens its temporary file now, so that a bad --out fails before anything is applied. */
export function fileOutput(path: string, opts: Omit<TargetOptions, 'label'>): ResultsOutput {
  const file: OutputFile = openOutput(path, { ...opts, label: '--out' });
  const chunk = csvChunks();
  return {
    write: async (rows) => file.write(chunk(rows)),
    finish: async () => {
      file.write(chunk([]));
      file.publish();
    },
    abort: () => file.discard(),
  };
}
