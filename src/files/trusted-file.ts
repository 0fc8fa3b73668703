// Reading a file only its owner controls, as ssh reads a private key: a regular file (not a symlink, which
// someone else may point elsewhere), owned by the user running cx, and with no permission for others at the
// level the file needs:
//   'secret'   — nobody else may read it or write it (a key file, the platform secret file): mode 0600 or less;
//   'settings' — nobody else may write it (a config file): others may read it, never change what it says.
// A file that fails is refused with what is wrong and the commands that fix it (chmod/chown), each on its
// own line. The file is opened once, without following a symlink, and checked through that descriptor, so
// what is checked is what is read.
import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { userInfo } from 'node:os';
import { UsageError } from '../errors.js';
import { shellWord } from '../rules/shell.js';
import { describeErrno, errnoCode } from './errors.js';

export type TrustLevel = 'secret' | 'settings';

/** The permission bits each level forbids to group and others. */
const FORBIDDEN: Record<TrustLevel, number> = { secret: 0o077, settings: 0o022 };
/** The mode the fix sets. */
const FIX_MODE: Record<TrustLevel, string> = { secret: '600', settings: '644' };

/** A file that is missing is said apart: the caller may look elsewhere, or make it. */
export class MissingFileError extends UsageError {
  constructor(readonly path: string, label: string) {
    super(`${label} ${path} does not exist`);
  }
}

/** What is wrong with a file's trust, as a sentence; null when it may be read at this level. */
export function trustProblem(st: Stats, level: TrustLevel, uid = currentUid()): string | null {
  if (st.isSymbolicLink()) return 'it is a symbolic link (someone may point it at another file)';
  if (!st.isFile()) return 'it is not a regular file';
  if (uid !== undefined && st.uid !== uid) return `it is owned by user ${st.uid}, not by you (${uid})`;
  const mode = st.mode & 0o777;
  if (mode & FORBIDDEN[level]) {
    const who = level === 'secret' ? 'others can read or write it' : 'others can write it';
    return `its permissions ${mode.toString(8).padStart(4, '0')} are too open: ${who}`;
  }
  return null;
}

/**
 * The text of a file that passes the checks for `level`; a UsageError (exit 2) naming it (`label`, e.g.
 * "the key file CX_DB_KEY_FILE names") otherwise. A missing file is a MissingFileError.
 */
export function readTrustedFile(path: string, level: TrustLevel, label: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') throw new MissingFileError(path, label);
    // O_NOFOLLOW on a symlink: ELOOP (Linux, macOS: EMLINK on some BSDs).
    if (code === 'ELOOP' || code === 'EMLINK') throw untrusted(path, label, 'it is a symbolic link (someone may point it at another file)', level, { symlink: true });
    throw new UsageError(`cannot read ${label} ${path}: ${describeErrno(err)}`);
  }
  try {
    const st = fstatSync(fd);
    const problem = trustProblem(st, level);
    if (problem) throw untrusted(path, label, problem, level, { otherOwner: st.uid !== currentUid() });
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

function untrusted(path: string, label: string, problem: string, level: TrustLevel, how: { symlink?: boolean; otherOwner?: boolean }): UsageError {
  const file = shellWord(path);
  const commands = how.symlink
    ? [`ls -l ${file}`]
    : [...(how.otherOwner ? [`chown ${shellWord(currentUser())} ${file}`] : []), `chmod ${FIX_MODE[level]} ${file}`];
  const alone = level === 'secret' ? 'readable by you alone' : 'writable by you alone';
  const text = how.symlink
    ? `Name the file itself, not a link to it (a file you own, ${alone}); see where this one points:`
    : how.otherOwner
      ? `Make it yours and ${alone} (as root, or ask its owner), or use a copy you own:`
      : `Make it ${alone}:`;
  return new UsageError(`${label} ${path} is refused: ${problem}`, { text, commands });
}

function currentUid(): number | undefined {
  return process.getuid?.();
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(currentUid() ?? '$(id -un)');
  }
}
