// The platform's record of this mirror's audit log (src/sync/witness.ts), asked by `cx audit --verify` and
// `cx db doctor` (its `audit_remote` check) whenever a platform is configured (CX_PLATFORM_URL, or
// platform_url in the config file): null when none is.
import type { Context } from '../context.js';
import { platformSettings } from '../config/platform.js';
import { mirrorId } from '../store/audit-anchor.js';
import type { Db } from '../store/db.js';
import { signer } from '../sync/signer.js';
import { connectPlatform } from '../sync/transport.js';
import { askPlatformAnchor, type PlatformRecord } from '../sync/witness.js';

/** Whether a platform is configured: its URL is set (checked, with the secret, when it is asked). */
export function platformConfigured(ctx: Pick<Context, 'settings'>): boolean {
  return ctx.settings.platform_url.value !== null;
}

/**
 * Ask the platform for its anchor of this mirror's log; null when no platform is configured. A URL or secret
 * that is set but not usable throws the UsageError `cx sync push` would (exit 2: a setting to fix).
 */
export async function askWitness(ctx: Pick<Context, 'settings' | 'io'>, db: Db): Promise<PlatformRecord | null> {
  if (!platformConfigured(ctx)) return null;
  const settings = platformSettings({ env: ctx.io.env, url: { value: ctx.settings.platform_url.value, from: ctx.settings.platform_url.from } });
  const platform = connectPlatform(settings.base, 1, settings.timeoutMs);
  try {
    return await askPlatformAnchor({ platform, sign: signer(settings.secret), clock: Date.now, random: Math.random, cancel: new AbortController().signal }, mirrorId(db));
  } finally {
    await platform.close();
  }
}
