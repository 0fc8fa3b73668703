// How a value that came from data (a name, a note title, an address, a ticket id, a detail) is shown to a person
// (docs/reference.md#how-every-command-behaves, "Values from data"). A client's name can carry an escape sequence
// that sets the agent's window title, clears the screen or writes the clipboard (OSC 52), or a bidi override that
// makes `moc.liamg@` read as something else. In human output every such character is written visibly, as `\x1b` or
// `\u202e`; colours and layout come only from cx, applied after the data has been made visible.

/**
 * Characters never shown raw: C0 and C1 controls (ESC starts CSI/OSC/DCS; 8-bit CSI is U+009B), DEL, the
 * bidi marks, overrides and isolates, line and paragraph separators, zero-width and invisible characters
 * that hide text (U+200B, U+2060–U+2064, U+FEFF, U+00AD), the interlinear annotation marks and the Unicode
 * tag characters. Zero-width (non-)joiners stay: scripts such as Persian and Devanagari need them in names.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]|[\u{e0000}-\u{e007f}]/gu;

function escapeChar(ch: string): string {
  const code = ch.codePointAt(0)!;
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\u{${code.toString(16)}}`;
}

/** The value with every unsafe character written visibly; one line, whatever the data held. */
export function visible(value: string): string {
  return value.replace(UNSAFE, escapeChar);
}

/** Whether `visible` would change the value (used by input checks that refuse rather than escape). */
export function hasUnsafeCharacters(value: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(value);
  UNSAFE.lastIndex = 0;
  return found;
}

const TSV_SPECIAL: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\r': '\\r', '\n': '\\n' };

/**
 * A cell of a piped (tab-separated) table: backslash, tab, CR and LF written `\\`, `\t`, `\r`, `\n` so
 * that `cut` and `awk` see one line per row and one field per column; every other unsafe character as
 * `visible` writes it.
 */
export function tsvCell(value: string): string {
  return visible(value.replace(/[\\\t\r\n]/g, (ch) => TSV_SPECIAL[ch]!));
}
