// Reads about appointments: a client's last service, and a provider's caseload with each client's intakes
// and last / next appointment. Every query starts from an index (appointments_by_client or
// appointments_by_provider) and reads only that client's or that provider's rows.
import type { BookedVia, Intake } from '../rules/sourcing.js';
import { sql, type Db } from './db.js';

/**
 * An appointment's start as one UTC format ('2026-11-20T15:00:00.000Z', like Date.toISOString()), so times
 * written with an offset compare correctly as strings. SQLite cannot read an offset without a colon
 * (+0200), which the import accepts: such a time is compared as written.
 */
export const UTC_STARTS_AT = `COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', starts_at), starts_at)`;

/** The start of the client's last appointment at or before `nowIso` (a future appointment is no service yet). */
export function lastServiceAt(db: Db, clientId: string, nowIso: string): string | null {
  const row = sql<{ at: string | null }>(
    db,
    `SELECT MAX(${UTC_STARTS_AT}) AS at FROM appointments WHERE client_id = @client AND ${UTC_STARTS_AT} <= @now`,
  ).get({ client: clientId, now: nowIso })!;
  return row.at;
}

/** The client's next appointment after `nowIso`, with whom; undefined when there is none. */
export function nextAppointment(db: Db, clientId: string, nowIso: string): { at: string; provider_id: string } | undefined {
  return sql<{ at: string; provider_id: string }>(
    db,
    `SELECT ${UTC_STARTS_AT} AS at, provider_id FROM appointments
     WHERE client_id = @client AND ${UTC_STARTS_AT} > @now ORDER BY at LIMIT 1`,
  ).get({ client: clientId, now: nowIso });
}

export interface CaseloadClient {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  status: string;
  /** UTC ISO times; null when the client has no appointment on that side of now. */
  last_appointment_at: string | null;
  next_appointment_at: string | null;
}

/** Every client who shares an appointment with the provider, by last name, first name and id. */
export function caseloadOf(db: Db, providerId: string, nowIso: string): CaseloadClient[] {
  return sql<CaseloadClient>(
    db,
    `SELECT a.id, a.email, a.first_name, a.last_name, a.status, c.last_appointment_at, c.next_appointment_at
     FROM (SELECT client_id,
             MAX(CASE WHEN ${UTC_STARTS_AT} <= @now THEN ${UTC_STARTS_AT} END) AS last_appointment_at,
             MIN(CASE WHEN ${UTC_STARTS_AT} > @now THEN ${UTC_STARTS_AT} END) AS next_appointment_at
           FROM appointments WHERE provider_id = @provider GROUP BY client_id) c
     JOIN accounts a ON a.id = c.client_id
     ORDER BY a.last_key, a.first_key, a.id`,
  ).all({ provider: providerId, now: nowIso });
}

/** The intakes of the provider's clients with that provider, grouped by client id. */
export function intakesByClient(db: Db, providerId: string): Map<string, Intake[]> {
  const rows = sql<{ client_id: string; at: string; booked_via: BookedVia }>(
    db,
    `SELECT client_id, ${UTC_STARTS_AT} AS at, booked_via FROM appointments
     WHERE provider_id = ? AND kind = 'intake'`,
  ).all(providerId);
  const byClient = new Map<string, Intake[]>();
  for (const r of rows) {
    const list = byClient.get(r.client_id) ?? [];
    list.push({ at: r.at, bookedVia: r.booked_via });
    byClient.set(r.client_id, list);
  }
  return byClient;
}

export function progressNoteCount(db: Db, providerId: string): number {
  return sql<{ n: number }>(db, 'SELECT count(*) AS n FROM progress_notes WHERE provider_id = ?').get(providerId)!.n;
}
