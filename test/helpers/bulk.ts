// Large listings made straight in a mirror's file, for the tests of reads that show thousands of accounts
// (an outbox of 12,000 emails) and of exports that hand over hundreds of kilobytes.
import { createHash, randomBytes } from 'node:crypto';
import { openDb } from './sqlite.js';

/**
 * Adds `n` client accounts (`bulk-1`… with addresses `bulk1@bulk.example`…), each with one pending email
 * in the outbox under ticket BULK, queued in that order. Returns the addresses, in the outbox's order.
 */
export function bulkOutbox(db: string, n: number): string[] {
  const conn = openDb(db);
  const addresses: string[] = [];
  try {
    const account = conn.prepare(
      `INSERT INTO accounts (id, email, email_key, mailbox_key, base_key, email_rev, role, status, created_at)
       VALUES (@id, @email, @email, @email, @email, @rev, 'client', 'active', '2025-01-01T00:00:00.000Z')`,
    );
    const email = conn.prepare(
      `INSERT INTO changes (key, kind, account_id, desk, ticket, action, n, agent, created_at, data)
       VALUES (@key, 'email', @id, 'cx', 'BULK', 'password_reset', 1, 'bulk', '2026-11-01T00:00:00.000Z', @data)`,
    );
    conn.transaction(() => {
      for (let i = 1; i <= n; i++) {
        const id = `bulk-${i}`;
        const address = `bulk${i}@bulk.example`;
        account.run({ id, email: address, rev: [...address].reverse().join('') });
        const key = createHash('sha256').update(`bulk|${i}`).digest('hex');
        email.run({ key, id, data: JSON.stringify({ template: 'client_password_reset', to: address, subject: 'Reset your password' }) });
        addresses.push(address);
      }
    })();
  } finally {
    conn.close();
  }
  return addresses;
}

/** Adds `n` notes of about `bytes` each (random text: deflate cannot shrink it much) by p202 about client 1020. */
export function bulkNotes(db: string, n: number, bytes: number): void {
  const conn = openDb(db);
  try {
    const note = conn.prepare(`INSERT INTO progress_notes VALUES (@id, 'p202', '1020', @day, 'Bulk note', @body, NULL)`);
    conn.transaction(() => {
      for (let i = 0; i < n; i++) {
        const day = new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
        note.run({ id: `bulk-note-${i}`, day, body: randomBytes(Math.ceil((bytes * 3) / 4)).toString('base64') });
      }
    })();
  } finally {
    conn.close();
  }
}
