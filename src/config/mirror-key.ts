// Where a mirror's key comes from, and where a new mirror's key goes (docs/reference.md#encryption-and-keys).
// A key is 32 random bytes, written as 64 hex characters; each mirror has its own, found by the mirror's id
// (the salt in its first 16 bytes, src/store/cipher.ts). Looked for in this order:
//   1. CX_DB_KEY_FILE: a file holding the key, refused unless it is a regular file of the user's that no one
//      else may read (src/files/trusted-file.ts), as ssh refuses a private key;
//   2. CX_DB_KEY: the key itself, for CI and containers;
//   3. cx's own key file, <config folder>/cx/keys/<id>.key, when it exists;
//   4. the OS credential store (src/config/credential-store.ts), entry cx/<id>.
// The credential store first would find the same key: cx keeps each mirror's key in one of the two
// only (the store when it answers, else its own file), so either order finds the same key; looking at the
// file first (one stat when there is none) spares every command on a mirror whose key is there the
// store's module and its D-Bus round trip.
// A new mirror's key (a new file, `cx db encrypt`) goes to the first of: the file CX_DB_KEY_FILE names
// (written when absent; an existing one gives its key), CX_DB_KEY (the key used, kept nowhere), the
// credential store, cx's own key file (folders 0700, file 0600), named once on stderr when cx makes it.
// The key is never printed, logged, audited or put in an error; only where it came from is.
import { closeSync, constants, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { syncPath } from '../files/durable.js';
import { removeOrphans, TEMP_PREFIX } from '../files/stale-temps.js';
import { MissingFileError, readTrustedFile } from '../files/trusted-file.js';
import { KEY_BYTES, type MirrorKeys, type NewKey } from '../store/cipher.js';
import { shellWord } from '../rules/shell.js';
import { configHome } from './config-file.js';
import { secretFilePath, secretFileSource } from './values.js';
import { deleteSecret, readSecret, SERVICE, storeName, storeUnavailable, writeSecret } from './credential-store.js';

export interface KeyOptions {
  /** Make new mirrors plaintext (`cx db init --plaintext`): synthetic data only. */
  plaintext?: boolean;
  /** Told once, on stderr, when cx makes its own key file (no credential store answered). */
  announce?: (message: string) => void;
}

const KEY_FILE_LABEL = 'the key file CX_DB_KEY_FILE names';
const OWN_FILE_LABEL = "cx's key file";

/** The folder of cx's own key files. */
export function ownKeyFolder(env: NodeJS.ProcessEnv): string {
  return join(configHome(env), 'cx', 'keys');
}

export function ownKeyFile(env: NodeJS.ProcessEnv, id: string): string {
  return join(ownKeyFolder(env), `${id}.key`);
}

/** The key sources the settings give (the environment's, and the places cx keeps keys itself). */
export function mirrorKeys(env: NodeJS.ProcessEnv, options: KeyOptions = {}): MirrorKeys {
  const keyFile = namedKeyFile(env);
  const inline = env.CX_DB_KEY?.trim() ? env.CX_DB_KEY : undefined;
  return {
    keyOf(id, path) {
      if (keyFile) return { key: parseKey(readTrustedFile(keyFile, 'secret', KEY_FILE_LABEL), `${KEY_FILE_LABEL} (${keyFile})`), from: `CX_DB_KEY_FILE (${keyFile})`, keptByCx: false };
      if (inline !== undefined) return { key: parseKey(inline, 'CX_DB_KEY'), from: 'CX_DB_KEY', keptByCx: false };
      const own = ownKeyFile(env, id);
      const fromOwn = readOwnKey(own);
      if (fromOwn) return { key: fromOwn, from: `${OWN_FILE_LABEL} ${own}`, keptByCx: true };
      const stored = readSecret(id);
      if (stored.answered && stored.secret !== null) {
        return { key: parseKey(stored.secret, `${storeName()}'s entry ${SERVICE}/${id}`), from: `${storeName()} (entry ${SERVICE}/${id})`, keptByCx: true };
      }
      const store = stored.answered ? `${storeName()} has no entry ${SERVICE}/${id}` : `${storeName()} did not answer (${stored.why})`;
      throw new UsageError(`no key for the encrypted mirror ${path} (mirror id ${id}): CX_DB_KEY_FILE and CX_DB_KEY are not set, ${store}, and there is no key file ${own}`, {
        text: `Give cx this mirror's key (64 hex characters) in a file only you can read, or put that file at ${own}:`,
        commands: [`export CX_DB_KEY_FILE=/path/to/${id}.key`],
      });
    },

    wrongKey(found, id, path) {
      return new UsageError(`the key from ${found.from} does not open ${path} (mirror id ${id}): it is another mirror's key, or the mirror's first page is damaged; nothing was changed`, {
        text: "Give cx this mirror's own key, for example in a file only you can read:",
        commands: [`export CX_DB_KEY_FILE=/path/to/${id}.key`],
      });
    },

    newKey() {
      if (options.plaintext) return null;
      if (keyFile) {
        try {
          const key = parseKey(readTrustedFile(keyFile, 'secret', KEY_FILE_LABEL), `${KEY_FILE_LABEL} (${keyFile})`);
          return { key, keep: () => `CX_DB_KEY_FILE (${keyFile})` };
        } catch (err) {
          if (!(err instanceof MissingFileError)) throw err;
        }
        const key = randomKey();
        return { key, keep: () => (writeKeyFile(keyFile, key, KEY_FILE_LABEL), `CX_DB_KEY_FILE (${keyFile}, written now)`) };
      }
      if (inline !== undefined) {
        const key = parseKey(inline, 'CX_DB_KEY');
        return { key, keep: () => 'CX_DB_KEY' };
      }
      return keptByCx(env, randomKey(), options);
    },

    freshKey(file) {
      const key = randomKey();
      if (!file) return keptByCx(env, key, options);
      const path = resolve(file);
      return { key, keep: () => (writeKeyFile(path, key, 'the new key file'), `the file ${path}`) };
    },

    forget(id) {
      const own = ownKeyFile(env, id);
      try {
        const st = lstatSync(own);
        if (st.isFile() && st.uid === process.getuid?.()) unlinkSync(own);
      } catch {
        // none
      }
      deleteSecret(id);
    },
  };
}

/** Where a new mirror's key goes, in words (a dry run says it). */
export function newKeyDestination(env: NodeJS.ProcessEnv): string {
  const keyFile = namedKeyFile(env);
  if (keyFile) return `CX_DB_KEY_FILE (${keyFile})`;
  if (env.CX_DB_KEY?.trim()) return 'CX_DB_KEY';
  return `${storeName()} when it answers, else cx's key folder ${ownKeyFolder(env)}`;
}

/** Where the key of the mirror at `id` comes from, for `cx config`: never the key. */
export interface KeySource {
  source: 'env' | 'default';
  from: string;
  /** A key was found there (not checked against the mirror). */
  found: boolean;
}

/** `id`: the mirror's id; null for a mirror that is not there or not encrypted (then: where a new key would go). */
export function describeKeySource(env: NodeJS.ProcessEnv, mirror: { kind: 'absent' | 'plaintext' | 'other' } | { kind: 'encrypted'; id: string }): KeySource {
  const keyFile = secretFileSource(env, 'CX_DB_KEY_FILE');
  if (keyFile) return { source: 'env', from: keyFile.from, found: keyFile.usable };
  if (env.CX_DB_KEY?.trim()) return { source: 'env', from: 'CX_DB_KEY', found: true };
  if (mirror.kind === 'plaintext') return { source: 'default', from: 'none: the mirror is not encrypted (cx db encrypt)', found: false };
  if (mirror.kind !== 'encrypted') return { source: 'default', from: `no mirror yet: a new mirror's key goes to ${newKeyDestination(env)}`, found: false };
  const own = ownKeyFile(env, mirror.id);
  if (exists(own)) return { source: 'default', from: `${OWN_FILE_LABEL} ${own}`, found: true };
  const stored = readSecret(mirror.id);
  if (stored.answered && stored.secret !== null) return { source: 'default', from: `${storeName()} (entry ${SERVICE}/${mirror.id})`, found: true };
  return { source: 'default', from: `not found: no key file ${own}, and ${stored.answered ? `no entry ${SERVICE}/${mirror.id} in ${storeName()}` : `${storeName()} did not answer`}`, found: false };
}

function namedKeyFile(env: NodeJS.ProcessEnv): string | undefined {
  return secretFilePath(env, 'CX_DB_KEY_FILE');
}

function randomKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** 64 hex characters, a trailing newline allowed; `what` names where it came from (never the text itself). */
function parseKey(text: string, what: string): Buffer {
  const hex = text.replace(/\r?\n$/, '').trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new UsageError(`${what} is not a mirror key: it must hold 64 hex characters (32 random bytes), and holds ${hex.length} characters${/^[0-9a-fA-F]*$/.test(hex) ? '' : ' that are not all hex digits'}`, {
      text: 'A key cx made is never shown; a new key for your own use comes from, e.g.:',
      commands: ['openssl rand -hex 32'],
    });
  }
  return Buffer.from(hex, 'hex');
}

