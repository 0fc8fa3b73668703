// Reading one export file as a stream: UTF-8 checked as it arrives, CSV parsed by csv-parse's stream
// API. Nothing but the current chunk and a few records is held in memory, and no record grows past what
// its columns may hold (rules/mirror-rows.ts maxRecordBytes): a longer one stops the reading there. The
// import reads each file once, fast, knowing rows by their record number (csv-parse's per-record line info
// would double the parsing time); only when it is refused does it read a file again to find the lines of
// the problems it shows.
import { createReadStream, statSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TextDecoder } from 'node:util';
import { CsvError, parse, type Info } from 'csv-parse';
import { maxRecordBytes, missingColumns, type FileSpec, type Raw } from '../rules/mirror-rows.js';
import type { Located } from './import-problems.js';

/** A problem with the file as a whole (or from some point on), not with one row's values. */
export class ExportFileProblem extends Error {
  constructor(
    message: string,
    /** The line, when known (a missing header is line 1). */
    readonly line = 0,
    /** The file stops being valid CSV after this many records: its line is found on a second reading. */
    readonly brokenAfter?: number,
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
  /** Each record after the header, numbered from 1. */
  row(record: number, row: Raw): void;
  /** Bytes read so far from the file, for progress. */
  bytes?(read: number): void;
}

/** Stream the file's records into `reader`; a problem with the file throws ExportFileProblem. */
export async function readExport(path: string, spec: FileSpec, reader: ExportReader): Promise<void> {
  let records = 0;
  await streamRecords(path, spec, false, (header, fields) => reader.row(++records, asRow(header, fields)), reader.bytes, () => records);
}

/** Read the file again with line numbers: where each of `records` starts, and where the CSV breaks. */
export async function locateRecords(path: string, spec: FileSpec, wanted: readonly number[]): Promise<Located> {
  const lines = new Map<number, number>();
  const wantedSet = new Set(wanted);
  const counter = new LineCounter();
  let records = 0;
  try {
    await streamRecords(path, spec, true, (_header, fields, info) => {
      const start = counter.startOf(fields, info!);
      if (wantedSet.has(++records)) lines.set(records, start);
    }, undefined, () => records, counter);
  } catch (err) {
    if (err instanceof ExportFileProblem && err.brokenAfter !== undefined) return { lines, brokenAt: err.line };
    if (!(err instanceof ExportFileProblem)) throw err;
  }
  return { lines };
}

type OnRecord = (header: string[], fields: string[], info?: Info) => void;

async function streamRecords(
  path: string,
  spec: FileSpec,
  withLines: boolean,
  onRecord: OnRecord,
  onBytes: ((read: number) => void) | undefined,
  recordsSoFar: () => number,
  counter?: LineCounter,
): Promise<void> {
  let header: string[] | undefined;
  const maxBytes = maxRecordBytes(spec);
  const parser = parse({ bom: true, skip_empty_lines: true, info: withLines, trim: false, max_record_size: maxBytes });
  const consume = new Writable({
    objectMode: true,
    highWaterMark: Math.max(1, Math.min(256, Math.floor(QUEUED_BYTES / maxBytes))),
    writev(chunks, done) {
      try {
        for (const { chunk } of chunks) {
          const fields = (withLines ? (chunk as { record: string[] }).record : chunk) as string[];
          const info = withLines ? (chunk as { info: Info }).info : undefined;
          if (header === undefined) {
            if (info) counter?.startOf(fields, info);
            header = fields;
            const missing = missingColumns(spec, header);
            if (missing.length) throw new ExportFileProblem(`missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (the first line must be the header)`, 1);
            continue;
          }
          onRecord(header, fields, info);
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
      onBytes?.(read);
      yield decode(decoder, chunk, true);
    }
    const rest = decode(decoder, undefined, false);
    if (rest) yield rest;
  }
  try {
    await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), utf8, parser, consume);
  } catch (err) {
    throw asFileProblem(err, recordsSoFar(), maxBytes, counter);
  }
  if (header === undefined) {
    const missing = missingColumns(spec, []);
    throw new ExportFileProblem(`missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (the file is empty)`, 1);
  }
}

/** The record as columns by header name (a later column of the same name wins, as csv-parse's own). */
function asRow(header: string[], fields: string[]): Raw {
  const row: Raw = {};
  for (let i = 0; i < header.length; i++) row[header[i]!] = fields[i];
  return row;
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
  /** Where the last record (or the header) ended, and the empty lines skipped before it. */
  private lastEnd = 0;
  private emptySoFar = 0;

  startOf(fields: string[], info: Pick<Info, 'lines' | 'empty_lines'>): number {
    let breaks = 0;
    let crlf = 0;
    for (const v of fields) {
      if (!v || (v.indexOf('\n') < 0 && v.indexOf('\r') < 0)) continue;
      breaks += (v.match(/\r\n|\r|\n/g) ?? []).length;
      crlf += (v.match(/\r\n/g) ?? []).length;
    }
    this.crlfSoFar += crlf;
    this.lastEnd = info.lines - this.crlfSoFar;
    this.emptySoFar = info.empty_lines;
    return this.lastEnd - breaks;
  }

  /** A line csv-parse names in an error, as an editor numbers it (near enough inside a broken record). */
  physical(line: number): number {
    return Math.max(1, line - this.crlfSoFar);
  }

  /** Where a record that was never finished starts: after the last one and the empty lines skipped since. */
  nextStart(emptyLinesSoFar: number): number {
    return this.lastEnd + 1 + (emptyLinesSoFar - this.emptySoFar);
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
};

/** At most this much of records read and waiting to be staged (a few of the largest a file may hold). */
const QUEUED_BYTES = 64 * 1024 * 1024;

function asFileProblem(err: unknown, recordsSoFar: number, maxBytes: number, counter: LineCounter | undefined): Error {
  if (err instanceof ExportFileProblem) return err;
  if (err instanceof CsvError && err.code === 'CSV_MAX_RECORD_SIZE') {
    const empty = (err as CsvError & { empty_lines?: number }).empty_lines ?? 0;
    const line = counter ? counter.nextStart(empty) : 0;
    return new ExportFileProblem(`a row over ${size(maxBytes)}, more than its columns may hold: the rest of the file was not read`, line, recordsSoFar);
  }
  if (err instanceof CsvError) {
    const at = (err as CsvError & { lines?: number }).lines;
    const line = counter && at ? counter.physical(at) : 0;
    return new ExportFileProblem(`not valid CSV: ${CSV_PROBLEMS[err.code] ?? err.code}`, line, recordsSoFar);
  }
  if ((err as { syscall?: string }).syscall) return unreadable(err);
  return err as Error;
}

const size = (bytes: number): string => (bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.round(bytes / 1_000)} KB`);
