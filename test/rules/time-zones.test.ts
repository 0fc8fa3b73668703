// Times in the process's own zone are read with Date's getters, without Intl (issue 22: the first
// Intl.DateTimeFormat costs a start-up more than a lookup); in any other zone through @date-fns/tz. Both must
// say what Intl says, on either side of every daylight-saving change; and the system's zone is named from
// /etc/localtime's link as Intl names it.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processZone, systemZone, zoneOfLink } from '../../src/config/system-zone.js';
import { dayForPeople, localTime, timeForPeople } from '../../src/render/times.js';
import { tempDir } from '../helpers/cx.js';

const savedTz = process.env.TZ;
afterEach(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

const formats = new Map<string, Intl.DateTimeFormat>();
/** What Intl writes for `t` in `tz`: "2026-03-08 03:00". */
function intlTime(t: Date, tz: string): string {
  let format = formats.get(tz);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    formats.set(tz, format);
  }
  const parts = format.formatToParts(t);
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

// Zones with DST both ways, a half-hour DST (Lord Howe), a 45-minute offset, none, and one that changed rules.
const ZONES = ['America/Chicago', 'Europe/Paris', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Asia/Tokyo', 'America/Sao_Paulo', 'UTC'];
/** Every 97 minutes over two years, across each zone's changes, and the year 1999. */
const INSTANTS = [
  ...Array.from({ length: 2 * 365 * 15 }, (_, i) => new Date(Date.UTC(2025, 0, 1) + i * 97 * 60_000)),
  ...Array.from({ length: 365 }, (_, i) => new Date(Date.UTC(1999, 0, 1, 7) + i * 86_400_000)),
];

describe("a time in the process's own zone (Date's getters) and in another (@date-fns/tz)", () => {
  it.each(ZONES)('%s: both say what Intl says', (zone) => {
    process.env.TZ = zone; // this zone is the process's own: Date's getters
    expect(processZone()).toBe(zone);
    const other = zone === 'Asia/Tokyo' ? 'Europe/Paris' : 'Asia/Tokyo';
    for (const t of INSTANTS) {
      expect(localTime(t.toISOString(), zone), `${t.toISOString()} in ${zone}`).toBe(intlTime(t, zone));
      expect(localTime(t.toISOString(), other), `${t.toISOString()} in ${other}`).toBe(intlTime(t, other));
    }
  });

  it("the day names and days ago are the same whichever way the zone's times are read", () => {
    const now = new Date('2026-03-29T00:30:00Z'); // Paris changes to summer time that night
    const clock = { now, tz: 'Europe/Paris' };
    const times = [-49, -25, -24, -23, -2, -1, 0, 1, 2, 22, 23, 24, 25].map((h) => new Date(now.getTime() + h * 3_600_000).toISOString());
    process.env.TZ = 'Europe/Paris';
    const own = times.map((iso) => [timeForPeople(iso, clock), dayForPeople(iso, clock)]);
    process.env.TZ = 'America/Chicago';
    const other = times.map((iso) => [timeForPeople(iso, clock), dayForPeople(iso, clock)]);
    expect(own).toEqual(other);
    expect(own[4]).toEqual(['yesterday 23:30, 2h ago', 'yesterday']);
  });
});

describe("the system's zone, named without Intl", () => {
  it('the zone a link to a zone file names, and null for what is not one', () => {
    const dir = tempDir();
    const link = (name: string, target: string) => {
      symlinkSync(target, join(dir, name));
      return zoneOfLink(join(dir, name));
    };
    expect(link('paris', '/usr/share/zoneinfo/Europe/Paris')).toBe('Europe/Paris');
    expect(link('relative', '../usr/share/zoneinfo/America/Argentina/Buenos_Aires')).toBe('America/Argentina/Buenos_Aires');
    expect(link('mac', '/var/db/timezone/zoneinfo/Asia/Tokyo')).toBe('Asia/Tokyo');
    expect(link('posix', '/usr/share/zoneinfo/posix/Europe/Berlin')).toBe('Europe/Berlin');
    expect(link('utc', '/usr/share/zoneinfo/Etc/UTC')).toBe('UTC'); // as Intl calls it
    expect(link('zulu', '/usr/share/zoneinfo/Zulu')).toBe('UTC');
    expect(link('offset', '/usr/share/zoneinfo/Etc/GMT+5')).toBe('Etc/GMT+5');
    expect(link('right', '/usr/share/zoneinfo/right/Europe/Paris')).toBeNull();
    expect(link('rules', '/usr/share/zoneinfo/posixrules')).toBeNull();
    expect(link('elsewhere', '/opt/zones/Europe/Paris')).toBeNull();
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'copy'), 'TZif');
    expect(zoneOfLink(join(dir, 'copy'))).toBeNull(); // a copied zone file: Intl is asked
    expect(zoneOfLink(join(dir, 'absent'))).toBeNull();
  });

  it("is a zone whose times are those of Intl's default zone; with $TZ set, Intl's own answer", () => {
    delete process.env.TZ;
    const zone = systemZone({});
    const intlDefault = Intl.DateTimeFormat().resolvedOptions().timeZone;
    for (const t of INSTANTS.filter((_, i) => i % 50 === 0)) expect(intlTime(t, zone)).toBe(intlTime(t, intlDefault));
    process.env.TZ = 'Asia/Kathmandu';
    expect(systemZone({ TZ: 'Asia/Kathmandu' })).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });
});
