// How a typed full name becomes index lookups on (last_key, first_key). People type names in either
// order and with spaces where the record has none ("Anne Marie" for "Anne-Marie", "Van der Berg"), so
// every split of the words into a first and a last name is tried, both ways round: each split is one
// equality lookup on the name index, and a name has few words.
import { nameKey } from '../rules/names.js';

export interface NameKeys {
  first: string;
  last: string;
}

/** Words beyond this many are not split every way (a pasted sentence is not a name). */
const MAX_WORDS = 6;

export function nameKeyPairs(typed: string): NameKeys[] {
  const words = typed
    .split(/\s+/u)
    .map(nameKey)
    .filter((w) => w !== '');
  if (words.length < 2 || words.length > MAX_WORDS) return [];
  const pairs = new Map<string, NameKeys>();
  for (let i = 1; i < words.length; i++) {
    const head = words.slice(0, i).join('');
    const tail = words.slice(i).join('');
    pairs.set(`${head} ${tail}`, { first: head, last: tail });
    pairs.set(`${tail} ${head}`, { first: tail, last: head });
  }
  return [...pairs.values()];
}
