// Checks for setting values that more than one source can give (the config file, the environment), and
// the defaults the store falls back on when it is opened without settings (the tools, the tests).
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { looksLikeSecret, shownValue } from '../rules/secret-shape.js';
import type { Checked } from '../rules/tickets.js';

/** How long a write waits for another writer's lock before giving up (exit 7), unless CX_LOCK_WAIT_MS says. */
export const DEFAULT_LOCK_WAIT_MS = 10_000;

/** CX_LOCK_WAIT_MS: whole milliseconds from 0 to 600000; unset or empty means the default. */
export function checkedLockWait(raw: string | undefined): number {
  const ms = raw === undefined || raw.trim() === '' ? DEFAULT_LOCK_WAIT_MS : Number(raw);
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > 600_000) {
    throw new UsageError(`CX_LOCK_WAIT_MS must be a whole number of milliseconds from 0 to 600000: ${shownValue(raw ?? '')}`);
  }
  return ms;
}

/** The IANA name as given when the runtime knows the zone, else null. */
export function checkedTimeZone(raw: string): string | null {
  const name = raw.trim().replace(/^:/, '');
  if (name === '') return null;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return name;
  } catch {
    return null;
  }
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1']);

/** The platform's base URL (docs/reference.md#settings): https://, or http:// for localhost only. */
export function checkedPlatformUrl(raw: string): Checked<string> {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, reason: `not a URL: give the platform's base URL, e.g. https://platform.example.com` };
  }
  if (url.username || url.password) return { ok: false, reason: 'holds a user name or password: requests are signed with the platform secret instead' };
  if (url.protocol === 'http:' && !LOCAL_HOSTS.has(url.hostname)) {
    return { ok: false, reason: `must use https:// (http:// only for localhost or 127.0.0.1): ${url.origin}` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: `must be an https:// URL, not ${url.protocol}` };
  if (url.search || url.hash) return { ok: false, reason: `has a query or fragment: give the base URL alone (${url.origin}${url.pathname})` };
  return { ok: true, value: raw.trim() };
}

/** The variables that name a file holding a secret (CONTRACTS.md "Platform sync", "Encryption at rest"). */
export type SecretFileVariable = 'CX_PLATFORM_SECRET_FILE' | 'CX_DB_KEY_FILE';

const MISPLACED = 'holds what looks like a secret, not the path of a file holding one (not shown)';

/**
 * The file a secret-file variable names (absolute), or undefined when it is not set. A value that looks like
 * the secret itself (pasted into the wrong variable) is refused, and never shown.
 */
export function secretFilePath(env: NodeJS.ProcessEnv, name: SecretFileVariable): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (looksLikeSecret(raw)) {
    throw new UsageError(`${name} ${MISPLACED}`, {
      text: 'Put the secret in a file only you can read, and name that file instead:',
      commands: [`chmod 600 /path/to/file`, `export ${name}=/path/to/file`],
    });
  }
  return resolve(raw);
}

/** Where a secret comes from, for `cx config`: the variable and its file, never a secret; null when unset. */
export function secretFileSource(env: NodeJS.ProcessEnv, name: SecretFileVariable): { from: string; usable: boolean } | null {
  const raw = env[name]?.trim();
  if (!raw) return null;
  return looksLikeSecret(raw) ? { from: `${name} (${MISPLACED})`, usable: false } : { from: `${name} (${resolve(raw)})`, usable: true };
}
