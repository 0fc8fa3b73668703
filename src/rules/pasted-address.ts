// What an agent pastes from a mail client or a ticket: `Jane Doe <jane.doe@gmail.com>`, `"Doe, Jane"
// <jane.doe@gmail.com>`, or an address with the sentence's punctuation still on it (`jane.doe@gmail.com,`).
// The address is taken out and the name kept as a hint for the agent; nothing else about the text is
// guessed. Pure.

export interface Pasted {
  /** The address to look up. */
  address: string;
  /** The display name that came with it, if any (a hint: never used to find or choose the account). */
  name: string | null;
}

const NAME_AND_ADDRESS = /^\s*(.*?)\s*<([^<>]*)>\s*[,.;]*\s*$/s;
const TRAILING_PUNCTUATION = /[,.;]+\s*$/;

/**
 * The address inside pasted text, or null when the text is not one of the pasted forms (then it is checked
 * as typed). A bare `<address>` is left to the address rules, which accept it already.
 */
export function readPasted(raw: string): Pasted | null {
  const named = NAME_AND_ADDRESS.exec(raw);
  if (named && named[1] !== '') {
    const name = named[1]!.replace(/^"(.*)"$/s, '$1').trim();
    return { address: named[2]!.trim(), name: name || null };
  }
  if (TRAILING_PUNCTUATION.test(raw)) return { address: raw.replace(TRAILING_PUNCTUATION, '').trim(), name: null };
  return null;
}
