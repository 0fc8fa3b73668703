// Reading one export file as a stream: UTF-8 checked as it arrives, CSV parsed by csv-parse's stream
// API with the line each record starts on. Nothing but the current chunk is held in memory.
import { createReadStream, statSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TextDecoder } from 'node:util';
import { CsvError, parse, type Info } from 'csv-parse';
import { missingColumns, type FileSpec, type Raw } from '../rules/mirror-rows.js';

/** A problem with the file as a whole (or from one line on), not with one row's values. */
export class ExportFileProblem extends Error {
  constructor(
    message: string,
    readonly line = 0,
  ) {
    super(message);
  }
}

export type ExportFile = { kind: 'absent' } | { kind: 'file'; bytes: number };

/** What is at the export's path: nothing (the file is skipped), a regular file, or a problem. */
export function examineExport(path: string): ExportFile {
  let stat;
  try {
    stat = statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw unreadable(err);
  }
  if (stat.isDirectory()) throw new ExportFileProblem('is a folder, not a CSV file');
  if (!stat.isFile()) throw new ExportFileProblem('is not a regular file (a device, a pipe or a socket), so it is not read');
  return { kind: 'file', bytes: stat.size };
}

function unreadable(err: unknown): ExportFileProblem {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return new ExportFileProblem('cannot be read: permission denied');
  if (code === 'EISDIR') return new ExportFileProblem('is a folder, not a CSV file');
  return new ExportFileProblem(`cannot be read (${code ?? 'unknown error'})`);
}

export interface ExportReader {
  /** Called for each record, with the line it starts on; may be called before a header check fails. */
  row(line: number, row: Raw): void;
  /** Bytes read so far from the file, for progress. */
  bytes?(read: number): void;
}

/** Stream the file's records into `reader`; a problem with the file throws ExportFileProblem. */
export async function readExport(path: string, spec: FileSpec, reader: ExportReader): Promise<void> {
  let header: string[] | undefined;
  const parser = parse({
    bom: true,
    columns: (names: string[]) => {
      header = names;
      const missing = missingColumns(spec, names);
      // Thrown inside the parser, this ends the stream with the problem below.
      if (missing.length) throw new ExportFileProblem(`missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (the first line must be the header)`, 1);
      return names;
    },
    skip_empty_lines: true,
    info: true,
    trim: false,
  });
  const lines = new LineCounter();
  const consume = new Writable({
    objectMode: true,
    highWaterMark: 256,
    writev(chunks, done) {
      try {
        for (const { chunk } of chunks as Array<{ chunk: { record: Raw; info: Info } }>) {
          reader.row(lines.startOf(chunk.record, chunk.info.lines), chunk.record);
        }
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
  let read = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  async function* utf8(source: AsyncIterable<Buffer>): AsyncGenerator<string> {
    for await (const chunk of source) {
      read += chunk.length;
      reader.bytes?.(read);
      yield decode(decoder, chunk, true);
    }
    const rest = decode(decoder, undefined, false);
    if (rest) yield rest;
  }
  try {
    await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), utf8, parser, consume);
  } catch (err) {
    throw asFileProblem(err, lines);
  }
  if (header === undefined) {
    // An empty file: no header at all.
    const missing = missingColumns(spec, []);
    throw new ExportFileProblem(`missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (the file is empty)`, 1);
  }
}

function decode(decoder: TextDecoder, chunk: Buffer | undefined, more: boolean): string {
  try {
    return decoder.decode(chunk, { stream: more });
  } catch {
    throw new ExportFileProblem('not UTF-8 text (save the export as UTF-8)');
  }
}

/**
 * The line each record starts on, as an editor numbers lines. csv-parse's info.lines is the line where
 * the record ends, counting a CR LF inside a quoted field as two lines (a CR LF between records as one):
 * every such pair so far is taken off again, and the record's own line breaks lead back to its start.
 */
class LineCounter {
  private crlfSoFar = 0;

  startOf(record: Raw, endLine: number): number {
    let breaks = 0;
    let crlf = 0;
    for (const key in record) {
      const v = record[key];
      if (!v || (v.indexOf('\n') < 0 && v.indexOf('\r') < 0)) continue;
      breaks += (v.match(/\r\n|\r|\n/g) ?? []).length;
      crlf += (v.match(/\r\n/g) ?? []).length;
    }
    this.crlfSoFar += crlf;
    return endLine - this.crlfSoFar - breaks;
  }

  /** A line csv-parse names in an error, as an editor numbers it (near enough inside a broken record). */
  physical(line: number): number {
    return Math.max(1, line - this.crlfSoFar);
  }
}

/** csv-parse's own messages can quote a field's value: the problem is said in cx's words instead. */
const CSV_PROBLEMS: Record<string, string> = {
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'a row has a different number of fields than the header',
  CSV_RECORD_INCONSISTENT_COLUMNS: 'a row has a different number of fields than the header',
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  INVALID_OPENING_QUOTE: 'a quote inside a field that does not start with one',
  CSV_INVALID_OPENING_QUOTE: 'a quote inside a field that does not start with one',
  CSV_INVALID_CLOSING_QUOTE: 'characters after the closing quote of a field',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'characters after the closing quote of a field',
  CSV_MAX_RECORD_SIZE: 'a row is too large',
};

function asFileProblem(err: unknown, lines: LineCounter): Error {
  if (err instanceof ExportFileProblem) return err;
  // csv-parse wraps an error thrown by the columns function; its cause is ours.
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof ExportFileProblem) return cause;
  if (err instanceof CsvError) {
    const where = (err as CsvError & { lines?: number }).lines;
    return new ExportFileProblem(`not valid CSV: ${CSV_PROBLEMS[err.code] ?? err.code}`, where ? lines.physical(where) : 0);
  }
  if ((err as { syscall?: string }).syscall) return unreadable(err);
  return err as Error;
}
