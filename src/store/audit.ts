// The audit log's SQL. Rows are only ever inserted; triggers in the schema refuse UPDATE and DELETE.
import { chainHash, firstBrokenRow, GENESIS_HASH, notBefore, type AuditFields, type AuditRow, type ChainProblem } from '../rules/audit-chain.js';
import { abandonedAction, startedBase, startedRef } from '../rules/handover-rows.js';
import { auditRow, countAuditAfter, readAnchor } from './audit-anchor.js';
import { sql, type Db } from './db.js';

/** A row to append; its time is the writer's clock, never earlier than the row before it. */
export type AuditEntry = Omit<AuditFields, 'at'>;

const LAST_ROW = 'SELECT at, hash FROM audit_log ORDER BY id DESC LIMIT 1';
const INSERT_ROW = `INSERT INTO audit_log (at, agent, action, ticket, account_id, outcome, detail, prev_hash, hash)
  VALUES (@at, @agent, @action, @ticket, @account_id, @outcome, @detail, @prev_hash, @hash)`;

/**
 * Append one row. Call it inside the write transaction of the change it records, so the change and its
 * audit row commit together or not at all.
 */
export function appendAudit(db: Db, entry: AuditEntry, now: Date): AuditRow {
  const last = sql<{ at: string; hash: string }>(db, LAST_ROW).get();
  const fields: AuditFields = { ...entry, at: notBefore(now, last?.at) };
  const prev_hash = last?.hash ?? GENESIS_HASH;
  const hash = chainHash(prev_hash, fields);
  const info = sql(db, INSERT_ROW).run({ ...fields, prev_hash, hash });
  return { ...fields, id: Number(info.lastInsertRowid), prev_hash, hash };
}

/** Append several rows in order (one read of the chain's end); call inside the write transaction. */
export function appendAuditRows(db: Db, entries: readonly AuditEntry[], now: Date): void {
  if (entries.length === 0) return;
  const last = sql<{ at: string; hash: string }>(db, LAST_ROW).get();
  let prev_hash = last?.hash ?? GENESIS_HASH;
  const insert = sql(db, INSERT_ROW);
  const at = notBefore(now, last?.at);
  for (const entry of entries) {
    const fields: AuditFields = { ...entry, at };
    const hash = chainHash(prev_hash, fields);
    insert.run({ ...fields, prev_hash, hash });
    prev_hash = hash;
  }
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
  return db.prepare<unknown[], AuditRow>(`SELECT * FROM (SELECT * FROM audit_log ${where} ${latest}) ORDER BY id`).all(params);
}

/** How many rows the filter matches, whatever the limit. */
export function countAudit(db: Db, filter: AuditFilter): number {
  const { where, params } = auditWhere(filter);
  return db.prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM audit_log ${where}`).get(params)!.n;
}

function auditWhere(filter: AuditFilter): { where: string; params: Record<string, unknown> } {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.ticket) {
    where.push('ticket = @ticket');
    params.ticket = filter.ticket;
  }
  if (filter.accountIds) {
    // A read that showed several accounts names them in its detail ("…: showed 3 accounts: 1001, 1002, 1003",
    // src/actions/read-audit.ts), not in account_id: matched as whole ids in that list.
    where.push(`(account_id IN (SELECT value FROM json_each(@accounts))
      OR (account_id IS NULL AND outcome = 'read' AND instr(detail, ' accounts: ') > 0 AND EXISTS (
        SELECT 1 FROM json_each(@accounts) AS a
        WHERE instr(', ' || substr(detail, instr(detail, ' accounts: ') + 11) || ',', ', ' || a.value || ',') > 0)))`);
    params.accounts = JSON.stringify(filter.accountIds);
  }
  if (filter.since) {
    where.push('at >= @since');
    params.since = filter.since;
  }
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

/** What `cx audit --verify` finds (docs/reference.md#json-of-cx-audit: ok, rows, first_bad_row; and the anchor). */
export interface AuditVerification {
  ok: boolean;
  rows: number;
  first_bad_row: number | null;
  /** The last row the platform holds (`cx sync push`), or null before the first push. */
  anchored_id: number | null;
  /** Rows after the anchor: only the platform's copy protects them, and it has not got them yet. */
  unanchored_rows: number;
  /** Why it failed: a broken link, the anchored row gone, or the anchored row no longer the same. */
  problem: ChainProblem | 'anchor_missing' | 'anchor_changed' | null;
}

export function verifyAudit(db: Db): AuditVerification {
  const stmt = db.prepare<unknown[], AuditRow>('SELECT * FROM audit_log ORDER BY id');
  let rows = 0;
  const counted = (function* () {
    for (const row of stmt.iterate()) {
      rows += 1;
      yield row;
    }
  })();
  const broken = firstBrokenRow(counted);
  const bad = broken?.id ?? null;
  if (bad !== null) rows = sql<{ n: number }>(db, 'SELECT count(*) AS n FROM audit_log').get()!.n;
  const anchor = readAnchor(db);
  const base = { rows, anchored_id: anchor?.anchored_id ?? null, unanchored_rows: anchor ? countAuditAfter(db, anchor.anchored_id) : rows };
  if (anchor) {
    // A chain that holds can still have lost its end, or been rewritten whole: the anchored row tells.
    const at = auditRow(db, anchor.anchored_id);
    if (!at) {
      const below = sql<{ id: number | null }>(db, 'SELECT max(id) AS id FROM audit_log WHERE id <= ?').get(anchor.anchored_id)!;
      return { ...base, ok: false, first_bad_row: bad ?? (below.id ?? 0) + 1, problem: 'anchor_missing' };
    }
    if (at.hash !== anchor.anchored_hash) return { ...base, ok: false, first_bad_row: bad ?? anchor.anchored_id, problem: 'anchor_changed' };
  }
  return { ...base, ok: broken === null, first_bad_row: bad, problem: broken?.problem ?? null };
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
    const end = sql<{ id: number; action: string }>(
      db,
      `SELECT id, action FROM audit_log WHERE ticket IS @ticket AND id > @id AND action IN (@done, @abandoned)
       AND detail LIKE @ref ORDER BY id LIMIT 1`,
    ).get({ ticket: row.ticket, id: row.id, done: base, abandoned: abandonedAction(base), ref: `%${startedRef(row.id)}` });
    if (end) ends.set(row.id, end);
  }
  return ends;
}
