// What `cx lookup` shows about an account beyond the row itself: a provider's caseload by where the
// clients came from, a client's providers, a client's last service. Counts and names only, never a note.
// Where a client came from (CONTRACTS.md): the booked_via of their intake with that provider; a pair
// without an intake (imperfect data) falls back to its earliest appointment.
import { sql, type Db } from './db.js';

const SOURCE_OF_PAIR = `(SELECT i.booked_via FROM appointments i
     WHERE i.provider_id = pair.provider_id AND i.client_id = pair.client_id
     ORDER BY i.kind = 'intake' DESC, i.starts_at LIMIT 1)`;

export const DETAIL_SQL = {
  caseloadBySource: `SELECT source, COUNT(*) AS clients FROM (
       SELECT ${SOURCE_OF_PAIR} AS source
       FROM (SELECT DISTINCT provider_id, client_id FROM appointments WHERE provider_id = @provider) pair
     ) GROUP BY source`,
  providersOfClient: `SELECT p.id, p.email, p.first_name, p.last_name, ${SOURCE_OF_PAIR} AS source
     FROM (SELECT DISTINCT client_id, provider_id FROM appointments WHERE client_id = @client) pair
     JOIN accounts p ON p.id = pair.provider_id
     ORDER BY p.last_name, p.first_name, p.id`,
  lastServiceOfClient: 'SELECT MAX(starts_at) AS at FROM appointments WHERE client_id = @client AND starts_at <= @now',
} as const;

export type Source = 'search' | 'provider';

export interface CaseloadCounts {
  search: number;
  provider: number;
}

export function caseloadBySource(db: Db, providerId: string): CaseloadCounts {
  const rows = sql(db, DETAIL_SQL.caseloadBySource).all({ provider: providerId }) as Array<{ source: Source; clients: number }>;
  const counts: CaseloadCounts = { search: 0, provider: 0 };
  for (const r of rows) counts[r.source] = r.clients;
  return counts;
}

export interface ProviderOfClient {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  source: Source;
}

export function providersOfClient(db: Db, clientId: string): ProviderOfClient[] {
  return sql(db, DETAIL_SQL.providersOfClient).all({ client: clientId }) as ProviderOfClient[];
}

/** The start of the client's last appointment at or before `nowIso` (a future booking is no service yet). */
export function lastServiceOfClient(db: Db, clientId: string, nowIso: string): string | null {
  const row = sql(db, DETAIL_SQL.lastServiceOfClient).get({ client: clientId, now: nowIso }) as { at: string | null };
  return row.at;
}
