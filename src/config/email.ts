// The settings of the emails cx queues, which change wording or timing but not the support rules: the
// brand name in email subjects and how long a queued reset email counts as "already sent" (agents on the
// phone press the key twice). Read from the environment once per run (src/config/resolve.ts, into the
// context); a bad value is a usage error, never a silent fallback to the default.
import { UsageError } from '../errors.js';
import { looksLikeSecret, shownValue } from '../rules/secret-shape.js';

export interface EmailSettings {
  /** The platform's name, as it appears in email subjects ("Please Verify Your Headway Account"). */
  brand: string;
  /** The same email queued for the same account within this many minutes is not queued again. */
  resetWindowMinutes: number;
}

export const DEFAULT_EMAIL_SETTINGS: Readonly<EmailSettings> = Object.freeze({ brand: 'Headway', resetWindowMinutes: 15 });

const MAX_BRAND_LENGTH = 40;
/** A day: a longer window would hide a real second request (the first email really lost). */
const MAX_WINDOW_MINUTES = 24 * 60;
/** Line breaks and other controls in a subject would let a value inject mail headers. */
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;

/** The settings from `CX_BRAND` and `CX_RESET_WINDOW_MINUTES`; unset or empty means the default. */
export function emailSettingsFromEnv(env: NodeJS.ProcessEnv): EmailSettings {
  return {
    brand: brandFrom(env.CX_BRAND),
    resetWindowMinutes: windowFrom(env.CX_RESET_WINDOW_MINUTES),
  };
}

function brandFrom(raw: string | undefined): string {
  if (raw === undefined || raw.trim() === '') return DEFAULT_EMAIL_SETTINGS.brand;
  const brand = raw.trim().normalize('NFC');
  if (CONTROL.test(brand)) throw new UsageError('CX_BRAND contains a line break or control character');
  if (looksLikeSecret(brand)) throw new UsageError('CX_BRAND holds what looks like a secret, not a name (not shown)');
  if ([...brand].length > MAX_BRAND_LENGTH) {
    throw new UsageError(`CX_BRAND is longer than ${MAX_BRAND_LENGTH} characters: ${JSON.stringify(brand)}`);
  }
  return brand;
}

function windowFrom(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_EMAIL_SETTINGS.resetWindowMinutes;
  const text = raw.trim();
  const minutes = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(minutes) || minutes < 1 || minutes > MAX_WINDOW_MINUTES) {
    throw new UsageError(
      `CX_RESET_WINDOW_MINUTES must be a whole number of minutes from 1 to ${MAX_WINDOW_MINUTES}: ${shownValue(raw)}`,
      `unset it to use the default (${DEFAULT_EMAIL_SETTINGS.resetWindowMinutes})`,
    );
  }
  return minutes;
}
