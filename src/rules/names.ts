// Name matching for `cx lookup --name`: what people type rarely matches the stored spelling
// in case, accents or punctuation ("Zoe Oneil" must find "Zoë O’Neil").

/** Letters NFKD does not decompose into a base letter plus marks, folded by hand. */
const FOLDS: Record<string, string> = {
  ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i',
};
const ASCII = /^[\x00-\x7f]*$/;
const FOLDABLE = new RegExp(`[${Object.keys(FOLDS).join('')}]`, 'gu');

/**
 * Case-, accent- and punctuation-insensitive key: NFKD, drop combining marks, lower-case,
 * fold ß æ œ ø ł đ ð þ ı, keep only a-z and 0-9. Scripts without a Latin form (e.g. CJK)
 * reduce to digits only or to '' — callers treat '' as "no usable name".
 */
export function nameKey(s: string): string {
  // ASCII has nothing to decompose or fold: the same key, without the Unicode passes (imports key millions).
  if (ASCII.test(s)) return s.toLowerCase().replace(/[^a-z0-9]/g, '');
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(FOLDABLE, (ch) => FOLDS[ch] ?? ch)
    .normalize('NFKD') // lower-casing can produce new combining marks (İ -> i + dot above)
    .replace(/[^a-z0-9]/g, '');
}

/**
 * "first last" -> { first, last } with last = everything after the first word (spacing
 * collapsed, original spelling kept). Words without a letter or digit ("-", ".") are
 * ignored. Null when fewer than two words remain.
 */
export function splitFullName(full: string): { first: string; last: string } | null {
  // An ASCII letter or digit answers without Unicode's tables (a start-up pays for them).
  const words = full.split(/\s+/u).filter((w) => /[A-Za-z0-9]/.test(w) || /[\p{L}\p{N}]/u.test(w));
  if (words.length < 2) return null;
  const [first, ...rest] = words;
  return { first: first!, last: rest.join(' ') };
}

/** "First Last" as stored, for people to read. */
export function fullName(a: { first_name: string; last_name: string }): string {
  return `${a.first_name} ${a.last_name}`.trim();
}

/** How a detail names an account: "1030 Hannah Schäfer <hannah.schafer@gmail.com>". */
export function accountLabel(a: { id: string; first_name: string; last_name: string; email: string }): string {
  return `${a.id} ${fullName(a)} <${a.email}>`;
}

/**
 * Names as a listing orders them: the collator's order (localeCompare). Making the collator costs more than a
 * whole `lookup --name` besides (ICU loads its collation data: ~70 M instructions), so a list whose names are
 * all plain (English letters, spaces, hyphens, apostrophes), as nearly all are, is ordered here by the rule
 * the collator applies to those characters (test/rules/names.test.ts holds the two equal); any other list
 * goes to the collator whole, so one sort never mixes the two.
 */
export function nameOrder(names: readonly string[]): (a: string, b: string) => number {
  return names.every((name) => PLAIN_NAME.test(name)) ? comparePlainNames : (a, b) => a.localeCompare(b);
}

const PLAIN_NAME = /^[A-Za-z '-]*$/;

/** The collator's first level for plain names: space, then hyphen, then apostrophe, then letters in any case. */
function primaryWeight(code: number): number {
  if (code === 0x20) return 1;
  if (code === 0x2d) return 2;
  if (code === 0x27) return 3;
  return (code | 0x20) - 0x61 + 10; // a letter: its lower case
}

/** The collator's order on plain names: by letters ignoring case, then the first difference of case, lower first. */
export function comparePlainNames(a: string, b: string): number {
  const shorter = Math.min(a.length, b.length);
  for (let i = 0; i < shorter; i++) {
    const d = primaryWeight(a.charCodeAt(i)) - primaryWeight(b.charCodeAt(i));
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a.charCodeAt(i) > b.charCodeAt(i) ? -1 : 1; // 'a' (0x61) before 'A' (0x41)
  }
  return 0;
}
