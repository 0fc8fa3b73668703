// The ticket ledger's SQL: the processed_tickets table (a ticket's change applied once is never applied
// again, keyed by help desk, ticket, action and account) and the batch's transaction shape a batch runs in — one BEGIN IMMEDIATE per chunk of tickets, one savepoint per ticket.
// A ticket's writes, its audit row and its processed_tickets row commit or roll back together; the chunk
// only decides how often the mirror is synced, not what is all-or-nothing.
import { isBusy, lockWaitOf, sql, type Db } from './db.js';

/** The exactly-once key of a ticket's change (docs/reference.md#tickets); account '' when it names none. */
export interface TicketKey {
  desk: string;
  ticket_id: string;
  action: string;
  account_id: string;
}

export interface ProcessedTicket extends TicketKey {
  email: string;
  outcome: string;
  detail: string;
  agent: string;
  processed_at: string;
  /** Recorded by a batch row, or by a single command run with --ticket. */
  via: 'batch' | 'command';
}

export function processedTicket(db: Db, key: TicketKey): ProcessedTicket | undefined {
  return sql<ProcessedTicket>(db, 'SELECT * FROM processed_tickets WHERE desk = @desk AND ticket_id = @ticket_id AND action = @action AND account_id = @account_id').get(key);
}

/**
 * Record a ticket's change as applied; inside the change's transaction (a batch ticket's savepoint, a
 * single command's write transaction). A key recorded before is left as it is: a single command keeps its
 * own rules (a reset may be sent again after the de-duplication window), and the first record stands.
 */
export function recordProcessed(db: Db, row: ProcessedTicket): boolean {
  return (
    sql(
      db,
      `INSERT INTO processed_tickets (desk, ticket_id, action, account_id, email, outcome, detail, agent, processed_at, via)
       VALUES (@desk, @ticket_id, @action, @account_id, @email, @outcome, @detail, @agent, @processed_at, @via)
       ON CONFLICT (desk, ticket_id, action, account_id) DO NOTHING`,
    ).run(row).changes === 1
  );
}

/** The newest audit row's id (0 when empty): tells whether an action wrote its own audit row. */
export function lastAuditId(db: Db): number {
  const row = sql<{ id: number }>(db, 'SELECT id FROM audit_log ORDER BY id DESC LIMIT 1').get();
  return row?.id ?? 0;
}

/**
 * How a batch holds the mirror. Manual statements rather than db.transaction(): a ticket's action may
 * be async (a notes export streams its zip), and a better-sqlite3 transaction function cannot await.
 * Actions that call writeTransaction() inside still nest as savepoints, as better-sqlite3 sees the open
 * transaction (db.inTransaction).
 */
export const chunkTx = {
  /**
   * Take the write lock now, or return false at once when another writer holds it. The batch waits
   * between tries itself (short sleeps), rather than in SQLite's busy handler, whose sleeps grow to
   * 100 ms and would let one batch starve another.
   */
  tryBeginWrite(db: Db): boolean {
    const timeout = lockWaitOf(db);
    db.pragma('busy_timeout = 0');
    try {
      sql(db, 'BEGIN IMMEDIATE').run();
      return true;
    } catch (err) {
      if (isBusy(err)) return false;
      throw err;
    } finally {
      db.pragma(`busy_timeout = ${Number(timeout)}`);
    }
  },
  /** A dry run reads inside a transaction that is always rolled back: nothing can be written. */
  beginRead: (db: Db) => sql(db, 'BEGIN DEFERRED').run(),
  commit: (db: Db) => sql(db, 'COMMIT').run(),
  rollback: (db: Db) => {
    if (db.inTransaction) sql(db, 'ROLLBACK').run();
  },
  ticketBegin: (db: Db) => sql(db, 'SAVEPOINT batch_ticket').run(),
  ticketKeep: (db: Db) => sql(db, 'RELEASE batch_ticket').run(),
  /** Undo everything the ticket wrote, then drop the savepoint. */
  ticketUndo: (db: Db) => {
    sql(db, 'ROLLBACK TO batch_ticket').run();
    sql(db, 'RELEASE batch_ticket').run();
  },
};
