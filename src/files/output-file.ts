// Every file cx writes goes through here (issue 10, section 1): batch results, the caseload CSV, notes zips.
// openOutput() checks the path (target.ts) and, before the caller changes anything, creates the temporary
// file that proves the folder takes it: beside the target, `.cx-tmp-<16 hex>`, O_CREAT|O_EXCL|O_NOFOLLOW,
// mode 0600 (and fchmod: whatever the umask). The caller writes, seal()s (fsync, close) and publish()es:
// rename() over the target with --force, else link(), which fails rather than replace a file that appeared
// meanwhile; then the folder is fsynced. A device or a pipe is opened and written to directly instead.
// discard() (any failure) removes the temporary file; a signal does too (cancellation.ts), and one left by
// kill -9 is removed by a later run once a day old (stale-temps.ts).
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, fchmodSync, fstatSync, fsyncSync, linkSync, lstatSync, openSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { trackTemp, untrackTemp } from './cancellation.js';
import { openDirect } from './direct-output.js';
import { describeErrno, errnoCode, OutputExistsError, OutputPathError, OutputWriteError } from './errors.js';
import { removeStaleTemps, TEMP_PREFIX } from './stale-temps.js';
import { inspectTarget, type DirectKind, type Target, type TargetOptions } from './target.js';
import { writeAll, writeError } from './write.js';

export type { Protected, TargetOptions } from './target.js';

export interface OutputFile {
  /** The path as the agent named it (absolute). */
  readonly path: string;
  /** Where the bytes go until the file is handed over: the temporary file beside the target, or the target itself. */
  readonly writingTo: string;
  /** A device, a pipe, or the file behind /dev/stdout: bytes go out as they are written, nothing is renamed. */
  readonly direct: DirectKind | null;
  /** Every byte the target took, a write that failed part-way included. */
  readonly bytesWritten: number;
  write(data: string | Uint8Array): void;
  /** Every byte is written: fsync and close. */
  seal(): void;
  /** Under its name: rename (--force) or link. Nothing to do for a direct target. */
  publish(): void;
  readonly published: boolean;
  /** Take a published file back (its completing audit row could not be written). Not for a direct target. */
  unpublish(): void;
  /** Not handed over: close and remove the temporary file (safe to call at any time, and twice). */
  discard(): void;
}

/** Everything that can be known about the path, without creating anything (dry runs). */
export function checkOutput(raw: string, opts: TargetOptions): Target {
  const target = inspectTarget(raw, opts);
  if (target.kind !== 'direct' && !opts.folderWillBeMade) {
    try {
      // access() is what a dry run can ask (creating an entry needs W and X); the real run proves it by
      // creating its temporary file.
      accessSync(target.dir, constants.W_OK | constants.X_OK);
    } catch (err) {
      throw new OutputPathError(target.path, `cannot write ${opts.label} ${target.path}: cannot create a file in ${target.dir} (${describeErrno(err)})`);
    }
  }
  return target;
}

/** Check the path and open what will be written: a fresh temporary file beside it, or the device itself. */
export function openOutput(raw: string, opts: TargetOptions): OutputFile {
  const target = inspectTarget(raw, opts);
  if (target.kind === 'direct') return openDirect(target, opts.label);
  removeStaleTemps(target.dir);
  return new TempOutput(target, opts.label);
}

const TEMP_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

class TempOutput implements OutputFile {
  readonly direct = null;
  bytesWritten = 0;
  published = false;
  private fd: number | null;
  private readonly temp: string;
  private readonly final: string;

  constructor(private readonly target: Extract<Target, { dir: string }>, private readonly label: string) {
    this.final = join(target.dir, target.name);
    let made: { temp: string; fd: number } | undefined;
    for (let attempt = 0; !made; attempt++) {
      const temp = join(target.dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
      try {
        made = { temp, fd: openSync(temp, TEMP_FLAGS, 0o600) };
      } catch (err) {
        if (errnoCode(err) === 'EEXIST' && attempt < 8) continue; // someone else's name: draw another
        throw new OutputPathError(target.path, `cannot write ${label} ${target.path}: cannot create a file in ${target.dir} (${describeErrno(err)})`, 'check that the folder exists and is writable');
      }
    }
    this.temp = made.temp;
    this.fd = made.fd;
    trackTemp(this.temp);
    try {
      fchmodSync(made.fd, 0o600);
    } catch (err) {
      this.discard();
      throw new OutputPathError(target.path, `cannot write ${label} ${target.path}: ${describeErrno(err)}`);
    }
  }

  get path(): string {
    return this.target.path;
  }

  get writingTo(): string {
    return this.temp;
  }

  write(data: string | Uint8Array): void {
    writeAll(this.openFd(), data, this.target.path, (n) => (this.bytesWritten += n));
  }

  seal(): void {
    const fd = this.openFd();
    try {
      fsyncSync(fd);
      const size = fstatSync(fd).size;
      if (size !== this.bytesWritten) throw new Error(`the file holds ${size} bytes, ${this.bytesWritten} were written`);
    } catch (err) {
      throw writeError(this.target.path, err);
    } finally {
      this.close();
    }
  }

  publish(): void {
    if (this.fd !== null) this.seal();
    try {
      if (this.target.force) renameSync(this.temp, this.final);
      else linkInPlace(this.temp, this.final);
    } catch (err) {
      if (errnoCode(err) === 'EEXIST') throw new OutputExistsError(this.target.path, this.label, true);
      throw new OutputWriteError(this.target.path, errnoCode(err), `cannot put ${this.target.path} in place: ${describeErrno(err)}`);
    }
    this.published = true;
    untrackTemp(this.temp);
    fsyncFolder(this.target.dir);
  }

  unpublish(): void {
    if (!this.published) return;
    unlinkSync(this.final);
    this.published = false;
    fsyncFolder(this.target.dir);
  }

  discard(): void {
    this.close();
    if (this.published) return;
    try {
      unlinkSync(this.temp);
    } catch {
      // removed already (a signal, or link() succeeded and the name was dropped)
    }
    untrackTemp(this.temp);
  }

  private openFd(): number {
    if (this.fd === null) throw new Error(`${this.target.path}: written after it was sealed (a bug in cx)`);
    return this.fd;
  }

  private close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try {
      closeSync(fd);
    } catch {
      // nothing left to release
    }
  }
}

/** link() never replaces: a file that appeared at the target meanwhile stays. Then the temporary name goes. */
function linkInPlace(temp: string, final: string): void {
  try {
    linkSync(temp, final);
  } catch (err) {
    const code = errnoCode(err);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
    // No hard links on this file system (FAT, some network shares): look again, then rename.
    if (exists(final)) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
    renameSync(temp, final);
    return;
  }
  unlinkSync(temp);
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Makes the rename durable; some file systems cannot fsync a folder, which is harmless. */
function fsyncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
