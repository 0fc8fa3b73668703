// Ctrl-C (or Esc) while the desk waits for another cx's write lock goes back to the menu. The wait is
// SQLite's busy handler, in slices (src/store/db.ts): it blocks the event loop, so the SIGINT the terminal
// would send could not be handled before the wait ended, and would end the desk instead. So while it waits,
// the terminal is in raw mode (Ctrl-C is a key, not a signal), and between the slices the keys typed are
// read from the terminal without blocking; other keys typed during the wait are dropped.
import { closeSync, constants, openSync, readSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { ReadStream } from 'node:tty';
import type { LockWaitStop } from '../store/db.js';

const CTRL_C = 0x03;
const ESC = 0x1b;

/** The stop for the desk's waits, when stdin is a terminal that can be read this way; else none. */
export function keysStopLockWait(stdin: Readable): LockWaitStop | undefined {
  const terminal = stdin as Readable & Partial<Pick<ReadStream, 'isTTY' | 'isRaw' | 'setRawMode'>>;
  if (!terminal.isTTY || typeof terminal.setRawMode !== 'function') return undefined;
  let fd: number | undefined;
  let wasRaw = false;
  const keys = Buffer.alloc(64);
  return {
    begin() {
      try {
        fd = openSync('/dev/tty', constants.O_RDONLY | constants.O_NONBLOCK);
      } catch {
        fd = undefined; // no controlling terminal: the wait runs its course
        return;
      }
      wasRaw = terminal.isRaw ?? false;
      terminal.setRawMode!(true);
    },
    requested() {
      if (fd === undefined) return false;
      for (;;) {
        let n: number;
        try {
          n = readSync(fd, keys, 0, keys.length, null);
        } catch {
          return false; // EAGAIN: nothing typed since the last slice
        }
        if (n === 0) return false;
        const typed = keys.subarray(0, n);
        if (typed.includes(CTRL_C) || (n === 1 && typed[0] === ESC)) return true;
      }
    },
    end() {
      if (fd === undefined) return;
      terminal.setRawMode!(wasRaw);
      closeSync(fd);
      fd = undefined;
    },
  };
}
