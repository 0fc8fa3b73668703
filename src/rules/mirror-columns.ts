// How a checked export row becomes a mirror row: the columns each imported table holds, the key an
// import matches rows on, and the values (lookup keys derived from the address and the names). Pure.
import { addressKey, baseMailboxKey, mailboxKey } from './address.js';
import type { MirrorTable, Raw } from './mirror-rows.js';
import { nameKey } from './names.js';

export interface TableShape {
  /** The columns an import matches rows on (the table's primary key). */
  key: readonly string[];
  /** Every column an import writes, in this order; never what cx itself writes (deactivation dates). */
  columns: readonly string[];
}

export const MIRROR_TABLES: Record<MirrorTable, TableShape> = {
  accounts: {
    key: ['id'],
    columns: [
      'id', 'email', 'email_key', 'mailbox_key', 'base_key', 'email_rev', 'role', 'first_name', 'last_name',
      'first_key', 'last_key', 'dob', 'status', 'email_verified_at', 'created_at', 'last_active_at', 'state',
    ],
  },
  former_emails: { key: ['account_id', 'email_key'], columns: ['account_id', 'email', 'email_key', 'changed_at'] },
  suppressions: { key: ['email_key'], columns: ['email_key', 'email', 'reason', 'created_at'] },
  appointments: { key: ['id'], columns: ['id', 'provider_id', 'client_id', 'starts_at', 'kind', 'booked_via'] },
  progress_notes: { key: ['id'], columns: ['id', 'provider_id', 'client_id', 'session_date', 'title', 'body', 'signed_at'] },
};

export type MirrorValue = string | null;

const trimmed = (v: string | undefined): string => (v ?? '').trim();
const blank = (v: string | undefined): string | null => (v === undefined || v.trim() === '' ? null : v.trim());

/** The row's values in MIRROR_TABLES[table].columns order; the row has passed rowProblems. */
export function mirrorValues(table: MirrorTable, r: Raw): MirrorValue[] {
  switch (table) {
    case 'accounts': {
      const key = addressKey(r.email ?? '');
      return [
        trimmed(r.id), trimmed(r.email), key, mailboxKey(key), baseMailboxKey(key), [...key].reverse().join(''),
        trimmed(r.role), trimmed(r.first_name), trimmed(r.last_name), nameKey(r.first_name ?? ''), nameKey(r.last_name ?? ''),
        blank(r.dob), trimmed(r.status), blank(r.email_verified_at), trimmed(r.created_at), blank(r.last_active_at), blank(r.state),
      ];
    }
    case 'former_emails':
      return [trimmed(r.account_id), trimmed(r.email), addressKey(r.email ?? ''), blank(r.changed_at)];
    case 'suppressions':
      return [addressKey(r.email ?? ''), trimmed(r.email), trimmed(r.reason), trimmed(r.created_at)];
    case 'appointments':
      return [trimmed(r.id), trimmed(r.provider_id), trimmed(r.client_id), trimmed(r.starts_at), trimmed(r.kind), trimmed(r.booked_via)];
    case 'progress_notes':
      // Title and body are kept exactly as exported: the notes export hands them over byte for byte.
      return [trimmed(r.id), trimmed(r.provider_id), trimmed(r.client_id), trimmed(r.session_date), r.title ?? '', r.body ?? '', blank(r.signed_at)];
  }
}
