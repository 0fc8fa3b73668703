// The audit log's SQL. Rows are only ever inserted; triggers in the schema refuse UPDATE and DELETE.
import { chainHash, firstBrokenRow, GENESIS_HASH, type AuditFields, type AuditRow } from '../rules/audit-chain.js';
import { abandonedAction, startedBase, startedRef } from '../rules/handover-rows.js';
import { sql, type Db } from './db.js';

export type AuditEntry = Omit<AuditFields, 'at'> & { at?: string };

/**
 * Append one row. Call it inside the write transaction of the change it records, so the change and its
 * audit row commit together or not at all.
 */
export function appendAudit(db: Db, entry: AuditEntry, now: Date): AuditRow {
  const last = sql(db, 'SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as { hash: string } | undefined;
  const fields: AuditFields = { ...entry, at: entry.at ?? now.toISOString() };
  const prev_hash = last?.hash ?? GENESIS_HASH;
  const hash = chainHash(prev_hash, fields);
  const info = sql(
    db,
    `INSERT INTO audit_log (at, agent, action, ticket, account_id, outcome, detail, prev_hash, hash)
     VALUES (@at, @agent, @action, @ticket, @account_id, @outcome, @detail, @prev_hash, @hash)`,
  ).run({ ...fields, prev_hash, hash });
  return { ...fields, id: Number(info.lastInsertRowid), prev_hash, hash };
}

export interface AuditFilter {
  ticket?: string;
  accountIds?: string[];
  since?: string;
  limit?: number;
}

/** The matching rows, oldest first; with a limit, the latest `limit` of them. */
export function listAudit(db: Db, filter: AuditFilter): AuditRow[] {
  const { where, params } = auditWhere(filter);
  const latest = filter.limit === undefined ? '' : `ORDER BY id DESC LIMIT ${Math.max(1, Math.floor(filter.limit))}`;
  return db.prepare(`SELECT * FROM (SELECT * FROM audit_log ${where} ${latest}) ORDER BY id`).all(params) as AuditRow[];
}

/** How many rows the filter matches, whatever the limit. */
export function countAudit(db: Db, filter: AuditFilter): number {
  const { where, params } = auditWhere(filter);
  return (db.prepare(`SELECT count(*) AS n FROM audit_log ${where}`).get(params) as { n: number }).n;
}

function auditWhere(filter: AuditFilter): { where: string; params: Record<string, unknown> } {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.ticket) {
    where.push('ticket = @ticket');
    params.ticket = filter.ticket;
  }
  if (filter.accountIds) {
    where.push(`account_id IN (SELECT value FROM json_each(@accounts))`);
    params.accounts = JSON.stringify(filter.accountIds);
  }
  if (filter.since) {
    where.push('at >= @since');
    params.since = filter.since;
  }
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

export function verifyAudit(db: Db): { ok: boolean; rows: number; first_bad_row: number | null } {
  const stmt = db.prepare('SELECT * FROM audit_log ORDER BY id');
  let rows = 0;
  const counted = (function* () {
    for (const row of stmt.iterate() as Iterable<AuditRow>) {
      rows += 1;
      yield row;
    }
  })();
  const bad = firstBrokenRow(counted);
  if (bad !== null) rows = (sql(db, 'SELECT count(*) AS n FROM audit_log').get() as { n: number }).n;
  return { ok: bad === null, rows, first_bad_row: bad };
}

/**
 * For each started hand-over among `rows` (src/rules/handover-rows.ts), the row that completed or abandoned
 * it, found by the reference its detail ends with; a started row missing here was never completed.
 */
export function handoverEnds(db: Db, rows: readonly AuditRow[]): Map<number, { id: number; action: string }> {
  const ends = new Map<number, { id: number; action: string }>();
  for (const row of rows) {
    const base = startedBase(row.action);
    if (base === null) continue;
    const end = sql(
      db,
      `SELECT id, action FROM audit_log WHERE ticket IS @ticket AND id > @id AND action IN (@done, @abandoned)
       AND detail LIKE @ref ORDER BY id LIMIT 1`,
    ).get({ ticket: row.ticket, id: row.id, done: base, abandoned: abandonedAction(base), ref: `%${startedRef(row.id)}` }) as { id: number; action: string } | undefined;
    if (end) ends.set(row.id, end);
  }
  return ends;
}
