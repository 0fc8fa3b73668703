// The benchmark world: ~7% providers, the rest clients, streamed into the sink one account at a time
// (with that client's appointments, former addresses and suppressions right after), so memory stays
// flat whatever --accounts is. Only the provider pools and the set of taken mailboxes are kept.
import { addressKey, baseMailboxKey, mailboxKey } from '../rules/email.js';
import { Caseload, DAY, HOUR, MINUTE, PLATFORM_START, TODAY, YEAR, isoDate, isoTime, splitNotes, type BookedVia } from './generate-caseload.js';
import { FIRST_NAMES, LAST_NAMES, PERSONAL_DOMAINS, STATES, asTyped, companyDomains, folded, localPart, nameKeyOf, practiceDomains } from './generate-people.js';
import { Rng, Weighted, sampleIndexes } from './generate-random.js';
import type { MirrorSink } from './generate-sink.js';

export const DEPARTING_EMAIL = 'departing.provider@example.com';
export const DEPARTING_FORMER_EMAIL = 'old.departing@example.com';
const DEPARTING_CASELOAD = 200;

export interface WorldOptions {
  accounts: number;
  departingNotes: number;
  seed: number;
}

export interface WorldSummary {
  providers: number;
  clients: number;
  families: number;
  departing: { id: string; email: string; formerEmail: string; clients: number; notes: number };
}

interface Address {
  email: string;
  key: string;
  mailbox: string;
  base: string;
}

interface Person {
  id: string;
  role: 'client' | 'provider';
  first: string;
  last: string;
  address: Address;
  dob: string | null;
  status: 'active' | 'deactivated' | 'terminated';
  createdMs: number;
  verifiedMs: number | null;
  lastActiveMs: number | null;
  state: string | null;
}

const PROVIDERS_PER_CASE = new Weighted<number>([[1, 70], [2, 22], [3, 8]]);
const SUPPRESSION_REASONS = new Weighted<string>([['unsubscribe', 70], ['bounce', 20], ['complaint', 10]]);
const CREDENTIALS = ['lcsw', 'lpc', 'phd', 'psyd', 'lmft'];

export class World {
  private readonly rng: Rng;
  private readonly caseload: Caseload;
  /** Base mailboxes in use: one person per mailbox, except the +alias children of a family. */
  private readonly taken = new Set<string>();
  private readonly uuids = new Set<string>();
  private readonly practices: string[];
  private readonly companies: string[];
  private readonly pool: string[] = [];
  private readonly poolByState = new Map<string, string[]>();
  private families = 0;

  constructor(
    private readonly sink: MirrorSink,
    private readonly options: WorldOptions,
  ) {
    this.rng = new Rng(options.seed);
    this.practices = practiceDomains(this.rng);
    this.companies = companyDomains(this.rng);
    this.caseload = new Caseload(sink, this.rng.fork('caseload'));
    this.claim(DEPARTING_EMAIL);
    this.claim(DEPARTING_FORMER_EMAIL);
  }

  run(): WorldSummary {
    const { accounts, departingNotes } = this.options;
    const providers = Math.max(1, Math.round(accounts * 0.07));
    const clients = accounts - providers;
    const departingIndex = this.rng.int(0, providers - 1);
    let departingId = '';
    for (let i = 0; i < providers; i++) {
      const p = this.provider(i, i === departingIndex);
      if (i === departingIndex) departingId = p.id;
    }
    const chosen = sampleIndexes(this.rng, clients, DEPARTING_CASELOAD);
    const noteCounts = splitNotes(this.rng, departingNotes, chosen.length);
    const departing = new Map(chosen.map((ordinal, k) => [ordinal, { k, notes: noteCounts[k]! }]));
    for (let ordinal = 0; ordinal < clients; ) {
      const left = clients - ordinal - 1;
      const children = left > 0 && !departing.has(ordinal) && this.rng.chance(0.008) ? Math.min(this.rng.int(1, 2), left) : 0;
      const parent = this.client(ordinal, departing.get(ordinal), departingId, null, children > 0);
      ordinal += 1;
      const tags = new Set<string>();
      for (let c = 0; c < children; c++, ordinal++) this.client(ordinal, departing.get(ordinal), departingId, { parent, tags }, false);
      if (children) this.families += 1;
    }
    return {
      providers,
      clients,
      families: this.families,
      departing: { id: departingId, email: DEPARTING_EMAIL, formerEmail: DEPARTING_FORMER_EMAIL, clients: chosen.length, notes: departingNotes },
    };
  }

