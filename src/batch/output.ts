// Where the results CSV goes. --out: a temporary file beside the target, renamed over it at the end, so
// a crash or an error never leaves a half results file under the name the agent asked for (the next run
// removes a temporary file whose process is gone). Otherwise
// stdout, chunk by chunk (memory stays flat; the reader applies back-pressure).
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { UsageError } from '../errors.js';
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

/** Open the temporary file now, so that a bad --out fails before anything is applied. */
export function fileOutput(path: string): ResultsOutput {
  const target = resolve(path);
  let isDir = false;
  try {
    isDir = statSync(target).isDirectory();
  } catch {
    // absent: fine, it is created at the end
  }
  if (isDir) throw new UsageError(`--out is a folder, not a file: ${path}`);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  removeStaleTemps(target);
  let fd: number;
  try {
    fd = openSync(temp, 'w', 0o600);
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why = code === 'ENOENT' ? 'its folder does not exist' : code === 'EACCES' ? 'permission denied' : String(err);
    throw new UsageError(`cannot write the results file ${path}: ${why}`);
  }
  const chunk = csvChunks();
  let open = true;
  const close = () => {
    if (open) closeSync(fd);
    open = false;
  };
  return {
    write: async (rows) => {
      writeSync(fd, chunk(rows));
    },
    finish: async () => {
      writeSync(fd, chunk([]));
      fsyncSync(fd);
      close();
      renameSync(temp, target);
    },
    abort: () => {
      close();
      try {
        unlinkSync(temp);
      } catch {
        // already gone
      }
    },
  };
}

/** Temporary files that a killed run left beside the target (their process is gone). */
function removeStaleTemps(target: string): void {
  const prefix = `.${basename(target)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return; // the folder is missing: opening the temporary file says so
  }
  for (const name of names) {
    const pid = name.startsWith(prefix) && name.endsWith('.tmp') ? Number(name.slice(prefix.length, -4)) : NaN;
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || isAlive(pid)) continue;
    try {
      unlinkSync(join(dirname(target), name));
    } catch {
      // another run removed it first
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM'; // alive, someone else's
  }
}
