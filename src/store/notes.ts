// Reads of a provider's progress notes for `cx notes export` (issue 6). The notes are streamed with
// stmt.iterate(), one row at a time, so memory stays bounded whatever the count; every query starts from
// the index progress_notes_by_provider (provider_id, client_id, session_date).
import type { NoteForExport } from '../archive/notes-zip.js';
import { sql, type Db } from './db.js';

export interface NoteFilter {
  providerId: string;
  clientId?: string;
  /** Inclusive YYYY-MM-DD bounds on the session date. */
  since?: string;
  until?: string;
}

interface NoteRow {
  id: string;
  client_id: string;
  first_name: string | null;
  last_name: string | null;
  session_date: string;
  title: string;
  body: string;
  signed_at: string | null;
}

/** WHERE clause and parameters; only fixed fragments, so each filter combination is one cached statement. */
function where(f: NoteFilter): { text: string; params: Record<string, string> } {
  const parts = ['n.provider_id = @provider'];
  const params: Record<string, string> = { provider: f.providerId };
  if (f.clientId !== undefined) {
    parts.push('n.client_id = @client');
    params.client = f.clientId;
  }
  if (f.since !== undefined) {
    parts.push('n.session_date >= @since');
    params.since = f.since;
  }
  if (f.until !== undefined) {
    // `< the next day` keeps the bound inclusive also for a session date stored with a time.
    parts.push(`n.session_date < date(@until, '+1 day')`);
    params.until = f.until;
  }
  return { text: parts.join(' AND '), params };
}

export function countNotes(db: Db, f: NoteFilter): number {
  const w = where(f);
  return sql<{ n: number }>(db, `SELECT count(*) AS n FROM progress_notes n WHERE ${w.text}`).get(w.params)!.n;
}

/** The clients the filtered notes are about, in the order streamNotes gives their notes (by client id). */
export function clientsOfNotes(db: Db, f: NoteFilter): string[] {
  const w = where(f);
  return sql<{ client_id: string }>(db, `SELECT DISTINCT n.client_id FROM progress_notes n WHERE ${w.text} ORDER BY n.client_id`)
    .all(w.params)
    .map((r) => r.client_id);
}

/** True when the provider wrote at least one note about this client (any date). */
export function hasNotesAbout(db: Db, providerId: string, clientId: string): boolean {
  return sql(db, 'SELECT 1 FROM progress_notes WHERE provider_id = ? AND client_id = ? LIMIT 1').get(providerId, clientId) !== undefined;
}

/**
 * The notes, ordered by client, session date and id, each with its client's name. A note whose client
 * row is missing (a damaged import) is still exported, under the client id alone.
 */
export function* streamNotes(db: Db, f: NoteFilter): Generator<NoteForExport> {
  const w = where(f);
  const stmt = sql<NoteRow>(
    db,
    `SELECT n.id, n.client_id, c.first_name, c.last_name, n.session_date, n.title, n.body, n.signed_at
     FROM progress_notes n LEFT JOIN accounts c ON c.id = n.client_id
     WHERE ${w.text}
     ORDER BY n.client_id, n.session_date, n.id`,
  );
  for (const row of stmt.iterate(w.params)) {
    yield {
      id: row.id,
      clientId: row.client_id,
      clientName: `${row.first_name ?? ''} ${row.last_name ?? ''}`.trim(),
      sessionDate: row.session_date,
      title: row.title,
      body: row.body,
      signedAt: row.signed_at,
    };
  }
}

/**
 * Run `work` inside one read transaction, so the count and the stream see the same notes even while
 * another process writes (WAL: readers never block writers). Inside an open transaction (a batch) that
 * transaction already gives one snapshot.
 */
export async function inReadSnapshot<T>(db: Db, work: () => Promise<T>): Promise<T> {
  if (db.inTransaction) return work();
  sql(db, 'BEGIN DEFERRED').run();
  try {
    return await work();
  } finally {
    if (db.inTransaction) sql(db, 'ROLLBACK').run(); // nothing was written: ending the snapshot is all
  }
}
