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
  const words = full.split(/\s+/u).filter((w) => /[\p{L}\p{N}]/u.test(w));
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
