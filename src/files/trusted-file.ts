// Reading a file only its owner controls, as ssh reads a private key: the one rule for every file cx takes
// settings or secrets from (the config file, the platform secret file, a mirror's key file). Nobody else
// may have written what cx reads, so:
//   - the file is a regular file, owned by the user running cx (a settings file may also be root's, who can
//     change anything anyway), with no permission for others at the level the file needs:
//       'secret'   — nobody else may read it or write it (a key file, the platform secret file): 0600 or less;
//       'settings' — nobody else may write it (a config file): others may read it, never change it;
//   - the folder it is in is the user's (or root's) and nobody else may write it (unless it is sticky, as
//     /tmp: then only the file's owner may replace it), else another file could be put in its place;
//   - a symlink: a secret must be the file itself (as the contract says of key files); a settings file may be
//     a link (a dotfiles repository), followed when each link is the user's (or root's) in such a folder,
//     and the file it ends at passes.
// A file that fails is refused with what is wrong and the commands that fix it (chmod/chown), each on its
// own line. The file is opened without following a symlink and checked through that descriptor, so what is
// checked is what is read. Owners and modes are read with stat, never access(): root passes every access
// check, and cx must refuse the same files whoever runs it.
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { UsageError, type Hint } from '../errors.js';
import { shellWord } from '../rules/shell.js';
import { describeErrno, errnoCode } from './errors.js';

export type TrustLevel = 'secret' | 'settings';

interface LevelRule {
  /** The permission bits group and others must not have on the file. */
  forbidden: number;
  /** Who else may do what, for the message. */
  others: string;
  /** The chmod that fixes the file's mode. */
  chmod: string;
  /** What the fix makes of the file. */
  alone: string;
  /** A symlink is followed (each link checked), else refused. */
  followsLinks: boolean;
  /** A file root owns passes (root can change any file anyway). */
  rootMayOwn: boolean;
}

const RULES: Record<TrustLevel, LevelRule> = {
  secret: { forbidden: 0o077, others: 'others can read or write it', chmod: '600', alone: 'readable by you alone', followsLinks: false, rootMayOwn: false },
  settings: { forbidden: 0o022, others: 'others can write it', chmod: 'go-w', alone: 'writable by you alone', followsLinks: true, rootMayOwn: true },
};

/** Links followed before a chain is taken for a loop. */
const MAX_LINKS = 8;
const ROOT = 0;
const STICKY = 0o1000;

/** A file that is missing is said apart: the caller may look elsewhere, or make it. */
export class MissingFileError extends UsageError {
  constructor(readonly path: string, label: string) {
    super(`${label} ${path} does not exist`);
  }
}

/** Why a file is not trusted: the sentence after "is refused: ", and the fix. */
interface Distrust {
  why: string;
  fix: Hint;
}

/**
 * The text of a file that passes the checks for `level`; a UsageError (exit 2) naming it (`label`, e.g.
 * "the key file CX_DB_KEY_FILE names") otherwise. A missing file is a MissingFileError.
 */
