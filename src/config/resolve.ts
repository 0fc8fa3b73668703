// Every setting cx reads, resolved in one place with where it came from (docs/reference.md#settings): the command
// line, then the environment, then the config file, then the default. `cx config` shows the result; the context
// (src/context.ts) takes its values from here and hands them down (actions and the store read no environment), and
// so should any command that needs a setting (the platform URL for `cx sync`, the time zone for output). The
// checks of single values: ./values.ts, ./email.ts, ./platform.ts.
import { userInfo } from 'node:os';
import { UsageError } from '../errors.js';
import { checkDesk, checkPrintableLine, DEFAULT_DESK } from '../rules/tickets.js';
import { readConfigFile, type ConfigFile, type ConfigKey } from './config-file.js';
import { DEFAULT_EMAIL_SETTINGS, emailSettingsFromEnv } from './email.js';
import { DEFAULT_DB_PATH } from './install.js';
import { describeKeySource } from './mirror-key.js';
import { examineMirrorFile } from '../store/cipher.js';
import { looksLikeSecret } from '../rules/secret-shape.js';
import { systemZone } from './system-zone.js';
import { checkedLockWait, checkedTimeZone, DEFAULT_LOCK_WAIT_MS, secretFileSource } from './values.js';

export type SettingSource = 'flag' | 'env' | 'config' | 'default';

export interface Setting<T> {
  value: T;
  source: SettingSource;
  /** Which flag, variable or file gave it; for a default, what the default is. */
  from: string;
}

export interface EffectiveSettings {
  db: Setting<string>;
  /** The retention policy file; null: the built-in APA defaults. */
  policy: Setting<string | null>;
  agent: Setting<string>;
  /** An IANA time zone name: human output shows times in it. */
  tz: Setting<string>;
  desk: Setting<string>;
  /** Checked by `cx sync push` when it is used, not here: a bad URL must not stop a lookup. */
  platform_url: Setting<string | null>;
  /** Never the secret itself: `set` when one is configured (CX_PLATFORM_SECRET or its file), else null. */
  platform_secret: Setting<'set' | null>;
  /** Never the key itself: `set` when the mirror's key is found (src/config/mirror-key.ts), else null. */
  db_key: Setting<'set' | null>;
  brand: Setting<string>;
  reset_window_minutes: Setting<number>;
  /** How long a write waits for another cx's lock (CX_LOCK_WAIT_MS); checked on first use, when a mirror opens. */
  lock_wait_ms: Setting<number>;
  /** The config file that was read, or null when there is none. */
  configFile: string | null;
}

/** The global options that name a setting. */
export interface SettingFlags {
  db?: string;
  agent?: string;
  policy?: string;
}

/** What `cx config` prints in place of a secret. */
export const MASKED = '********';

export function resolveSettings(flags: SettingFlags, env: NodeJS.ProcessEnv): EffectiveSettings {
  const file = readConfigFile(env);
  const pick = <T>(flag: string | undefined, flagName: string, envName: string, key: ConfigKey | null, fallback: () => Setting<T>, read: (raw: string, from: string) => T): Setting<T> => {
    if (flag) return { value: read(notSecret(flag, flagName), flagName), source: 'flag', from: flagName };
    const fromEnv = env[envName];
    if (fromEnv !== undefined && fromEnv.trim() !== '') return { value: read(notSecret(fromEnv, envName), envName), source: 'env', from: envName };
    const fromFile = key && file ? file.values[key] : undefined;
    if (fromFile !== undefined && file) return { value: fromFile as T, source: 'config', from: file.path };
    return fallback();
  };
  const text = (raw: string): string => raw;
  const db = pick(flags.db, '--db', 'CX_DB', 'db', () => ({ value: DEFAULT_DB_PATH, source: 'default', from: "the install's data/ folder" }), text);
  const policy = pick<string | null>(flags.policy, '--policy', 'CX_POLICY', 'policy', () => ({ value: null, source: 'default', from: 'built-in APA defaults' }), text);
  const agent = pick(flags.agent, '--agent', 'CX_AGENT', 'agent', () => ({ value: checkedAgent(osUser(), 'the OS user name'), source: 'default', from: 'the OS user' }), checkedAgent);
  const desk = pick(undefined, '', 'CX_DESK', 'desk', () => ({ value: DEFAULT_DESK, source: 'default', from: 'cx' }), checkedDesk);
  const platform_url = pick<string | null>(undefined, '', 'CX_PLATFORM_URL', 'platform_url', () => ({ value: null, source: 'default', from: 'not set' }), (raw) => raw.trim());
  const email = emailSettingsFromEnv(env);
  let tz: Setting<string> | undefined;
  let lockWait: Setting<number> | undefined;
  let dbKey: Setting<'set' | null> | undefined;
  return {
    db,
    policy,
    agent,
    // On first use: only human output that shows a time needs it (a lookup --json never does), and a $TZ
    // or a zone in the config file is checked against ICU's zone data (its first use costs a start-up).
    get tz() {
      return (tz ??= timeZone(env, file));
    },
    desk,
    platform_url,
    platform_secret: secret(env),
    // On first use (`cx config`): it reads the mirror's first bytes, and may ask the credential store.
    get db_key() {
      return (dbKey ??= keySetting(env, db.value));
    },
    brand: fromEnvOnly(env, 'CX_BRAND', email.brand, DEFAULT_EMAIL_SETTINGS.brand),
    reset_window_minutes: fromEnvOnly(env, 'CX_RESET_WINDOW_MINUTES', email.resetWindowMinutes, DEFAULT_EMAIL_SETTINGS.resetWindowMinutes),
    // On first use, as before it was a setting: a bad value stops what opens the mirror, not `cx completion`.
    get lock_wait_ms() {
      return (lockWait ??= fromEnvOnly(env, 'CX_LOCK_WAIT_MS', checkedLockWait(env.CX_LOCK_WAIT_MS), DEFAULT_LOCK_WAIT_MS));
    },
    configFile: file?.path ?? null,
  };
}

