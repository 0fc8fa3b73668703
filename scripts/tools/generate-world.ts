// The benchmark world: ~7% providers, the rest clients, streamed into the sink one account at a time
// (with that client's appointments, former addresses and suppressions right after). What is kept in
// memory is small per account: the set of taken mailboxes, the UUIDs handed out, the provider pools.
import { AddressBook, reversed, type Address } from './generate-addresses.js';
import { Caseload, DAY, HOUR, MINUTE, PLATFORM_START, TODAY, YEAR, isoDate, isoTime, splitNotes, type BookedVia } from './generate-caseload.js';
import { FIRST_NAMES, LAST_NAMES, STATES, nameKeyOf } from './generate-people.js';
import { Rng, Weighted, sampleIndexes, seedFromText } from './generate-random.js';
import type { RowSink } from './generate-sink.js';

export const DEPARTING_EMAIL = 'departing.provider@example.com';
export const DEPARTING_FORMER_EMAIL = 'old.departing@example.com';
const DEPARTING_CASELOAD = 200;

export interface WorldOptions {
  accounts: number;
  departingNotes: number;
  seed: number;
  /**
   * The share of family children (0 to 1) whose account a parent set up under their own identity: the
   * parent's name and date of birth, the name alone, or the date of birth alone (a third each). 0 by default,
   * so a seed's world stays what it was.
   */
  misnamedChildren?: number;
}

/** How a misnamed child's account repeats the parent's identity (cx family flags each of them). */
export type Misnamed = 'name_and_dob' | 'name' | 'dob';
const MISNAMED = new Weighted<Misnamed>([['name_and_dob', 1], ['name', 1], ['dob', 1]]);

export interface WorldSummary {
  providers: number;
  clients: number;
  families: number;
  /** Family children whose account repeats the parent's name or date of birth, by how. */
  misnamed: Record<Misnamed, number>;
  departing: { id: string; email: string; formerEmail: string; clients: number; notes: number };
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

interface PoolEntry {
  id: string;
  since: number;
}

const PROVIDERS_PER_CASE = new Weighted<number>([[1, 70], [2, 22], [3, 8]]);
const SUPPRESSION_REASONS = new Weighted<string>([['unsubscribe', 70], ['bounce', 20], ['complaint', 10]]);

export class World {
  private readonly rng: Rng;
  private readonly caseload: Caseload;
  private readonly addresses: AddressBook;
  private readonly departingAddress: Address;
  private readonly departingFormerAddress: Address;
  private readonly uuids = new Set<string>();
  /** Providers taking clients, with the time they joined: nobody sees a provider before that. */
  private readonly pool: PoolEntry[] = [];
  private readonly poolByState = new Map<string, PoolEntry[]>();
  private families = 0;
  /**
   * Its own stream, seeded apart from the world's: drawing from it leaves every other row of the seed as it
   * was, with or without misnamed children.
   */
  private readonly misnamedRng: Rng;
  private readonly misnamed: Record<Misnamed, number> = { name_and_dob: 0, name: 0, dob: 0 };