export function readTrustedFile(path: string, level: TrustLevel, label: string): string {
  const refuse = (d: Distrust) => new UsageError(`${label} ${path} is refused: ${d.why}`, d.fix);
  const rule = RULES[level];
  const file = followLinks(path, rule, label, refuse);
  const itself = file === resolve(path);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') throw new MissingFileError(path, label);
    // O_NOFOLLOW on a symlink (put there since it was looked at): ELOOP (Linux, macOS; EMLINK on some BSDs).
    if (code === 'ELOOP' || code === 'EMLINK') throw refuse(symlinkRefused(file, rule));
    throw new UsageError(`cannot read ${label} ${path}: ${describeErrno(err)}`);
  }
  try {
    const distrust = fileDistrust(fstatSync(fd), file, itself ? null : `it links to ${file}`, rule) ?? folderDistrust(file, itself ? null : `it links to ${file}`);
    if (distrust) throw refuse(distrust);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** The file a path ends at: itself, or (for settings) where its links lead, each link checked on the way. */
function followLinks(path: string, rule: LevelRule, label: string, refuse: (d: Distrust) => UsageError): string {
  let current = resolve(path);
  for (let links = 0; ; links += 1) {
    let st: Stats;
    try {
      st = lstatSync(current);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') throw new MissingFileError(path, label);
      throw new UsageError(`cannot read ${label} ${path}: ${describeErrno(err)}`);
    }
    if (!st.isSymbolicLink()) return current;
    if (!rule.followsLinks) throw refuse(symlinkRefused(current, rule));
    const via = current === resolve(path) ? null : `it links to ${current}`;
    const distrust = linkDistrust(st, current, via) ?? folderDistrust(current, via);
    if (distrust) throw refuse(distrust);
    if (links === MAX_LINKS) {
      throw refuse({ why: 'it is a chain of symbolic links that does not end in a file', fix: { text: 'Name the file itself; see where the link points:', commands: [`ls -l ${shellWord(path)}`] } });
    }
    current = resolve(dirname(current), readlinkSync(current));
  }
}

function symlinkRefused(link: string, rule: LevelRule): Distrust {
  return {
    why: 'it is a symbolic link (someone may point it at another file)',
    fix: { text: `Name the file itself, not a link to it (a file you own, ${rule.alone}); see where this one points:`, commands: [`ls -l ${shellWord(link)}`] },
  };
}

/**
 * How a message names the file a check is about: the path given ("it …", "its …"), or where a link led
 * (`via`: "it links to X, which …", "it links to X, whose …").
 */
const which = (via: string | null) => (via === null ? 'it' : `${via}, which`);
const whose = (via: string | null) => (via === null ? 'its' : `${via}, whose`);

/** The file itself. */
function fileDistrust(st: Stats, file: string, via: string | null, rule: LevelRule): Distrust | null {
  const uid = currentUid();
  const path = shellWord(file);
  if (!st.isFile()) return { why: `${which(via)} is not a regular file`, fix: 'name a regular file' };
  const owned = uid === undefined || st.uid === uid || (rule.rootMayOwn && st.uid === ROOT);
  if (!owned) {
    return {
      why: `${which(via)} is owned by user ${st.uid}, not by you (${uid})`,
      fix: { text: `Make it yours and ${rule.alone} (as root, or ask its owner), or use a copy you own:`, commands: [`chown ${shellWord(currentUser())} ${path}`, `chmod ${rule.chmod} ${path}`] },
    };
  }
  const mode = st.mode & 0o777;
  if (mode & rule.forbidden) {
    return { why: `${whose(via)} permissions ${octal(mode)} are too open: ${rule.others}`, fix: { text: `Make it ${rule.alone}:`, commands: [`chmod ${rule.chmod} ${path}`] } };
  }
  return null;
}

/** A link on the way (settings): the user's or root's, else its owner can point it anywhere. */
function linkDistrust(st: Stats, link: string, via: string | null): Distrust | null {
  const uid = currentUid();
  if (uid === undefined || st.uid === uid || st.uid === ROOT) return null;
  return {
    why: `${via === null ? 'it is' : `${via},`} a symbolic link owned by user ${st.uid}, who can point it at another file`,
    fix: { text: 'Replace the link with one of your own, or name the file itself; see where it points:', commands: [`ls -l ${shellWord(link)}`] },
  };
}

/** The folder `file` is in: nobody but the user (or root) may put another file in its place. */
function folderDistrust(file: string, via: string | null): Distrust | null {
  const uid = currentUid();
  if (uid === undefined) return null; // no POSIX owners (Windows): the file's own checks are what there is
  const folder = dirname(file);
  let st: Stats;
  try {
    st = statSync(folder);
  } catch {
    return null; // the file was found in it: a folder cx cannot examine is not one it can blame
  }
  const its = `${whose(via)} folder`;
  if (st.uid !== uid && st.uid !== ROOT) {
    return {
      why: `${its} ${folder} is owned by user ${st.uid}, who could put another file in its place`,
      fix: { text: 'Move the file to a folder of yours, or make this one yours (as root):', commands: [`chown ${shellWord(currentUser())} ${shellWord(folder)}`] },
    };
  }
  const mode = st.mode & 0o7777;
  if (mode & 0o022 && !(mode & STICKY)) {
    return {
      why: `${its} ${folder} is writable by others (permissions ${octal(mode & 0o777)}): they could put another file in its place`,
      fix: { text: 'Make the folder writable by you alone:', commands: [`chmod go-w ${shellWord(folder)}`] },
    };
  }
  return null;
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
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
