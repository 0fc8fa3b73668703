// "Did you mean": when no account uses an address, suggest (never substitute) likely addresses:
// a typo in a well-known mail domain (rules/email.ts suggestDomain), and existing accounts one or two
// edits away. Those are found through two bounded index reads (store/lookup-suggest.ts): the same first
// half of the local part on the same domain, or the same second half and domain. Two edits, one in each
// half, are missed: the price of never scanning a table of millions.
import { editDistance, suggestDomain } from '../rules/email.js';
import type { Db } from '../store/db.js';
import { emailKeysWithPrefix, emailKeysWithSuffix } from '../store/lookup-suggest.js';

export const MAX_EDITS = 2;
export const MAX_SUGGESTIONS = 5;

/** Suggestions for an address (a lookup key) that matched nothing: the domain fix first, then by distance. */
export function suggestAddresses(db: Db, address: string): string[] {
  const fixedDomain = suggestDomain(address);
  const near = new Map<string, number>();
  for (const typed of fixedDomain ? [address, fixedDomain] : [address]) {
    for (const [candidate, edits] of nearbyAddresses(db, typed)) {
      if (candidate !== fixedDomain) near.set(candidate, Math.min(edits, near.get(candidate) ?? edits));
    }
  }
  const ranked = [...near].sort(([a, x], [b, y]) => x - y || (a < b ? -1 : 1)).map(([candidate]) => candidate);
  return [...(fixedDomain ? [fixedDomain] : []), ...ranked].slice(0, MAX_SUGGESTIONS);
}

/** Current addresses on the same domain within MAX_EDITS of `address` in the local part, with the distance. */
export function nearbyAddresses(db: Db, address: string): Map<string, number> {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  const chars = [...local]; // by code point: never split a surrogate pair
  const half = Math.floor(chars.length / 2);
  const near = { length: [...address].length, slack: MAX_EDITS };
  const candidates = new Set([
    ...emailKeysWithPrefix(db, chars.slice(0, half).join(''), domain, near),
    ...emailKeysWithSuffix(db, `${chars.slice(half).join('')}@${domain}`, near),
  ]);
  const found = new Map<string, number>();
  for (const candidate of candidates) {
    if (candidate === address) continue;
    const edits = editDistance(local, candidate.slice(0, candidate.lastIndexOf('@')));
    if (edits <= MAX_EDITS) found.set(candidate, edits);
  }
  return found;
}
