// Ticket identity (docs/reference.md#tickets). A ticket id is one printable line of at most 64 characters,
// NFC; the help desk is part of the identity (Zendesk 48213 is not Freshdesk 48213); and the exactly-once
// key of a change is (help desk, ticket id, action, account). Pure: no I/O.
import { lazyPattern } from './lazy-pattern.js';

export const MAX_TICKET_LENGTH = 64;

/** The actions a ticket can ask for: the batch types, which the single commands map onto. */
export const TICKET_ACTIONS = ['lookup', 'password_reset', 'resubscribe', 'deactivate_client', 'provider_termination', 'notes_export'] as const;
export type TicketAction = (typeof TICKET_ACTIONS)[number];

/** Help desks: exports name theirs; single commands and the canonical CSV use the `desk` setting. */
export const DEFAULT_DESK = 'cx';

/**
 * Characters a ticket id (or an agent name) may not hold: controls (Cc), format characters (Cf: bidi
 * marks, zero-width space, soft hyphen), line and paragraph separators, spaces other than U+0020,
 * surrogates, private-use and unassigned code points.
 */
const NOT_PRINTABLE = lazyPattern(() => /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}]|(?! )\p{Zs}/u);
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A line of text a person typed as an identifier: trimmed, NFC, printable, bounded. */
export function checkPrintableLine(raw: string, what: string, maxLength: number): Checked<string> {
  // Printable ASCII, as nearly every ticket id and agent name is, is already NFC and holds none of them: the
  // Unicode tables are not loaded for it (a start-up pays for them).
  const trimmed = raw.trim();
  const plain = PRINTABLE_ASCII.test(trimmed);
  const value = plain ? trimmed : trimmed.normalize('NFC');
  if (value === '') return { ok: false, reason: `${what} is empty` };
  const bad = plain ? null : NOT_PRINTABLE().exec(value);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return { ok: false, reason: `${what} holds an invisible or control character (U+${code}); type it again as plain text` };
  }
  // UTF-16 units are never fewer than characters: count the characters only for a long value.
  const length = value.length <= maxLength ? value.length : [...value].length;
  if (length > maxLength) return { ok: false, reason: `${what} is ${length} characters long; at most ${maxLength}` };
  return { ok: true, value };
}

export function checkTicketId(raw: string): Checked<string> {
  return checkPrintableLine(raw, 'the ticket id', MAX_TICKET_LENGTH);
}

/** A help desk's name as settings and exports give it: lower-case letters, digits, '-' and '_'. */
export function checkDesk(raw: string): Checked<string> {
  const value = raw.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9_-]{0,31}$/.test(value)) {
    return { ok: false, reason: `the help desk must be a short name of letters, digits, '-' or '_' (e.g. zendesk): ${JSON.stringify(raw)}` };
  }
  return { ok: true, value };
}
