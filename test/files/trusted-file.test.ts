// A file only its owner controls, as ssh reads a private key (src/files/trusted-file.ts): the two levels
// ('secret': nobody else may read or write it; 'settings': nobody else may write it), each refusal with
// what is wrong and the chmod/chown lines that fix it.
import { chmodSync, chownSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
    [0o664, 'settings', '0664', 'chmod 644'],
    [0o646, 'settings', '0646', 'chmod 644'],
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

  it('a folder is not a regular file; a missing file is said apart', () => {
    const dir = join(tempDir(), 'folder');
    mkdirSync(dir, { mode: 0o700 });
    expect(refusal(dir, 'secret').message).toBe(`the key file ${dir} is refused: it is not a regular file`);
    expect(() => readTrustedFile(join(tempDir(), 'none'), 'secret', 'the key file')).toThrow(MissingFileError);
  });
});
