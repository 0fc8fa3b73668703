// The platform sync settings (docs/reference.md#settings), read in one place: the base URL, the
// Standard Webhooks secret (from the environment or its own file), the per-request timeout and the attempt
// cap. A missing or malformed setting is a usage error (exit 2) that names what to set; no message ever
// repeats the secret, or the URL's user info. `cx sync status` needs none of this.
import { readFileSync } from 'node:fs';
import { checkedPlatformUrl } from './values.js';
import { UsageError } from '../errors.js';

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
  const file = env.CX_PLATFORM_SECRET_FILE?.trim();
  if (inline && file) throw new UsageError('both CX_PLATFORM_SECRET and CX_PLATFORM_SECRET_FILE are set', 'unset one of them');
  let secret: string;
  let name: string;
  if (inline) {
    secret = inline.trim();
    name = 'CX_PLATFORM_SECRET';
  } else if (file) {
    name = `the file CX_PLATFORM_SECRET_FILE names (${file})`;
    try {
      secret = readFileSync(file, 'utf8').trim();
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'unreadable';
      throw new UsageError(`cannot read CX_PLATFORM_SECRET_FILE ${file} (${code})`, 'point it at the file that holds the whsec_ secret');
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
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}: ${JSON.stringify(raw)}`, `unset it to use the default (${fallback})`);
  }
  return n;
}
