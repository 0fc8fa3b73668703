// What can go wrong with a file cx writes, as typed errors that name the path (issue 10, section 1).
import { UsageError, type Hint } from '../errors.js';

/** The path cannot take the file (a folder, the mirror, a missing folder, a name too long...): exit 2. */
export class OutputPathError extends UsageError {
  constructor(readonly path: string, message: string, hint?: Hint) {
    super(message, hint);
  }
}

/**
 * Something is already at the path and --force was not given: it is left as it is. A usage error (exit 2):
 * the command as typed cannot run; --force or another path fixes it (no support policy is involved).
 */
export class OutputExistsError extends UsageError {
  constructor(readonly path: string, label: string, meanwhile = false) {
    super(
      `${path} ${meanwhile ? 'appeared while cx was writing, and' : 'already exists and'} was left as it is`,
      `add --force to replace it, or choose another ${label}`,
    );
  }
}

/** Writing or renaming failed part-way (a full disk, a file size limit, a pipe whose reader left): exit 2. */
export class OutputWriteError extends UsageError {
  constructor(readonly path: string, readonly code: string, message: string, hint?: Hint) {
    super(message, hint);
  }
}

export function errnoCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** Codes that mean "no room": the disk, a quota, or the file size limit. */
export const FULL_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/** A short reason an agent understands, with the code kept for whoever reads the logs. */
export function describeErrno(err: unknown): string {
  const code = errnoCode(err);
  const known: Record<string, string> = {
    ENOSPC: 'no space left on the disk',
    EDQUOT: 'the disk quota is used up',
    EFBIG: 'the file grew past the file size limit',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOENT: 'it does not exist',
    ENOTDIR: 'a part of the path is a file, not a folder',
    ENAMETOOLONG: 'the path or a name in it is too long',
    ELOOP: 'too many symbolic links in the path',
    EPIPE: 'the reader of the pipe went away',
    EIO: 'an input/output error',
    ENXIO: 'no process is reading the pipe',
  };
  const why = known[code];
  if (why) return `${why} (${code})`;
  return err instanceof Error ? err.message : String(err);
}
