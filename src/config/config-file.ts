// The config file (docs/reference.md#config-file): $CX_CONFIG, else
// $XDG_CONFIG_HOME/cx/config.json, else ~/.config/cx/config.json. JSON with the keys below, each a string.
// Checked by hand, not with zod: every cx run reads it, and loading zod would cost each run more than the
// read. Unknown keys and bad values are usage errors naming the file and the key; a file only some runs
// would trip over is worse than one that stops them all until it is fixed. The file is read only when it
// is the agent's own (src/files/trusted-file.ts, level 'settings': nobody else may have written it, since
// it says where the mirror is and where the audit log goes), and no error quotes its text: a secret may
// have been pasted into it by mistake.
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { MissingFileError, readTrustedFile } from '../files/trusted-file.js';
import { describePlace, jsonErrorPlace } from '../rules/json-syntax.js';
import { looksLikeSecret, shownValue } from '../rules/secret-shape.js';
import { checkDesk, checkPrintableLine } from '../rules/tickets.js';
import { checkedPlatformUrl, checkedTimeZone } from './values.js';

/** How errors name the config file. */
export const CONFIG_FILE_LABEL = 'config file';

export const CONFIG_KEYS = ['db', 'policy', 'agent', 'tz', 'desk', 'platform_url'] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

export interface ConfigFile {
  path: string;
  /** Each key the file sets, checked; `db` and `policy` made absolute against the file's own folder. */
  values: Partial<Record<ConfigKey, string>>;
}

/** Where the config file is looked for, and whether the agent named it ($CX_CONFIG: then it must exist). */
export function configFileLocation(env: NodeJS.ProcessEnv): { path: string; named: boolean } {
  const named = env.CX_CONFIG?.trim();
  if (named) return { path: resolve(named), named: true };
  return { path: join(configHome(env), 'cx', 'config.json'), named: false };
}

/** The user's config folder: $XDG_CONFIG_HOME, else ~/.config (cx's own folder is `cx` in it). */
export function configHome(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME?.trim();
  // The XDG spec: a relative $XDG_CONFIG_HOME is invalid and ignored.
  return xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.config');
}

/** The config file's settings, or null when there is none at the default place. */
export function readConfigFile(env: NodeJS.ProcessEnv): ConfigFile | null {
  const { path, named } = configFileLocation(env);
  let text: string;
  try {
    text = readTrustedFile(path, 'settings', CONFIG_FILE_LABEL);
  } catch (err) {
    if (!(err instanceof MissingFileError)) throw err;
    if (!named) return null;
    throw new UsageError(`config file ${path} cannot be read (no such file)`, 'fix $CX_CONFIG, or unset it');
  }
  const json = parseJson(text);
  if (!json.ok) throw fileError(path, null, json.reason);
  if (typeof json.value !== 'object' || json.value === null || Array.isArray(json.value)) {
    throw fileError(path, null, 'must be a JSON object such as {"db": "/srv/cx/mirror.db", "desk": "zendesk"}');
  }
  const values: ConfigFile['values'] = {};
  for (const [key, raw] of Object.entries(json.value)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      throw fileError(path, key, `unknown key (allowed: ${CONFIG_KEYS.join(', ')}; the platform secret stays in the environment)`);
    }
    if (typeof raw !== 'string' || raw.trim() === '') throw fileError(path, key, 'must be a non-empty string');
    values[key as ConfigKey] = checkedValue(path, key as ConfigKey, raw);
  }
  return { path, values };
}

/** One value as the file holds it, checked (`db` and `policy` made absolute); also what `cx config set` checks. */
export function checkedValue(path: string, key: ConfigKey, raw: string): string {
  const fail = (why: string): never => {
    throw fileError(path, key, why);
  };
  if (looksLikeSecret(raw)) fail('holds what looks like a secret (not shown): the config file holds no secret');
  switch (key) {
    case 'db':
    case 'policy':
      return filePath(path, raw.trim());
    case 'agent': {
      const agent = checkPrintableLine(raw, 'the agent name', 100);
      return agent.ok ? agent.value : fail(agent.reason);
    }
    case 'desk': {
      const desk = checkDesk(raw);
      return desk.ok ? desk.value : fail(desk.reason);
    }
    case 'tz':
      return checkedTimeZone(raw) ?? fail(`not a time zone name (IANA, such as "America/Chicago" or "UTC"): ${shownValue(raw)}`);
    case 'platform_url': {
      const url = checkedPlatformUrl(raw);
      return url.ok ? url.value : fail(url.reason);
    }
  }
}

/** A path in the file: `~/` is the home folder; a relative path is relative to the file's own folder. */
function filePath(configPath: string, raw: string): string {
  if (raw === '~' || raw.startsWith('~/')) return join(homedir(), raw.slice(1));
  return resolve(dirname(configPath), raw);
}

/** The file's text as JSON; when it is not, where it goes wrong (never its text: it may hold a secret). */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  const body = text.replace(/^\uFEFF/, '');
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    const place = describePlace(jsonErrorPlace(body));
    return { ok: false, reason: `is not valid JSON${place ? ` (${place})` : ''}` };
  }
}

function fileError(path: string, key: string | null, why: string): UsageError {
  return new UsageError(`config file ${path}: ${key === null ? '' : `"${key}" `}${why}`, 'fix the file (see README "Settings"), or point $CX_CONFIG elsewhere');
}
