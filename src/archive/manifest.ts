// Text builders for the notes archive: each note file's header, manifest.csv and README.txt (issue 6).
// Pure functions: notes-zip.ts writes what these return, verify.ts parses it back.
import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';

export const MANIFEST_NAME = 'manifest.csv';
export const README_NAME = 'README.txt';
export const MANIFEST_COLUMNS = [
  'note_id',
  'client_id',
  'client_name',
  'session_date',
  'signed_at',
  'path',
  'bytes',
  'sha256',
] as const;

export interface ManifestRow {
  noteId: string;
  clientId: string;
  clientName: string;
  sessionDate: string;
  signedAt: string | null;
  path: string;
  bytes: number;
  sha256: string;
}

/** The header cx puts before each note body; the body follows unchanged. */
export function noteFileHeader(note: {
  clientName: string;
  sessionDate: string;
  title: string;
  signedAt: string | null;
}): string {
  return (
    `Client: ${escapeControlChars(note.clientName)}\n` +
    `Session date: ${escapeControlChars(note.sessionDate)}\n` +
    `Title: ${escapeControlChars(note.title)}\n` +
    `Signed: ${note.signedAt ? escapeControlChars(note.signedAt) : 'unsigned'}\n` +
    '\n'
  );
}

// C0/C1 controls, DEL, bidi overrides and isolates (U+202E can make `exe.txt` read as `txt.exe`),
// line/paragraph separators, BOM, and lone surrogates (which UTF-8 cannot carry).
const UNSAFE_TEXT =
  /[\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]|\p{Cs}/gu;

/** Shows invisible or line-breaking characters as `\u` and four hex digits (`\u202E`); a backslash as `\\`. */
export function escapeControlChars(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(UNSAFE_TEXT, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  });
}

/** A cell a spreadsheet would run as a formula gets a leading `'` (escape_formulas misses a leading LF). */
export function escapeFormula(cell: string): string {
  return /^[=+\-@\t\r\n]/.test(cell) ? `'${cell}` : cell;
}

export function manifestCsv(rows: readonly ManifestRow[]): string {
  const records = rows.map((r) =>
    [r.noteId, r.clientId, r.clientName, r.sessionDate, r.signedAt ?? '', r.path, String(r.bytes), r.sha256].map(
      escapeFormula,
    ),
  );
  return stringify([[...MANIFEST_COLUMNS], ...records], { record_delimiter: '\r\n' });
}

/** Parses manifest.csv as written above; throws on a header that is not ours. */
export function parseManifestCsv(text: string): ManifestRow[] {
  const records = parse(text, { bom: true, relax_column_count: false }) as string[][];
  const [header, ...body] = records;
  if (!header || header.join(',') !== MANIFEST_COLUMNS.join(',')) {
    throw new Error(`manifest.csv header is not ${MANIFEST_COLUMNS.join(',')}`);
  }
  return body.map((cells) => {
    const [noteId, clientId, clientName, sessionDate, signedAt, path, bytes, sha256] = cells.map(unescapeFormula);
    return {
      noteId: noteId ?? '',
      clientId: clientId ?? '',
      clientName: clientName ?? '',
      sessionDate: sessionDate ?? '',
      signedAt: signedAt ? signedAt : null,
      path: path ?? '',
      bytes: /^\d+$/.test(bytes ?? '') ? Number(bytes) : Number.NaN,
      sha256: sha256 ?? '',
    };
  });
}

function unescapeFormula(cell: string): string {
  return /^'[=+\-@\t\r\n]/.test(cell) ? cell.slice(1) : cell;
}

export interface ReadmeHeader {
  providerName: string;
  providerEmail: string;
  providerId: string;
  ticket: string;
  exportedAt: string;
  agent: string;
  filters: string;
}

const NOTES_LINE = 'Notes:        ';

export function readmeText(h: ReadmeHeader, notes: number, clients: number, zipName = 'notes.zip'): string {
  const zip = /^[A-Za-z0-9._-]+$/.test(zipName) ? zipName : 'notes.zip';
  const e = escapeControlChars;
  return [
    'Progress notes export',
    '=====================',
    '',
    `Provider:     ${e(h.providerName)} <${e(h.providerEmail)}> (provider id ${e(h.providerId)})`,
    `Exported at:  ${e(h.exportedAt)} by ${e(h.agent)}`,
    `Ticket:       ${e(h.ticket)}`,
    `Filters:      ${e(h.filters) || 'none (all notes)'}`,
    `${NOTES_LINE}${notes} (in ${clients} client folder${clients === 1 ? '' : 's'})`,
    '',
    'These are protected health information. Keep and send them only as your policy for such',
    'records allows, and delete copies you no longer need.',
    '',
    'What is inside',
    '--------------',
    '- notes/<client>_<client id>/<session date>_<title>_<note id>.txt: one file per progress note.',
    '  Each starts with a short header (Client, Session date, Title, Signed) and a blank line; the',
    '  note body follows exactly as stored. File names are built from safe characters only and may',
    '  shorten the title: the real title is in the header, where control characters are written as',
    '  \\u and four hex digits (\\u202E) and a backslash as \\\\.',
    '- manifest.csv: one row per note: note id, client id, client name, session date, signed time,',
    '  path in this archive, size in bytes and SHA-256 of that file. A cell that would start with',
    "  =, +, -, @, a tab or a line break starts with a ' so that spreadsheets do not run it.",
    '- README.txt: this file.',
    '',
    'How to check',
    '------------',
    '1. The SHA-256 of the whole .zip is recorded in the cx audit log with the ticket above:',
    `   sha256sum ${zip}   (Windows: certutil -hashfile ${zip} SHA256)`,
    '2. Extract it and check every note against the manifest (Linux/macOS, in the extracted folder):',
    "   grep -oE 'notes/[^,]+,[0-9]+,[0-9a-f]{64}' manifest.csv | awk -F, '{print $3\"  \"$1}' | sha256sum -c",
    '   (macOS: shasum -a 256 -c instead of sha256sum -c). Every line must say OK, and the number of',
    '   files under notes/ must equal the number of notes above.',
    '3. Support can run `cx notes export <provider-email> --ticket <ticket> --verify`, which reads the',
    '   written archive back and checks every entry against this manifest.',
    '',
  ].join('\n');
}

/** The note count README.txt states, or null when the line is missing. */
export function readmeNoteCount(text: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(NOTES_LINE));
  const m = line?.slice(NOTES_LINE.length).match(/^(\d+)/);
  return m?.[1] === undefined ? null : Number(m[1]);
}
