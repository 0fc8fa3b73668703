// Writing all of a buffer to a descriptor, with the errors said the way an agent reads them.
import { writeSync } from 'node:fs';
import { describeErrno, errnoCode, FULL_CODES, OutputWriteError } from './errors.js';

/**
 * Writes every byte of `data`, telling `wrote` of each part the descriptor took as it goes: a write that
 * fails half-way (a full disk, a pipe whose reader went away) has still handed over what it took.
 */
export function writeAll(fd: number, data: string | Uint8Array, path: string, wrote: (bytes: number) => void): void {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  for (let off = 0; off < buf.length; ) {
    try {
      const n = writeSync(fd, buf, off, buf.length - off);
      off += n;
      wrote(n);
    } catch (err) {
      // An inherited pipe may be in non-blocking mode: a full pipe is a wait, not a failure.
      if (errnoCode(err) !== 'EAGAIN') throw writeError(path, err);
      Atomics.wait(PAUSE, 0, 0, 2);
    }
  }
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

export function writeError(path: string, err: unknown): OutputWriteError {
  const code = errnoCode(err);
  const hint = FULL_CODES.has(code) ? 'free some space (or choose a folder on another disk), then run the same command again' : undefined;
  return new OutputWriteError(path, code, `cannot write ${path}: ${describeErrno(err)}`, hint);
}
