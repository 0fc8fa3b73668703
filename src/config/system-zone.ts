// The time zone a process keeps when nothing names one ($TZ unset): the system's, named from the link
// /etc/localtime is (…/zoneinfo/Europe/Paris), as ICU itself finds it. Not through Intl: the first
// Intl.DateTimeFormat builds ICU's locale tables, ~115 M instructions, more than a whole lookup's own work
// (issue 22). Where the system does not say it that way (no link, $TZ set), Intl is asked, as before.
import { readlinkSync } from 'node:fs';

// The areas of IANA zone names: a link to anything else (posixrules, a private folder) is left to Intl.
const AREAS = /^(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)\/[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)?$/;

/** The names of UTC a system may link to, which Intl (ECMA-402) calls "UTC" whatever the name. */
const UTC_NAMES: ReadonlySet<string> = new Set([
  'Etc/UTC', 'Etc/UCT', 'Etc/Universal', 'Etc/Zulu', 'Etc/GMT', 'Etc/GMT0', 'Etc/GMT+0', 'Etc/GMT-0', 'Etc/Greenwich',
  'UTC', 'UCT', 'Universal', 'Zulu', 'GMT', 'GMT0', 'GMT+0', 'GMT-0', 'Greenwich',
]);

let fromLink: string | null | undefined;

/** The system's zone as an IANA name: what `Intl.DateTimeFormat().resolvedOptions().timeZone` says. */
export function systemZone(env: NodeJS.ProcessEnv): string {
  if (!env.TZ) {
    fromLink ??= zoneOfLink('/etc/localtime');
    if (fromLink) return fromLink;
  }
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/**
 * The zone this process's own Date keeps ($TZ, else the system's): a time in it is read with Date's own
 * getters (src/render/times.ts), no Intl needed. Read from process.env: it is the process's, whatever
 * environment a run was given.
 */
export function processZone(): string {
  return process.env.TZ || systemZone(process.env);
}

/** The zone named by the path a link points to (…/zoneinfo/<name>, also …/zoneinfo/posix/<name>), or null. */
export function zoneOfLink(link: string): string | null {
  let target: string;
  try {
    target = readlinkSync(link);
  } catch {
    return null; // not there, or a copy of a zone file rather than a link: Intl knows
  }
  const at = target.lastIndexOf('zoneinfo/');
  if (at < 0) return null;
  // posix/ holds the same zones; right/ counts leap seconds, which neither Date nor Intl does: Intl decides.
  const name = target.slice(at + 'zoneinfo/'.length).replace(/^posix\//, '');
  if (UTC_NAMES.has(name)) return 'UTC';
  return AREAS.test(name) ? name : null;
}
