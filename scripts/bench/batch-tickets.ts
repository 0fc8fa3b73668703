// Tickets for the batch bench, drawn from the generated mirror with a fixed seed: addresses as agents
// paste them (other case, stray spaces, a former address), plus unknown and broken addresses.
import Database from 'better-sqlite3';
import type { TicketType } from '../../src/batch/input.js';
import { toCsv } from '../../src/rules/csv-safe.js';

// The tickets a help desk sends most, all of which write: resets queue an email, resubscribes lift a
// suppression, deactivations change the account and queue an email. provider_termination (a caseload
// report per ticket) and notes_export (a zip per ticket) are rare and heavy: benched apart (notes section).
export const MIX: Array<[TicketType, number]> = [['lookup', 40], ['password_reset', 35], ['resubscribe', 15], ['deactivate_client', 10]];

/** Share of resubscribe tickets that name a suppressed address (the others find nothing to lift: already_done). */
const RESUBSCRIBE_SUPPRESSED = 0.6;

export interface BenchTicket {
  ticketId: string;
  type: TicketType;
  email: string;
}

/** mulberry32: small, fast, and the same tickets for the same seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeTickets(mirror: string, n: number, seed = 7): { rows: BenchTicket[]; accounts: number; mixLabel: string } {
  const db = new Database(mirror, { readonly: true });
  try {
    const rnd = random(seed);
    const maxRow = (table: string) => (db.prepare(`SELECT max(rowid) AS m FROM ${table}`).get() as { m: number | null }).m ?? 0;
    const accounts = maxRow('accounts');
    const formers = maxRow('former_emails');
    const suppressions = maxRow('suppressions');
    const account = db.prepare('SELECT email, role FROM accounts WHERE rowid = ?');
    const former = db.prepare('SELECT email FROM former_emails WHERE rowid = ?');
    const suppressed = db.prepare('SELECT email FROM suppressions WHERE rowid = ?');
    const pick = (role: 'client' | 'provider' | null): string => {
      for (let tries = 0; tries < 50; tries++) {
        const a = account.get(1 + Math.floor(rnd() * accounts)) as { email: string; role: string } | undefined;
        if (a && (role === null || a.role === role)) return a.email;
      }
      throw new Error(`no ${role ?? ''} account found in ${mirror}`);
    };
    const total = MIX.reduce((s, [, w]) => s + w, 0);
    const typeOf = (): TicketType => {
      let x = rnd() * total;
      for (const [type, w] of MIX) if ((x -= w) < 0) return type;
      return MIX[0]![0];
    };
    const rows: BenchTicket[] = [];
    for (let i = 0; i < n; i++) {
      const type = typeOf();
      const roll = rnd();
      let email: string;
      if (roll < 0.1) email = `nobody.${i}@example.com`; // not found
      else if (roll < 0.13) email = `broken.${i}@`; // invalid
      else if (roll < 0.23 && formers > 0) email = (former.get(1 + Math.floor(rnd() * formers)) as { email: string } | undefined)?.email ?? pick(null);
      else if (type === 'resubscribe' && rnd() < RESUBSCRIBE_SUPPRESSED && suppressions > 0) {
        email = (suppressed.get(1 + Math.floor(rnd() * suppressions)) as { email: string } | undefined)?.email ?? pick(null);
      } else {
        email = pick(type === 'provider_termination' ? 'provider' : type === 'deactivate_client' ? 'client' : null);
        if (roll < 0.4) email = email.toUpperCase();
        else if (roll < 0.5) email = `  ${email} `;
      }
      rows.push({ ticketId: `B${i}`, type, email });
    }
    const mixLabel = MIX.map(([t, w]) => `${t} ${Math.round((w / total) * 100)}%`).join(', ') +
      `; 10% unknown and 3% broken addresses, 10% former addresses; ${RESUBSCRIBE_SUPPRESSED * 100}% of the others' resubscribes name a suppressed address`;
    return { rows, accounts, mixLabel };
  } finally {
    db.close();
  }
}

export function ticketsCsv(rows: readonly BenchTicket[]): string {
  return toCsv(['ticket_id', 'type', 'email'], rows.map((r) => ({ ticket_id: r.ticketId, type: r.type, email: r.email })));
}
