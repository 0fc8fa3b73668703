// Writing the config file, for `cx config set` and `cx config unset` (src/commands/config/). The file is
// read as JSON, changed by one key, and written back whole: mode 0600 in a folder made 0700 when missing,
// through a temporary file beside it that is fsynced and renamed over it (src/files/output-file.ts), so a
// cx starting meanwhile reads the old file or the new one, never half of one. A symlinked config file (a
// dotfiles repository) is written where the link points, the link kept. A value is checked with the rules
// the reader uses (./config-file.ts): what set writes, every later run can read.
import { mkdirSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { openOutput } from '../files/output-file.js';
import { MissingFileError, readTrustedFile } from '../files/trusted-file.js';
import { checkedValue, CONFIG_FILE_LABEL, CONFIG_KEYS, configFileLocation, parseJson, type ConfigKey } from './config-file.js';

/** The config file as JSON, as it is (unchecked: unset mends a file the reader refuses). */
export interface ConfigDocument {
  path: string;
  exists: boolean;
  values: Record<string, unknown>;
}

export function readConfigDocument(env: NodeJS.ProcessEnv): ConfigDocument {
  const { path } = configFileLocation(env);
  let text: string;
  try {
    // Only the agent's own file is rewritten: what another user could have put in it must not be carried over.
    text = readTrustedFile(path, 'settings', CONFIG_FILE_LABEL);
  } catch (err) {
    // No file yet ($CX_CONFIG too: naming it is asking for it): set makes it.
    if (err instanceof MissingFileError) return { path, exists: false, values: {} };
    throw err;
  }
  const json = parseJson(text);
  if (!json.ok) throw notRewritten(path, json.reason);
  if (typeof json.value !== 'object' || json.value === null || Array.isArray(json.value)) throw notRewritten(path, 'is not a JSON object');
  return { path, exists: true, values: json.value as Record<string, unknown> };
}

function notRewritten(path: string, why: string): UsageError {
  return new UsageError(`config file ${path} ${why}: cx does not rewrite it`, 'fix or move the file by hand, then run the same command again');
}

export function isConfigKey(key: string): key is ConfigKey {
  return (CONFIG_KEYS as readonly string[]).includes(key);
}

export function unknownKey(key: string): UsageError {
  return new UsageError(`unknown key ${JSON.stringify(key)} (the config file takes ${CONFIG_KEYS.join(', ')}; the platform secret stays in the environment)`);
}

/**
 * The value as the file will hold it: trimmed; a relative `db` or `policy` path made absolute from the
 * current folder (the reader would take it from the file's folder, which is not what was typed); `~/`
 * kept. Checked as the reader checks it: a value it would refuse is a usage error, and nothing is written.
 */
export function valueToStore(doc: ConfigDocument, key: string, raw: string, cwd: string): string {
  if (!isConfigKey(key)) throw unknownKey(key);
  const value = raw.trim();
  if (value === '') throw new UsageError(`config file ${doc.path}: "${key}" must be a non-empty string`);
  const path = key === 'db' || key === 'policy';
  const stored = path && !isAbsolute(value) && value !== '~' && !value.startsWith('~/') ? resolve(cwd, value) : value;
  let checked: string;
  try {
    checked = checkedValue(doc.path, key, stored);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(err.message, 'nothing was written; README "Settings" says what each setting takes');
    throw err;
  }
  return path ? stored : checked;
}

/** Writes the values as the whole file (0600, atomically); the folder is made (0700) when missing. */
export function writeConfigDocument(doc: ConfigDocument, values: Record<string, unknown>): void {
  mkdirSync(dirname(doc.path), { recursive: true, mode: 0o700 });
  const target = doc.exists ? realpathSync(doc.path) : doc.path;
  const out = openOutput(target, { label: 'the config file', force: true, protect: [] });
  try {
    out.write(`${JSON.stringify(values, null, 2)}\n`);
    out.publish();
  } finally {
    out.discard();
  }
}