  private provider(i: number, isDeparting: boolean): Person {
    const rng = this.rng;
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    let state = STATES.draw(rng);
    while (state === null) state = STATES.draw(rng);
    const verified = isDeparting || rng.chance(0.9);
    const createdMs = verified ? between(rng, PLATFORM_START, TODAY - 30 * DAY, 0.8) : TODAY - rng.int(1, 60) * DAY - rng.int(0, 23) * HOUR;
    const terminated = verified && !isDeparting && rng.chance(0.04);
    const p: Person = {
      id: rng.chance(0.1) ? this.uuid() : `p${i + 1}`,
      role: 'provider',
      first,
      last,
      address: isDeparting ? keys(DEPARTING_EMAIL) : this.providerAddress(first, last),
      dob: null,
      status: terminated ? 'terminated' : 'active',
      createdMs,
      verifiedMs: verified ? createdMs + rng.int(5, 4320) * MINUTE : null,
      lastActiveMs: !verified ? createdMs : terminated ? between(rng, createdMs + 180 * DAY, TODAY - DAY, 1) : TODAY - rng.int(0, 14 * 24) * HOUR,
      state,
    };
    this.write(p);
    if (isDeparting) this.former(p, keys(DEPARTING_FORMER_EMAIL));
    else this.extras(p);
    if (verified && !terminated && !isDeparting) {
      this.pool.push(p.id);
      const local = this.poolByState.get(state);
      if (local) local.push(p.id);
      else this.poolByState.set(state, [p.id]);
    }
    return p;
  }

  private providerAddress(first: string, last: string): Address {
    const rng = this.rng;
    if (rng.chance(0.5)) {
      const [f, l] = [folded(first), folded(last)];
      const shapes = [`${f[0]}.${l}`, f, `${f}.${l}`, `dr.${l}`, `${f}${l[0]}`];
      return this.fresh(() => asTyped(rng, rng.pick(shapes), rng.pick(this.practices)));
    }
    const credential = rng.chance(0.2) ? `.${rng.pick(CREDENTIALS)}` : '';
    return this.fresh(() => this.personalAddress(localPart(rng, first, last, null) + credential));
  }

  private client(ordinal: number, departing: { k: number; notes: number } | undefined, departingId: string, family: { parent: Person; tags: Set<string> } | null, isParent: boolean): Person {
    const rng = this.rng;
    const parent = family?.parent ?? null;
    const first = rng.pick(FIRST_NAMES);
    const last = parent ? parent.last : rng.pick(LAST_NAMES);
    const minor = parent !== null || (!departing && !isParent && rng.chance(0.05));
    const age = parent ? rng.int(10, 17) : minor ? rng.int(13, 17) : isParent ? rng.int(32, 55) : 18 + Math.floor(62 * rng.next() ** 1.6);
    const dobMs = TODAY - age * YEAR - rng.int(0, 364) * DAY;
    let createdMs = parent ? Math.min(parent.createdMs + rng.int(1, 400) * DAY, TODAY - HOUR) : between(rng, PLATFORM_START, TODAY - HOUR, 0.5);
    if (minor) createdMs = Math.min(Math.max(createdMs, dobMs + 12 * YEAR), TODAY - HOUR);
    const verified = departing !== undefined || rng.chance(parent ? 0.95 : 0.9);
    const deactivated = verified && !departing && rng.chance(0.01);
    const endMs = deactivated ? between(rng, createdMs + 30 * DAY, TODAY - DAY, 1) : TODAY;
    const c: Person = {
      id: this.clientId(ordinal),
      role: 'client',
      first,
      last,
      address: family ? this.aliasOf(family.parent, first, family.tags) : this.fresh(() => this.personalAddress(localPart(rng, first, last, new Date(dobMs).getUTCFullYear()), isParent)),
      dob: isoDate(dobMs),
      status: deactivated ? 'deactivated' : 'active',
      createdMs,
      verifiedMs: null,
      lastActiveMs: createdMs,
      state: parent ? parent.state : STATES.draw(rng),
    };
    let lastSeen = createdMs;
    if (departing) lastSeen = this.departingCase(c, departingId, departing);
    if (verified) {
      const wanted = PROVIDERS_PER_CASE.draw(rng) - (departing ? 1 : 0);
      const seen = new Set<string>();
      for (let r = 0; r < wanted; r++) {
        const providerId = this.pickProvider(c.state);
        if (providerId === null || seen.has(providerId)) continue;
        seen.add(providerId);
        const intakeMs = between(rng, c.createdMs, Math.max(c.createdMs, Math.min(endMs, TODAY) - DAY), 2);
        const times = this.caseload.schedule(intakeMs, this.caseload.sessionCount(), endMs);
        this.caseload.book(providerId, c.id, rng.chance(0.65) ? 'search' : 'provider', times);
        for (const t of times) if (t <= endMs && t <= TODAY && t > lastSeen) lastSeen = t;
      }
      c.verifiedMs = c.createdMs + rng.int(2, 2880) * MINUTE;
      c.lastActiveMs = Math.min(Math.max(lastSeen, c.verifiedMs) + rng.int(0, 72) * HOUR, endMs, TODAY);
    }
    this.write(c);
    this.extras(c);
    return c;
  }

