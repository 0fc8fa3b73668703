// A device, a pipe or the descriptor cx was given as its standard output (src/files/target.ts): written to
// directly, never replaced, renamed or (for an inherited descriptor) closed.
import { closeSync, constants, fstatSync, fsyncSync, openSync } from 'node:fs';
import { describeErrno, errnoCode, OutputPathError } from './errors.js';
import type { OutputFile } from './output-file.js';
import type { Target } from './target.js';
import { writeAll, writeError } from './write.js';

export function openDirect(target: Extract<Target, { kind: 'direct' }>, label: string): OutputFile {
  // An inherited descriptor (/dev/stdout) belongs to the process: written to, never closed.
  const owned = !('fd' in target);
  const fd = 'fd' in target ? target.fd : openDirectFd(target, label);
  let open = true;
  let bytes = 0;
  const close = () => {
    if (open && owned) closeSync(fd);
    open = false;
  };
  return {
    path: target.path,
    writingTo: target.path,
    direct: target.what,
    get bytesWritten() {
      return bytes;
    },
    published: true,
    write(data) {
      writeAll(fd, data, target.path, (n) => (bytes += n));
    },
    seal() {
      try {
        fsyncSync(fd);
      } catch (err) {
        // A pipe or a terminal cannot be synced; a disk behind /dev/stdout can, and must be.
        if (!['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EROFS'].includes(errnoCode(err))) throw writeError(target.path, err);
      } finally {
        close();
      }
    },
    publish() {
      if (open) this.seal();
    },
    unpublish() {},
    discard: close,
  };
}

/**
 * A FIFO is opened without blocking first: no reader means no one would ever take the data (exit 2, rather
 * than hang). Then it is opened again in blocking mode, the one writeSync() can use; the reader is there. The device is checked
 * again on the open descriptor: the path may have been swapped since it was inspected.
 */
function openDirectFd(target: Extract<Target, { open: string }>, label: string): number {
  const cannot = (why: string) => new OutputPathError(target.path, `cannot write ${label} ${target.path}: ${why}`);
  const base = constants.O_WRONLY | constants.O_NOCTTY;
  let fd: number;
  let probe: number | undefined;
  try {
    // The probe stays open until the real descriptor is: closing it first would tell the reader "end of
    // file", and it might leave before cx opens again.
    if (target.what === 'pipe') probe = openSync(target.open, base | constants.O_NONBLOCK);
    fd = openSync(target.open, base);
  } catch (err) {
    throw cannot(describeErrno(err));
  } finally {
    if (probe !== undefined) closeSync(probe);
  }
  const st = fstatSync(fd);
  const me = process.getuid?.();
  const same = target.what === 'pipe' ? st.isFIFO() : st.isCharacterDevice();
  if (!same || (st.uid !== 0 && st.uid !== me)) {
    closeSync(fd);
    throw cannot('it changed while cx was opening it');
  }
  return fd;
}

