// A file only its owner controls, as ssh reads a private key (src/files/trusted-file.ts): the two levels
// ('secret': nobody else may read or write it; 'settings': nobody else may write it), the folder it is in
// (nobody else may put another file in its place), a symlink (refused for a secret; for settings, followed
// when the link and what it names pass), each refusal with what is wrong and the lines that fix it. Tests
// run as root, whom modes do not stop: what is checked is the owner and mode cx reads with stat.
import { chmodSync, chownSync, lchownSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { MissingFileError, readTrustedFile, type TrustLevel } from '../../src/files/trusted-file.js';
import { tempDir } from '../helpers/cx.js';
import { NOBODY } from '../helpers/other-user.js';

function file(mode: number, text = 'k\n'): string {
  const path = join(tempDir(), 'key');
  writeFileSync(path, text, { mode });
  chmodSync(path, mode);
  return path;
}

function refusal(path: string, level: TrustLevel): UsageError {
  try {
    readTrustedFile(path, level, 'the key file');
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error(`${path} was read at level ${level}`);
}

describe('readTrustedFile', () => {
  it('reads a regular file of the user with no permission for others, at both levels', () => {
    const path = file(0o600, 'abc\n');
    expect(readTrustedFile(path, 'secret', 'the key file')).toBe('abc\n');
    expect(readTrustedFile(path, 'settings', 'the config file')).toBe('abc\n');
    expect(readTrustedFile(file(0o400), 'secret', 'the key file')).toBe('k\n');
  });

  it.each<[number, TrustLevel, string, string]>([
    [0o644, 'secret', '0644', 'chmod 600'],
    [0o640, 'secret', '0640', 'chmod 600'],
    [0o604, 'secret', '0604', 'chmod 600'],
    [0o664, 'settings', '0664', 'chmod go-w'],
    [0o646, 'settings', '0646', 'chmod go-w'],
  ])('mode %s at level %s: refused, with the mode and the fix on its own line', (mode, level, shown, fix) => {
    const path = file(mode);
    const err = refusal(path, level);
    expect(err.message).toBe(`the key file ${path} is refused: its permissions ${shown} are too open: ${level === 'secret' ? 'others can read or write it' : 'others can write it'}`);
    expect(err.hint).toEqual({ text: expect.stringMatching(/^Make it (readable|writable) by you alone:$/), commands: [`${fix} ${path}`] });
  });

  it('a file others may read is fine for settings, not for a secret', () => {
    const path = file(0o644);
    expect(readTrustedFile(path, 'settings', 'the config file')).toBe('k\n');
    expect(() => readTrustedFile(path, 'secret', 'the key file')).toThrow(UsageError);
  });

  it('a symlink is refused, even to a good file: the fix shows where it points', () => {
    const target = file(0o600);
    const link = join(tempDir(), 'link');
    symlinkSync(target, link);
    const err = refusal(link, 'secret');
    expect(err.message).toBe(`the key file ${link} is refused: it is a symbolic link (someone may point it at another file)`);
    expect(err.hint).toMatchObject({ commands: [`ls -l ${link}`] });
  });

  it.skipIf(process.getuid?.() !== 0)('a file owned by another user is refused, with chown and chmod lines', () => {
    const path = file(0o600);
    chownSync(path, NOBODY, NOBODY);
    const err = refusal(path, 'secret');
    expect(err.message).toBe(`the key file ${path} is refused: it is owned by user ${NOBODY}, not by you (0)`);
    expect(err.hint).toMatchObject({ commands: [`chown root ${path}`, `chmod 600 ${path}`] });
  });

  it.each<[TrustLevel, number]>([
    ['secret', 0o770],
    ['secret', 0o707],
    ['settings', 0o775],
    ['settings', 0o777],
  ])('at level %s, a file in a folder others may write (%o) is refused: they could put another file in its place', (level, mode) => {
    const path = file(0o600);
    const folder = dirname(path);
    chmodSync(folder, mode);
    const err = refusal(path, level);
    expect(err.message).toBe(`the key file ${path} is refused: its folder ${folder} is writable by others (permissions ${mode.toString(8).padStart(4, '0')}): they could put another file in its place`);
    expect(err.hint).toMatchObject({ commands: [`chmod go-w ${folder}`] });
  });

  it('a folder that all may write but only owners may empty (sticky, as /tmp) is fine: the file must be yours anyway', () => {
    const path = file(0o600, 'ok\n');
    chmodSync(dirname(path), 0o1777);
    expect(readTrustedFile(path, 'secret', 'the key file')).toBe('ok\n');
  });

  it.skipIf(process.getuid?.() !== 0)("a file in another user's folder is refused, with the chown line", () => {
    const path = file(0o600);
    const folder = dirname(path);
    chownSync(folder, NOBODY, NOBODY);
    const err = refusal(path, 'settings');
    expect(err.message).toBe(`the key file ${path} is refused: its folder ${folder} is owned by user ${NOBODY}, who could put another file in its place`);
    expect(err.hint).toMatchObject({ commands: [`chown root ${folder}`] });
  });

  it('settings through a symlink: read when the link and the file it names pass; refused, naming that file, when it does not', () => {
    const target = file(0o644, '{}');
    const link = join(tempDir(), 'config.json');
    symlinkSync(target, link);
    expect(readTrustedFile(link, 'settings', 'the config file')).toBe('{}');

    chmodSync(target, 0o666);
    const err = refusal(link, 'settings');
    expect(err.message).toBe(`the key file ${link} is refused: it links to ${target}, whose permissions 0666 are too open: others can write it`);
    expect(err.hint).toMatchObject({ commands: [`chmod go-w ${target}`] });

    chmodSync(target, 0o644);
    chmodSync(dirname(target), 0o777);
    expect(refusal(link, 'settings').message).toBe(`the key file ${link} is refused: it links to ${target}, whose folder ${dirname(target)} is writable by others (permissions 0777): they could put another file in its place`);
  });

  it('settings through a symlink: a link in a folder others may write, or a chain that never ends, is refused', () => {
    const target = file(0o644, '{}');
    const folder = tempDir();
    const link = join(folder, 'config.json');
    symlinkSync(target, link);
    chmodSync(folder, 0o777);
    expect(refusal(link, 'settings').message).toBe(`the key file ${link} is refused: its folder ${folder} is writable by others (permissions 0777): they could put another file in its place`);

    const loop = join(tempDir(), 'loop');
    symlinkSync(loop, loop);
    expect(refusal(loop, 'settings').message).toMatch(/is refused: it is a chain of symbolic links that does not end in a file/);
  });

  it.skipIf(process.getuid?.() !== 0)("settings through another user's symlink is refused", () => {
    const target = file(0o644, '{}');
    const link = join(tempDir(), 'config.json');
    symlinkSync(target, link);
    lchownSync(link, NOBODY, NOBODY);
    expect(refusal(link, 'settings').message).toBe(`the key file ${link} is refused: it is a symbolic link owned by user ${NOBODY}, who can point it at another file`);
  });

  it('a folder is not a regular file; a missing file is said apart', () => {
    const dir = join(tempDir(), 'folder');
    mkdirSync(dir, { mode: 0o700 });
    expect(refusal(dir, 'secret').message).toBe(`the key file ${dir} is refused: it is not a regular file`);
    expect(() => readTrustedFile(join(tempDir(), 'none'), 'secret', 'the key file')).toThrow(MissingFileError);
  });
});
