// The platform sync settings (docs/reference.md#settings), read in one place: the base URL, the
// Standard Webhooks secret (from the environment or its own file, read as src/files/trusted-file.ts reads a
// secret), the per-request timeout and the attempt cap. A missing or malformed setting is a usage error
// (exit 2) that names what to set; no message ever repeats the secret (also one put in another setting:
// src/rules/secret-shape.ts), or the URL's user info. `cx sync status` needs none of this.
import { MissingFileError, readTrustedFile } from '../files/trusted-file.js';
import { UsageError } from '../errors.js';
import { shownValue } from '../rules/secret-shape.js';
import { checkedPlatformUrl, secretFilePath } from './values.js';

export interface SyncLimits {
  /** Per request, from the connection to the last byte of the answer. */
  timeoutMs: number;
  /** Attempts in all, across runs, before a change that keeps failing is failed. */
  maxAttempts: number;
  /** Accounts whose changes are in flight together. */
  concurrency: number;
}

export interface PlatformSettings extends SyncLimits {
  /** The base URL, ending in '/': requests go to `cx/v1/changes` and `cx/v1/audit` under it. */
  base: URL;
  /** `whsec_<base64>`: never printed, audited or put in an error. */
  secret: string;
}

/** Where the settings come from: the environment, and the platform URL as the settings resolved it. */
export interface SettingSources {
  env: NodeJS.ProcessEnv;
  /** `platform_url` from ./resolve.ts: CX_PLATFORM_URL, else the config file, else not set. */
  url: { value: string | null; from: string };
}

const SECRET_FILE_LABEL = 'the secret file CX_PLATFORM_SECRET_FILE names';

export const DEFAULT_LIMITS: Readonly<SyncLimits> = Object.freeze({ timeoutMs: 10_000, maxAttempts: 8, concurrency: 8 });

/** Everything `cx sync push` needs; throws a UsageError naming the first setting to fix. */
export function platformSettings(sources: SettingSources): PlatformSettings {
  return { base: platformUrl(sources), secret: platformSecret(sources.env), ...syncLimits(sources.env) };
}

export function syncLimits(env: NodeJS.ProcessEnv): SyncLimits {
  return {
    timeoutMs: wholeNumber(env, 'CX_PLATFORM_TIMEOUT_MS', DEFAULT_LIMITS.timeoutMs, 1, 600_000),
    maxAttempts: wholeNumber(env, 'CX_SYNC_MAX_ATTEMPTS', DEFAULT_LIMITS.maxAttempts, 1, 100),
    concurrency: wholeNumber(env, 'CX_SYNC_CONCURRENCY', DEFAULT_LIMITS.concurrency, 1, 64),
  };
}

export function platformUrl(sources: SettingSources): URL {
  const { value: raw, from } = sources.url;
  if (!raw) {
    throw new UsageError('the platform URL is not set', { text: 'Set CX_PLATFORM_URL (or platform_url in the config file) to the platform base URL, e.g.:', commands: ['export CX_PLATFORM_URL=https://platform.example.com'] });
  }
  // The checks the config file also applies, in one place (./values.ts).
  const checked = checkedPlatformUrl(raw);
  if (!checked.ok) throw new UsageError(`the platform URL (${from}) ${checked.reason}`);
  const url = new URL(checked.value);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/** The Standard Webhooks secret, from CX_PLATFORM_SECRET or the file CX_PLATFORM_SECRET_FILE names. */
export function platformSecret(env: NodeJS.ProcessEnv): string {
  const inline = env.CX_PLATFORM_SECRET;
  if (inline && env.CX_PLATFORM_SECRET_FILE?.trim()) throw new UsageError('both CX_PLATFORM_SECRET and CX_PLATFORM_SECRET_FILE are set', 'unset one of them');
  const file = secretFilePath(env, 'CX_PLATFORM_SECRET_FILE');
  let secret: string;
  let name: string;
  if (inline) {
    secret = inline.trim();
    name = 'CX_PLATFORM_SECRET';
  } else if (file) {
    name = `the file CX_PLATFORM_SECRET_FILE names (${file})`;
    try {
      secret = readTrustedFile(file, 'secret', SECRET_FILE_LABEL).trim();
    } catch (err) {
      if (err instanceof MissingFileError) throw new UsageError(err.message, 'point it at the file that holds the whsec_ secret');
      throw err;
    }
  } else {
    throw new UsageError('the platform secret is not set', 'set CX_PLATFORM_SECRET (or CX_PLATFORM_SECRET_FILE, a file holding it) to the whsec_… secret the platform gave you');
  }
  if (!isWebhookSecret(secret)) {
    throw new UsageError(`${name} is not a Standard Webhooks secret (whsec_ followed by a base64 key)`, 'copy the whole secret the platform gave you');
  }
  return secret;
}

/** `whsec_` and a non-empty, canonical base64 key. */
export function isWebhookSecret(secret: string): boolean {
  const m = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  if (!m) return false;
  const key = Buffer.from(m[1]!, 'base64');
  return key.length > 0 && key.toString('base64').replace(/=+$/, '') === m[1]!.replace(/=+$/, '');
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}: ${shownValue(raw)}`, `unset it to use the default (${fallback})`);
  }
  return n;
}
