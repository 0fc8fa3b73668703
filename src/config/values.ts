// Checks for setting values that more than one source can give (the config file, the environment).
import type { Checked } from '../rules/tickets.js';

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

/** The platform's base URL (CONTRACTS.md "Platform sync"): https://, or http:// for localhost only. */
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
