// Reading one export file as a stream: UTF-8 checked as it arrives, CSV parsed by csv-parse's stream
// API with the line each record starts on. Nothing but the current chunk is held in memory.
import { createReadStream, statSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TextDecoder } from 'node:util';
import { parse, type Info } from 'csv-parse';
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
  const consume = new Writable({
    objectMode: true,
    highWaterMark: 256,
    writev(chunks, done) {
      try {
        for (const { chunk } of chunks as Array<{ chunk: { record: Raw; info: Info } }>) {
          // info.lines is the line where the record ends; a record with quoted newlines starts earlier.
          reader.row(chunk.info.lines - countNewlines(chunk.record), chunk.record);
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
    throw asFileProblem(err);
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

function countNewlines(record: Raw): number {
  let n = 0;
  for (const v of Object.values(record)) n += (v?.match(/\r\n|\r|\n/g) ?? []).length;
  return n;
}

/** csv-parse's own messages can quote a field's value: the problem is said in cx's words instead. */
const CSV_PROBLEMS: Record<string, string> = {
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'a row has a different number of fields than the header',
  CSV_RECORD_INCONSISTENT_COLUMNS: 'a row has a different number of fields than the header',
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_INVALID_OPENING_QUOTE: 'a quote inside a field that does not start with one',
  CSV_INVALID_CLOSING_QUOTE: 'characters after the closing quote of a field',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'characters after the closing quote of a field',
  CSV_MAX_RECORD_SIZE: 'a row is too large',
};

function asFileProblem(err: unknown): Error {
  if (err instanceof ExportFileProblem) return err;
  // csv-parse wraps an error thrown by the columns function; its cause is ours.
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof ExportFileProblem) return cause;
  const e = err as { code?: string; lines?: number; syscall?: string };
  if (e.syscall) return unreadable(err);
  if (e.code?.startsWith('CSV_')) {
    return new ExportFileProblem(`not valid CSV: ${CSV_PROBLEMS[e.code] ?? e.code}`, e.lines ?? 0);
  }
  return err as Error;
}
