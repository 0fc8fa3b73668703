// Length of a domain label once written in its ASCII (xn--) form, per RFC 3492 (Punycode).
// DNS limits (63 per label, 253 per name) apply to that form, not to the Unicode text.
// We only need the length, so nothing here validates IDNA rules: an unassigned code point
// still gets a length, which is what the isemail suites expect.

const BASE = 36;
const T_MIN = 1;
const T_MAX = 26;
const SKEW = 38;
const DAMP = 700;

function adaptBias(delta: number, points: number, first: boolean): number {
  let d = first ? Math.floor(delta / DAMP) : delta >> 1;
  d += Math.floor(d / points);
  let k = 0;
  while (d > ((BASE - T_MIN) * T_MAX) >> 1) {
    d = Math.floor(d / (BASE - T_MIN));
    k += BASE;
  }
  return k + Math.floor(((BASE - T_MIN + 1) * d) / (d + SKEW));
}

/** Number of characters Punycode needs for the non-ASCII code points (basic chars and '-' excluded). */
function encodedDigits(codePoints: number[]): number {
  const basic = codePoints.filter((c) => c < 0x80).length;
  let handled = basic;
  let n = 0x80;
  let delta = 0;
  let bias = 72;
  let digits = 0;
  while (handled < codePoints.length) {
    let m = Number.MAX_SAFE_INTEGER;
    for (const c of codePoints) if (c >= n && c < m) m = c;
    delta += (m - n) * (handled + 1);
    n = m;
    for (const c of codePoints) {
      if (c < n) delta++;
      if (c !== n) continue;
      let q = delta;
      for (let k = BASE; ; k += BASE) {
        const t = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;
        if (q < t) break;
        digits++;
        q = Math.floor((q - t) / (BASE - t));
      }
      digits++;
      bias = adaptBias(delta, handled + 1, handled === basic);
      delta = 0;
      handled++;
    }
    delta++;
    n++;
  }
  return digits;
}

/** Length of the label as DNS sees it: itself if ASCII, else 'xn--' + basic chars + '-' + digits. */
export function asciiLabelLength(label: string): number {
  // The common case without building an array of code points (an import checks a million addresses).
  if (/^[\x00-\x7f]*$/.test(label)) return label.length;
  const codePoints = Array.from(label, (ch) => ch.codePointAt(0) ?? 0);
  if (codePoints.every((c) => c < 0x80)) return label.length;
  const basic = codePoints.filter((c) => c < 0x80).length;
  return 4 + basic + (basic > 0 ? 1 : 0) + encodedDigits(codePoints);
}
