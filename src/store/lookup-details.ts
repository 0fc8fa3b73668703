// What `cx lookup` shows about an account beyond the row itself: who is in a provider's caseload, a client's
// providers, and the intakes that say where each client came from (decided by rules/sourcing.ts, as
// `cx offboard` decides it). Ids, names and counts only, never a note.
import type { BookedVia, Intake } from '../rules/sourcing.js';
import { UTC_STARTS_AT } from './caseload.js';
import { sql, type Db } from './db.js';

export const DETAIL_SQL = {
  clientsOfProvider: 'SELECT DISTINCT client_id FROM appointments WHERE provider_id = ?',
  providersOfClient: `SELECT p.id, p.email, p.first_name, p.last_name
     FROM (SELECT DISTINCT provider_id FROM appointments WHERE client_id = ?) pair
     JOIN accounts p ON p.id = pair.provider_id
     ORDER BY p.last_key, p.first_key, p.id`,
  intakesOfPair: `SELECT ${UTC_STARTS_AT} AS at, booked_via AS bookedVia FROM appointments
     WHERE provider_id = @provider AND client_id = @client AND kind = 'intake'`,
} as const;

export function clientIdsOfProvider(db: Db, providerId: string): string[] {
  return sql<{ client_id: string }>(db, DETAIL_SQL.clientsOfProvider).all(providerId).map((r) => r.client_id);
}

export interface ProviderOfClient {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
}

export function providersOfClient(db: Db, clientId: string): ProviderOfClient[] {
  return sql<ProviderOfClient>(db, DETAIL_SQL.providersOfClient).all(clientId);
}

/** The client's intakes with one provider (usually one). */
export function intakesOfPair(db: Db, providerId: string, clientId: string): Intake[] {
  return sql<{ at: string; bookedVia: BookedVia }>(db, DETAIL_SQL.intakesOfPair).all({ provider: providerId, client: clientId });
}