  constructor(
    private readonly sink: RowSink,
    private readonly options: WorldOptions,
  ) {
    this.rng = new Rng(options.seed);
    this.addresses = new AddressBook(this.rng);
    this.caseload = new Caseload(sink, this.rng.fork('caseload'));
    this.departingAddress = this.addresses.claim(DEPARTING_EMAIL);
    this.departingFormerAddress = this.addresses.claim(DEPARTING_FORMER_EMAIL);
    this.misnamedRng = new Rng(seedFromText(`${options.seed}:misnamed-children`));
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
      misnamed: { ...this.misnamed },
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
    // The departing provider joined early: a long-running caseload carries the notes.
    const createdMs = isDeparting
      ? between(rng, PLATFORM_START, PLATFORM_START + YEAR, 1)
      : verified
        ? between(rng, PLATFORM_START, TODAY - 30 * DAY, 0.8)
        : TODAY - rng.int(1, 60) * DAY - rng.int(0, 23) * HOUR;
    const terminated = verified && !isDeparting && createdMs < TODAY - YEAR && rng.chance(0.04);
    const p: Person = {
      id: rng.chance(0.1) ? this.uuid() : `p${i + 1}`,
      role: 'provider',
      first,
      last,
      address: isDeparting ? this.departingAddress : this.addresses.provider(first, last),
      dob: null,
      status: terminated ? 'terminated' : 'active',
      createdMs,
      verifiedMs: verified ? createdMs + rng.int(5, 4320) * MINUTE : null,
      lastActiveMs: !verified ? createdMs : terminated ? between(rng, createdMs + 180 * DAY, TODAY - DAY, 1) : TODAY - rng.int(0, 14 * 24) * HOUR,
      state,
    };
    this.write(p);
    if (isDeparting) this.former(p, this.departingFormerAddress);
    else this.extras(p);
    if (verified && !terminated && !isDeparting) {
      const entry = { id: p.id, since: p.verifiedMs! };
      this.pool.push(entry);
      const local = this.poolByState.get(state);
      if (local) local.push(entry);
      else this.poolByState.set(state, [entry]);
    }
    return p;
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
    const deactivated = verified && !departing && createdMs < TODAY - 60 * DAY && rng.chance(0.01);
    const endMs = deactivated ? between(rng, createdMs + 30 * DAY, TODAY - DAY, 1) : TODAY;
    const c: Person = {
      id: this.clientId(ordinal),
      role: 'client',
      first,
      last,
      address: family ? this.addresses.alias(family.parent.address, first, family.tags) : this.addresses.personal(first, last, new Date(dobMs).getUTCFullYear(), isParent),
      dob: isoDate(dobMs),
      status: deactivated ? 'deactivated' : 'active',
      createdMs,
      verifiedMs: null,
      lastActiveMs: createdMs,
      state: parent ? parent.state : STATES.draw(rng),
    };
    // The address keeps the child's own name (jane.doe+sam@); the account may carry the parent's.
    if (parent) this.misname(c, parent);
    let lastSeen = createdMs;
    if (departing) lastSeen = this.departingCase(c, departingId, departing);
    if (verified) {
      const wanted = PROVIDERS_PER_CASE.draw(rng) - (departing ? 1 : 0);
      const seen = new Set<string>();
      for (let r = 0; r < wanted; r++) {
        const provider = this.pickProvider(c.state);
        if (provider === null || seen.has(provider.id)) continue;
        const earliest = Math.max(c.createdMs, provider.since);
        const latest = Math.min(endMs, TODAY) - 3 * DAY; // room for the slot to move a day or two later
        if (earliest > latest) continue;
        seen.add(provider.id);
        const intakeMs = between(rng, earliest, latest, 2);
        const times = this.caseload.schedule(intakeMs, this.caseload.sessionCount(), endMs);
        this.caseload.book(provider.id, c.id, rng.chance(0.65) ? 'search' : 'provider', times);
        for (const t of times) if (t <= endMs && t <= TODAY && t > lastSeen) lastSeen = t;
      }
      c.verifiedMs = Math.min(c.createdMs + rng.int(2, 2880) * MINUTE, TODAY);
      c.lastActiveMs = Math.min(Math.max(lastSeen, c.verifiedMs) + rng.int(0, 72) * HOUR, endMs, TODAY);
    }
    this.write(c);
    this.extras(c);
    return c;
  }

  /** A parent who set the child's account up under their own name, date of birth, or both. */
  private misname(child: Person, parent: Person): void {
    const share = this.options.misnamedChildren ?? 0;
    if (share <= 0 || !this.misnamedRng.chance(share)) return;
    const how = MISNAMED.draw(this.misnamedRng);
    if (how !== 'dob') child.first = parent.first;
    if (how !== 'name') child.dob = parent.dob;
    this.misnamed[how] += 1;
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
      formerAddress = this.addresses.personal(p.first, p.last, null);
      this.former(p, formerAddress);
      if (rng.chance(0.1)) this.former(p, this.addresses.personal(p.first, p.last, null));
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

  private pickProvider(state: string | null): PoolEntry | null {
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
}

/** A time in [lo, hi]; power > 1 leans early, < 1 leans late (the platform grew over the years). */
function between(rng: Rng, lo: number, hi: number, power: number): number {
  if (hi <= lo) return lo;
  return Math.floor(lo + (hi - lo) * rng.next() ** power);
}
