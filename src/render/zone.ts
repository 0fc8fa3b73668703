// The agent's time zone, resolved once per run into the context (Context.tz): human output shows times in it.

/**
 * The agent's time zone: an IANA name from $TZ when it is one, else the system's. (The config file's `tz`
 * key, when it comes, goes before $TZ here.) A $TZ that is not a zone name falls back to the system zone.
 */
export function resolveTimeZone(env: NodeJS.ProcessEnv): string {
  const wanted = env.TZ?.replace(/^:/, '').trim();
  if (wanted && isTimeZone(wanted)) return wanted;
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
