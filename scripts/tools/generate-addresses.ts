// Addresses for generated people: one mailbox per person (Gmail dots and googlemail folded, as the rules
// fold them), except the `+alias` addresses a family shares. Keys come from the same rule functions the
// import uses, so every generated row looks exactly as if `cx db import` had loaded it.
import { addressKey, baseMailboxKey, mailboxKey } from '../../src/rules/address.js';
import { PERSONAL_DOMAINS, asTyped, companyDomains, folded, localPart, practiceDomains } from './generate-people.js';
import type { Rng } from './generate-random.js';

export interface Address {
  email: string;
  key: string;
  mailbox: string;
  base: string;
}

const CREDENTIALS = ['lcsw', 'lpc', 'phd', 'psyd', 'lmft'];

export class AddressBook {
  /** Base mailboxes in use. */
  private readonly taken = new Set<string>();
  private readonly practices: string[];
  private readonly companies: string[];

  constructor(private readonly rng: Rng) {
    this.practices = practiceDomains(rng);
    this.companies = companyDomains(rng);
  }

  /** Reserves a fixed address (the departing provider's) so no generated person gets its mailbox. */
  claim(email: string): Address {
    const a = keys(email);
    this.taken.add(a.base);
    return a;
  }

  /** A personal address on a webmail domain (Gmail for family parents), or at an employer. */
  personal(first: string, last: string, birthYear: number | null, gmail = false): Address {
    return this.fresh(() => this.webmail(localPart(this.rng, first, last, birthYear), gmail));
  }

  /** Half of providers write from their practice's domain, the rest from a personal one (some with a credential). */
  provider(first: string, last: string): Address {
    const rng = this.rng;
    if (rng.chance(0.5)) {
      const [f, l] = [folded(first), folded(last)];
      const shapes = [`${f[0]}.${l}`, f, `${f}.${l}`, `dr.${l}`, `${f}${l[0]}`];
      return this.fresh(() => asTyped(rng, rng.pick(shapes), rng.pick(this.practices)));
    }
    const credential = rng.chance(0.2) ? `.${rng.pick(CREDENTIALS)}` : '';
    return this.fresh(() => this.webmail(localPart(rng, first, last, null) + credential));
  }

  /** A child's `parent+name@` address: the parent's mailbox, a tag of its own within the family. */
  alias(parent: Address, childFirst: string, tags: Set<string>): Address {
    const at = parent.key.lastIndexOf('@');
    let tag = folded(childFirst);
    while (tags.has(tag)) tag += String(tags.size + 1);
    tags.add(tag);
    return keys(`${parent.key.slice(0, at)}+${tag}${parent.key.slice(at)}`);
  }

  private webmail(local: string, gmail = false): string {
    let domain = gmail ? (this.rng.chance(0.97) ? 'gmail.com' : 'googlemail.com') : PERSONAL_DOMAINS.draw(this.rng);
    if (domain === 'generic') domain = this.rng.pick(this.companies);
    // Gmail names are letters, digits and dots only.
    if (domain === 'gmail.com' || domain === 'googlemail.com') local = local.replace(/_/g, '.');
    return asTyped(this.rng, local, domain);
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
}

function keys(email: string): Address {
  const key = addressKey(email);
  return { email, key, mailbox: mailboxKey(key), base: baseMailboxKey(key) };
}

/** email_rev as the import computes it (by code point); the fast path covers keys without surrogates. */
export function reversed(key: string): string {
  return /[\ud800-\udfff]/.test(key) ? [...key].reverse().join('') : key.split('').reverse().join('');
}
