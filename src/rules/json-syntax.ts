// Where JSON text first goes wrong, as a line and a column, for an error that must not quote the text:
// JSON.parse's own message quotes it ("Unexpected token 'w', "whsec_…" is not valid JSON"), and a settings
// file may hold a secret pasted in by mistake. Used only after JSON.parse refused the text.

export interface TextPlace {
  line: number;
  column: number;
}

/** The place of the first syntax error in `text` (1-based), or null when the scan finds none. */
export function jsonErrorPlace(text: string): TextPlace | null {
  const at = firstErrorOffset(text);
  if (at === null) return null;
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return { line, column: at - (before.lastIndexOf('\n') + 1) + 1 };
}

/** "line 3, column 14", or nothing when no place is known. */
export function describePlace(place: TextPlace | null): string {
  return place ? `line ${place.line}, column ${place.column}` : '';
}

class Bad {
  constructor(readonly at: number) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

function firstErrorOffset(text: string): number | null {
  try {
    const end = skipSpace(text, value(text, skipSpace(text, 0)));
    return end < text.length ? end : null;
  } catch (err) {
    if (err instanceof Bad) return Math.min(err.at, text.length);
    throw err;
  }
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i += 1;
  return i;
}

/** The offset just after the value starting at `i`. */
function value(s: string, i: number): number {
  switch (s[i]) {
    case '{':
      return members(s, i + 1, '}', (j) => {
        if (s[j] !== '"') throw new Bad(j);
        j = skipSpace(s, string(s, j));
        if (s[j] !== ':') throw new Bad(j);
        return value(s, skipSpace(s, j + 1));
      });
    case '[':
      return members(s, i + 1, ']', (j) => value(s, j));
    case '"':
      return string(s, i);
    default:
      for (const word of ['true', 'false', 'null']) if (s.startsWith(word, i)) return i + word.length;
      NUMBER.lastIndex = i;
      if (NUMBER.test(s)) return NUMBER.lastIndex;
      throw new Bad(i);
  }
}

/** The members of an object or array after its opening bracket, each read by `member`; past the closing one. */
function members(s: string, i: number, close: string, member: (at: number) => number): number {
  i = skipSpace(s, i);
  if (s[i] === close) return i + 1;
  for (;;) {
    i = skipSpace(s, member(i));
    if (s[i] === close) return i + 1;
    if (s[i] !== ',') throw new Bad(i);
    i = skipSpace(s, i + 1);
  }
}

function string(s: string, i: number): number {
  i += 1;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) throw new Bad(i);
    if (c === 0x5c) {
      ESCAPE.lastIndex = i;
      if (!ESCAPE.test(s)) throw new Bad(i);
      i = ESCAPE.lastIndex;
    } else {
      i += 1;
    }
  }
  throw new Bad(i);
}
