// A secret typed where a setting wants something else (a path, a name, a number, a URL) must never be echoed
// back: an error and `cx config` name the setting, never such a value. What a secret looks like here: a
// Standard Webhooks secret (`whsec_…`) or a mirror key (64 hex characters); and in a URL, the user name and
// password, either of which may be a credential.

/** True when `value` looks like a secret itself rather than what a setting takes. */
export function looksLikeSecret(value: string): boolean {
  const v = value.trim();
  return /whsec_/i.test(v) || /^[0-9a-f]{64}$/i.test(v);
}

/** What an error shows of a setting's value: the value quoted, unless it looks like a secret. */
export function shownValue(raw: string): string {
  return looksLikeSecret(raw) ? '(a value that looks like a secret: not shown)' : JSON.stringify(raw);
}

/** A URL with its user name and password replaced by `mask`; text that is not a URL as it is. */
export function withoutUserInfo(raw: string, mask: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw;
  }
  if (!url.username && !url.password) return raw;
  if (url.username) url.username = mask;
  if (url.password) url.password = mask;
  return url.href;
}