/**
 * $TZ belongs to the whole system, not to cx: one that is not a zone name (a POSIX rule such as
 * "EST5EDT,M3.2.0,M11.1.0") is passed over rather than stopping every command.
 */
function timeZone(env: NodeJS.ProcessEnv, file: ConfigFile | null): Setting<string> {
  const fromEnv = env.TZ ? checkedTimeZone(env.TZ) : null;
  if (fromEnv) return { value: fromEnv, source: 'env', from: 'TZ' };
  if (file?.values.tz) return { value: file.values.tz, source: 'config', from: file.path };
  return { value: systemZone(env), source: 'default', from: "the system's time zone" };
}

function secret(env: NodeJS.ProcessEnv): Setting<'set' | null> {
  if (env.CX_PLATFORM_SECRET) return { value: 'set', source: 'env', from: 'CX_PLATFORM_SECRET' };
  const file = secretFileSource(env, 'CX_PLATFORM_SECRET_FILE');
  if (file) return { value: file.usable ? 'set' : null, source: 'env', from: file.from };
  return { value: null, source: 'default', from: 'not set' };
}

function keySetting(env: NodeJS.ProcessEnv, dbPath: string): Setting<'set' | null> {
  let file: ReturnType<typeof examineMirrorFile>;
  try {
    file = examineMirrorFile(dbPath);
  } catch {
    file = { kind: 'foreign' };
  }
  const mirror = file.kind === 'encrypted' ? file : { kind: file.kind === 'plaintext' ? ('plaintext' as const) : file.kind === 'absent' ? ('absent' as const) : ('other' as const) };
  const found = describeKeySource(env, mirror);
  return { value: found.found ? 'set' : null, source: found.source, from: found.from };
}

/** A setting's value, unless it looks like a secret typed in the wrong place: then an error that does not show it. */
function notSecret(raw: string, from: string): string {
  if (looksLikeSecret(raw)) throw new UsageError(`${from} holds what looks like a secret, not a setting's value (not shown)`, `set ${from} to what it takes (README "Settings"); a secret goes in its own variable or file`);
  return raw;
}

function fromEnvOnly<T>(env: NodeJS.ProcessEnv, name: string, value: T, fallback: T): Setting<T> {
  const set = env[name] !== undefined && env[name]!.trim() !== '';
  return set ? { value, source: 'env', from: name } : { value: fallback, source: 'default', from: String(fallback) };
}

/** The agent's name goes into every audit row: one line of printable text. */
function checkedAgent(name: string, from: string): string {
  const agent = checkPrintableLine(name, 'the agent name', 100);
  if (!agent.ok) throw new UsageError(`${from}: ${agent.reason}`);
  return agent.value;
}

function checkedDesk(raw: string, from: string): string {
  const desk = checkDesk(raw);
  if (!desk.ok) throw new UsageError(`${from}: ${desk.reason}`);
  return desk.value;
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