  /** The departing provider's client: an unbroken weekly run long enough to carry this client's notes. */
  private departingCase(c: Person, providerId: string, departing: { k: number; notes: number }): number {
    const rng = this.rng;
    const sessions = Math.max(departing.notes - 1, this.caseload.sessionCount());
    const span = (departing.notes + 1) * 8 * DAY;
    const intakeMs = TODAY - span - rng.int(1, 60) * DAY;
    if (c.createdMs > intakeMs - DAY) c.createdMs = intakeMs - rng.int(1, 20) * DAY;
    const times = this.caseload.schedule(intakeMs, sessions, TODAY, 7);
    // Both ways in, whatever the seed: the first two intakes are one of each.
    const via: BookedVia = departing.k === 0 ? 'search' : departing.k === 1 ? 'provider' : rng.chance(0.65) ? 'search' : 'provider';
    this.caseload.book(providerId, c.id, via, times);
    this.caseload.writeNotes(providerId, c.id, c.first, times, departing.notes);
    return times.filter((t) => t <= TODAY).at(-1) ?? c.createdMs;
  }

  /** Former addresses (~3%) and suppressions (~2%) of this account. */
  private extras(p: Person): void {
    const rng = this.rng;
    let formerAddress: Address | null = null;
    if (rng.chance(0.03)) {
      formerAddress = this.fresh(() => this.personalAddress(localPart(rng, p.first, p.last, null)));
      this.former(p, formerAddress);
      if (rng.chance(0.1)) this.former(p, this.fresh(() => this.personalAddress(localPart(rng, p.first, p.last, null))));
    }
    if (p.address.email !== DEPARTING_EMAIL && rng.chance(0.02)) {
      const target = formerAddress && rng.chance(0.3) ? formerAddress : p.address;
      const at = between(rng, p.createdMs, TODAY, 1);
      this.sink.add('suppressions', [target.key, target.email, SUPPRESSION_REASONS.draw(rng), isoTime(at)]);
    }
  }

  private former(p: Person, a: Address): void {
    this.sink.add('former_emails', [p.id, a.email, a.key, isoTime(between(this.rng, p.createdMs, TODAY - DAY, 1))]);
  }

  private write(p: Person): void {
    const a = p.address;
    this.sink.add('accounts', [
      p.id, a.email, a.key, a.mailbox, a.base, reversed(a.key), p.role, p.first, p.last,
      nameKeyOf(p.first), nameKeyOf(p.last), p.dob, p.status, p.verifiedMs === null ? null : isoTime(p.verifiedMs),
      isoTime(p.createdMs), p.lastActiveMs === null ? null : isoTime(p.lastActiveMs), p.state,
    ]);
  }

  private pickProvider(state: string | null): string | null {
    const local = state === null ? undefined : this.poolByState.get(state);
    const from = local && this.rng.chance(0.85) ? local : this.pool;
    return from.length ? this.rng.pick(from) : null;
  }

  private clientId(ordinal: number): string {
    const r = this.rng.next();
    if (r < 0.1) return this.uuid();
    if (r < 0.2) return String(ordinal + 1);
    return `c${100_000 + ordinal}`;
  }

  private uuid(): string {
    let id = this.rng.uuid();
    while (this.uuids.has(id)) id = this.rng.uuid();
    this.uuids.add(id);
    return id;
  }

  /** A personal address on a webmail domain (Gmail for family parents), or at an employer. */
  private personalAddress(local: string, gmail = false): string {
    let domain = gmail ? (this.rng.chance(0.97) ? 'gmail.com' : 'googlemail.com') : PERSONAL_DOMAINS.draw(this.rng);
    if (domain === 'generic') domain = this.rng.pick(this.companies);
    // Gmail names are letters, digits and dots only.
    if (domain === 'gmail.com' || domain === 'googlemail.com') local = local.replace(/_/g, '.');
    return asTyped(this.rng, local, domain);
  }

  /** A child's `parent+name@` address: same mailbox, its own tag. */
  private aliasOf(parent: Person, childFirst: string, tags: Set<string>): Address {
    const key = parent.address.key;
    const at = key.lastIndexOf('@');
    let tag = folded(childFirst);
    while (tags.has(tag)) tag += String(tags.size + 1);
    tags.add(tag);
    return keys(`${key.slice(0, at)}+${tag}${key.slice(at)}`);
  }

  /** Draws addresses until one reaches a mailbox nobody has; later tries add digits, as people do. */
  private fresh(draw: () => string): Address {
    for (let attempt = 0; ; attempt++) {
      let email = draw();
      if (attempt > 0) {
        const at = email.lastIndexOf('@');
        email = `${email.slice(0, at)}${this.rng.int(1, 10 ** Math.min(attempt + 1, 6))}${email.slice(at)}`;
      }
      const a = keys(email);
      if (!this.taken.has(a.base)) {
        this.taken.add(a.base);
        return a;
      }
    }
  }

  private claim(email: string): void {
    this.taken.add(keys(email).base);
  }
}

/** email_rev as the import computes it (by code point); the fast path covers keys without surrogates. */
function reversed(key: string): string {
  return /[\ud800-\udfff]/.test(key) ? [...key].reverse().join('') : key.split('').reverse().join('');
}

function keys(email: string): Address {
  const key = addressKey(email);
  return { email, key, mailbox: mailboxKey(key), base: baseMailboxKey(key) };
}

/** A time in [lo, hi]; power > 1 leans early, < 1 leans late (the platform grew over the years). */
function between(rng: Rng, lo: number, hi: number, power: number): number {
  if (hi <= lo) return lo;
  return Math.floor(lo + (hi - lo) * rng.next() ** power);
}