function readOwnKey(path: string): Buffer | null {
  try {
    return parseKey(readTrustedFile(path, 'secret', OWN_FILE_LABEL), `${OWN_FILE_LABEL} ${path}`);
  } catch (err) {
    if (err instanceof MissingFileError) return null;
    throw err;
  }
}

/** A key kept by cx: in the credential store when it answers, else in cx's own key file (announced). */
function keptByCx(env: NodeJS.ProcessEnv, key: Buffer, options: KeyOptions): NewKey {
  return {
    key,
    keep(id) {
      const stored = writeSecret(id, key.toString('hex'));
      if (stored.ok) return `${storeName()} (entry ${SERVICE}/${id})`;
      const path = ownKeyFile(env, id);
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeKeyFile(path, key, OWN_FILE_LABEL);
      // Plain words, not the store's own message (stored.why): the agent's next step is the same whatever it says.
      const why = stored.readBack ? `${storeName()} took the key but could not give it back` : storeUnavailable();
      options.announce?.(`${why}, so cx keeps this mirror's key in its own file ${path} (mode 600: readable by you alone). Back it up with the mirror: without it the mirror cannot be read.`);
      return `${OWN_FILE_LABEL} ${path}`;
    },
  };
}

const KEY_TEMP_PREFIX = `${TEMP_PREFIX}key`;

/**
 * Write a key file that must not exist yet: a temporary file (0600) made durable, then linked under its name
 * (never over another file), so a crash leaves either no key file or a whole one.
 */
function writeKeyFile(path: string, key: Buffer, label: string): void {
  // Named for this process, so the next cx that writes a key here removes one a kill -9 left (a key nothing uses).
  removeOrphans(dirname(path), KEY_TEMP_PREFIX, 'key');
  const temp = join(dirname(path), `${KEY_TEMP_PREFIX}.${process.pid}.key`);
  let fd: number;
  try {
    fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (err) {
    throw new UsageError(`cannot write ${label} ${path}: ${(err as { code?: string }).code ?? String(err)}`, 'check that its folder exists and that you may write in it');
  }
  try {
    try {
      writeSync(fd, `${key.toString('hex')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temp, path);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'EEXIST') throw new UsageError(`${label} ${path} already exists: cx does not replace a key file`, `choose another path, or move it away: mv ${shellWord(path)} ${shellWord(`${path}.old`)}`);
      throw new UsageError(`cannot write ${label} ${path}: ${code ?? String(err)}`);
    }
    syncPath(dirname(path));
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
