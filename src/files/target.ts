// What a path given as --out is, checked before anything is applied (issue 10, section 1). Nothing here
// creates, opens or removes a file: output-file.ts does that once the path is known to be fit.
//   missing               -> a new file (temporary file beside it, then link(), which never clobbers)
//   a file or a symlink   -> replaced by rename() with --force (a symlink itself, never what it points to);
//                            without --force: OutputExistsError (exit 2), the file left as it is
//   a character device or a FIFO, also behind a symlink (/dev/null, /dev/stdout, a named pipe)
//                         -> written to directly, never replaced; only one owned by root or by this user
//   /dev/stdout, /dev/stderr (also as /dev/fd/1, /proc/self/fd/2...) -> the descriptor cx inherited is
//                            written to (the pipe, terminal or file the shell opened: its offset shared,
//                            never reopened). Any other descriptor is refused: from fd 3 on they are
//                            Node's own pipes and the mirror's file, which nothing must be written into
//   anything else in /proc, or a new or regular file in /dev -> refused: cx creates and replaces nothing there
//   a folder, the mirror or its -wal/-shm/-journal, a protected input, a block device or socket, a missing
//   folder, a path under a file, a name over 255 bytes -> OutputPathError (exit 2)
import { accessSync, constants, fstatSync, lstatSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { describeErrno, errnoCode, OutputExistsError, OutputPathError } from './errors.js';

/** A file --out may never name, e.g. the mirror; `what` says which in the message. */
export interface Protected {
  path: string;
  what: string;
}

export interface TargetOptions {
  /** How the path is named in messages, e.g. '--out'. */
  label: string;
  force: boolean;
  protect: readonly Protected[];
  /** The folder is not there yet and the caller makes it first (a batch's --notes-dir, in a dry run). */
  folderWillBeMade?: boolean;
}

export type Target =
  | { kind: 'new' | 'replace'; path: string; dir: string; name: string; force: boolean }
  | { kind: 'direct'; path: string; what: DirectKind; open: string }
  | { kind: 'direct'; path: string; what: DirectKind; fd: number };

export type DirectKind = 'device' | 'pipe' | 'file';

/** Linux NAME_MAX: the longest name one folder entry can have, in bytes. */
const NAME_MAX = 255;

export function inspectTarget(raw: string, opts: TargetOptions): Target {
  if (raw.trim() === '') throw new OutputPathError(raw, `${opts.label} is empty: name the file to write`);
  const path = resolve(raw);
  const cannot = (why: string, hint?: string) => new OutputPathError(path, `cannot write ${opts.label} ${path}: ${why}`, hint);
  if (raw.endsWith('/')) throw cannot('it names a folder; name the file to write');
  const name = basename(path);
  const bytes = Buffer.byteLength(name);
  if (bytes > NAME_MAX) throw cannot(`the file name is ${bytes} bytes long; a name holds at most ${NAME_MAX}`, 'choose a shorter name');

  const parent = dirname(path);
  let dir: string;
  try {
    dir = realpathSync(parent);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' && opts.folderWillBeMade) return folderToBeMade(path, opts, cannot);
    throw cannot(folderProblem(parent, err), 'check the folder: it must exist and be writable');
  }
  if (!statSync(dir).isDirectory()) throw cannot(`${parent} is a file, not a folder`);
  const real = join(dir, name);
  const fd = ownFd(real);
  if (fd === 1 || fd === 2) return inherited(path, fd, opts, cannot);
  if (fd !== null) throw cannot(`it is cx's own descriptor ${fd}; of those, only standard output (/dev/stdout) and standard error take data`);
  if (dir === '/proc' || dir.startsWith('/proc/')) throw cannot('cx writes nothing into /proc but its own standard output and error');
  const link = statOrNone(real, lstatSync, cannot);
  const followed = link?.isSymbolicLink() ? statOrNone(real, statSync, cannot) : link;

  refuseProtected(path, real, [link, followed], opts, cannot);
  if (followed?.isDirectory()) throw cannot('it is a folder; name the file to write');
  if (followed && (followed.isCharacterDevice() || followed.isFIFO())) {
    const what: DirectKind = followed.isFIFO() ? 'pipe' : 'device';
    refuseForeignOwner(followed, what, cannot);
    return { kind: 'direct', path, open: real, what };
  }
  if (specialFolder(dir)) throw cannot(`cx creates and replaces no file in ${dir}; write to a device or a pipe there, or choose another folder`);
  if (followed && !followed.isFile()) throw cannot(`it is ${kindOf(followed)}, not a file`);
  if (!link) return { kind: 'new', path, dir, name, force: opts.force };
  if (!opts.force) throw new OutputExistsError(path, opts.label);
  return { kind: 'replace', path, dir, name, force: true };
}

/** True when `raw` names cx's own standard output (/dev/stdout, /dev/fd/1, /proc/self/fd/1). */
export function namesStandardOutput(raw: string): boolean {
  if (raw.trim() === '') return false;
  const path = resolve(raw);
  try {
    return ownFd(join(realpathSync(dirname(path)), basename(path))) === 1;
  } catch {
    return false;
  }
}

/**
 * The descriptor a path names when it is one of this process's (/dev/stdout -> /proc/self/fd/1, /dev/fd/3
 * -> /proc/<pid>/fd/3), else null. Writing to the descriptor itself keeps the shell's offset (`>` and
 * `>>`) and never reopens or replaces what it points to.
 */
function ownFd(real: string): number | null {
  let path = real;
  for (let hops = 0; hops < 8; hops++) {
    const m = /^\/proc\/(self|\d+)\/fd\/(\d+)$/.exec(path);
    if (m) return m[1] === 'self' || Number(m[1]) === process.pid ? Number(m[2]) : null;
    let next: string;
    try {
      next = readlinkSync(path);
    } catch {
      return null; // not a symlink (or not there): not a descriptor
    }
    try {
      const to = resolve(dirname(path), next);
      path = join(realpathSync(dirname(to)), basename(to));
    } catch {
      return null;
    }
  }
  return null;
}

function inherited(path: string, fd: number, opts: TargetOptions, cannot: (why: string) => OutputPathError): Target {
  let st: Stats;
  try {
    st = fstatSync(fd);
  } catch (err) {
    throw cannot(describeErrno(err));
  }
  refuseProtected(path, path, [st], opts, cannot);
  if (st.isDirectory()) throw cannot('it is a folder; name the file to write');
  const what: DirectKind = st.isFIFO() || st.isSocket() ? 'pipe' : st.isCharacterDevice() ? 'device' : 'file';
  refuseForeignOwner(st, what, cannot);
  return { kind: 'direct', path, what, fd };
}

/** In a dry run, a folder the caller will make is fine when its nearest existing ancestor is a writable folder. */
function folderToBeMade(path: string, opts: TargetOptions, cannot: (why: string) => OutputPathError): Target {
  let up = dirname(dirname(path));
  for (;;) {
    try {
      const st = statSync(up);
      if (!st.isDirectory()) throw cannot(`${up} is a file, not a folder`);
      accessSync(up, constants.W_OK | constants.X_OK);
      break;
    } catch (err) {
      if (err instanceof OutputPathError) throw err;
      if (errnoCode(err) !== 'ENOENT' || dirname(up) === up) throw cannot(`cannot make the folder ${dirname(path)}: ${describeErrno(err)}`);
      up = dirname(up);
    }
  }
  refuseProtected(path, path, [], opts, cannot);
  return { kind: 'new', path, dir: dirname(path), name: basename(path), force: opts.force };
}

function folderProblem(parent: string, err: unknown): string {
  switch (errnoCode(err)) {
    case 'ENOENT':
      return `the folder ${parent} does not exist`;
    case 'ENOTDIR':
      return `a part of ${parent} is a file, not a folder`;
    default:
      return `cannot reach the folder ${parent}: ${describeErrno(err)}`;
  }
}

function statOrNone(path: string, stat: (p: string) => Stats, cannot: (why: string) => OutputPathError): Stats | undefined {
  try {
    return stat(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined; // nothing there, or a dangling symlink
    throw cannot(describeErrno(err));
  }
}

/**
 * The mirror, its WAL and the input are compared by the real path of their folder plus their name, and by
 * device and inode when they exist: `data/../data/mirror.db`, a symlink or a hard link to them are caught.
 */
function refuseProtected(path: string, real: string, stats: Array<Stats | undefined>, opts: TargetOptions, cannot: (why: string) => OutputPathError): void {
  const inodes = new Set(stats.filter((s): s is Stats => s !== undefined).map(inodeKey));
  for (const p of opts.protect) {
    const id = identity(p.path);
    if (id.names.has(path) || id.names.has(real) || [...id.inodes].some((i) => inodes.has(i))) {
      throw cannot(`it is ${p.what} (${p.path}); cx never writes over it`);
    }
  }
}

function identity(path: string): { names: Set<string>; inodes: Set<string> } {
  const abs = resolve(path);
  const names = new Set([abs]);
  const inodes = new Set<string>();
  try {
    names.add(join(realpathSync(dirname(abs)), basename(abs)));
  } catch {
    // its folder is gone: the literal path is all there is to compare
  }
  try {
    names.add(realpathSync(abs));
    inodes.add(inodeKey(statSync(abs)));
  } catch {
    // not there (yet): a -wal file, say
  }
  return { names, inodes };
}

const inodeKey = (s: Stats) => `${s.dev}:${s.ino}`;

/** A device or pipe planted by another user would receive the data: only root's or this user's. */
function refuseForeignOwner(st: Stats, what: DirectKind, cannot: (why: string) => OutputPathError): void {
  const me = process.getuid?.();
  if (st.uid === 0 || st.uid === me) return;
  throw cannot(`it is a ${what} owned by another user (uid ${st.uid}); cx sends data only to one of its own user's or root's`);
}

/** /dev (but /dev/shm, a plain tmpfs), /proc and /sys: files there are the kernel's, not the agent's. */
function specialFolder(dir: string): boolean {
  const under = (root: string) => dir === root || dir.startsWith(`${root}/`);
  return (under('/dev') && !under('/dev/shm')) || under('/proc') || under('/sys');
}

function kindOf(st: Stats): string {
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'a special file';
}
