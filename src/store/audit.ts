// The audit log's SQL. Rows are only ever inserted; triggers in the schema refuse UPDATE and DELETE, on the
// log and on audit_accounts, the accounts a row is about beyond its account_id (src/rules/audit-accounts.ts).
import { accountListHolds, withAccountList, withoutAccountList } from '../rules/audit-accounts.js';
import { chainHash, firstBrokenRow, GENESIS_HASH, notBefore, type AuditFields, type AuditRow, type ChainProblem } from '../rules/audit-chain.js';
import { abandonedAction, startedBase, startedRef } from '../rules/handover-rows.js';
import { auditRow, countAuditAfter, readAnchor } from './audit-anchor.js';
import { sql, type Db } from './db.js';

/** A row to append; its time is the writer's clock, never earlier than the row before it. */
export type AuditEntry = Omit<AuditFields, 'at'> & {
  /**
   * The accounts the row is about beyond account_id, in the order shown (every account a read showed, every
   * client whose notes a zip held): all kept in audit_accounts, their count and digest at the end of the detail.
   */
  accounts?: readonly string[];
};

const LAST_ROW = 'SELECT at, hash FROM audit_log ORDER BY id DESC LIMIT 1';
const INSERT_ROW = `INSERT INTO audit_log (at, agent, action, ticket, account_id, outcome, detail, prev_hash, hash)
     VALUES (@at, @agent, @action, @ticket, @account_id, @outcome, @detail, @prev_hash, @hash)`;

/**
 * Append one row. Call it inside the write transaction of the change it records, so the change and its
 * audit row commit together or not at all.
 */
export function appendAudit(db: Db, entry: AuditEntry, now: Date): AuditRow {
  const last = sql<{ at: string; hash: string }>(db, LAST_ROW).get();
  const { fields, accounts } = rowOf(entry, notBefore(now, last?.at));
  const prev_hash = last?.hash ?? GENESIS_HASH;
  const hash = chainHash(prev_hash, fields);
  const info = sql(db, INSERT_ROW).run({ ...fields, prev_hash, hash });
  const id = Number(info.lastInsertRowid);
  keepAccounts(db, id, accounts);
  return { ...fields, id, prev_hash, hash };
}

/** Append several rows in order (one read of the chain's end); call inside the write transaction. */
export function appendAuditRows(db: Db, entries: readonly AuditEntry[], now: Date): void {
  if (entries.length === 0) return;
  const last = sql<{ at: string; hash: string }>(db, LAST_ROW).get();
  let prev_hash = last?.hash ?? GENESIS_HASH;
  const insert = sql(db, INSERT_ROW);
  const at = notBefore(now, last?.at);
  for (const entry of entries) {
    const { fields, accounts } = rowOf(entry, at);
    const hash = chainHash(prev_hash, fields);
    const info = insert.run({ ...fields, prev_hash, hash });
    keepAccounts(db, Number(info.lastInsertRowid), accounts);
    prev_hash = hash;
  }
}

/** The row's fields, its detail ending with the list's mark when it keeps accounts (and never otherwise). */
function rowOf(entry: AuditEntry, at: string): { fields: AuditFields; accounts: string[] } {
  const { accounts: given, ...rest } = entry;
  const accounts = [...new Set(given ?? [])];
  const detail = accounts.length > 0 ? withAccountList(rest.detail, accounts) : withoutAccountList(rest.detail);
  return { fields: { ...rest, detail, at }, accounts };
}

/** One statement however many ids: a read of 12,000 accounts is one insert of a JSON array. */
function keepAccounts(db: Db, auditId: number, accounts: readonly string[]): void {
  if (accounts.length === 0) return;
  sql(db, 'INSERT INTO audit_accounts (audit_id, position, account_id) SELECT @id, key, value FROM json_each(@ids)').run({ id: auditId, ids: JSON.stringify(accounts) });
}

/** The accounts kept with each of these rows (src/rules/audit-accounts.ts), in the order the row lists them. */
export function keptAccounts(db: Db, auditIds: readonly number[]): Map<number, string[]> {
  const kept = new Map<number, string[]>();
  if (auditIds.length === 0) return kept;
  const rows = sql<{ audit_id: number; account_id: string }>(
    db,
    `SELECT a.audit_id, a.account_id FROM json_each(@ids) AS r JOIN audit_accounts AS a ON a.audit_id = r.value ORDER BY a.audit_id, a.position`,
  ).all({ ids: JSON.stringify(auditIds) });
  for (const { audit_id, account_id } of rows) {
    const list = kept.get(audit_id);
    if (list) list.push(account_id);
    else kept.set(audit_id, [account_id]);
  }
  return kept;
}

/**
 * The first row that keeps its accounts in audit_accounts (migration 4): rows before it name theirs in
 * their detail only. A mirror that lost the mark is searched the old way throughout.
 */
export function auditListsFrom(db: Db): number {
  const row = sql<{ value: string }>(db, "SELECT value FROM mirror_meta WHERE key = 'audit_lists_from'").get();
  const from = Number(row?.value);
  return Number.isSafeInteger(from) ? from : Number.MAX_SAFE_INTEGER;
}

export interface AuditFilter {
  ticket?: string;
  accountIds?: string[];
  since?: string;
  limit?: number;
}

/** The matching rows, oldest first; with a limit, the latest `limit` of them. */
export function listAudit(db: Db, filter: AuditFilter): AuditRow[] {
  const { where, params } = auditWhere(db, filter);
  const latest = filter.limit === undefined ? '' : `ORDER BY id DESC LIMIT ${Math.max(1, Math.floor(filter.limit))}`;
  return db.prepare<unknown[], AuditRow>(`SELECT * FROM (SELECT * FROM audit_log ${where} ${latest}) ORDER BY id`).all(params);
}

/** How many rows the filter matches, whatever the limit. */
export function countAudit(db: Db, filter: AuditFilter): number {
  const { where, params } = auditWhere(db, filter);
  return db.prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM audit_log ${where}`).get(params)!.n;
}

/**
 * The rows about one of the accounts: by account_id; through audit_accounts, by its index on the first
 * 1,000 ids of each row (migration 4) and, for the rows that list more, by reading the rest of their lists
 * (found through audit_accounts_long: a few rows, read in order); and, among the rows written before
 * audit_accounts existed, a read that named several accounts in its detail only ("…: showed 3 accounts:
 * 1001, 1002, 1003", or "… and 12 more"), matched as whole ids in that list.
 */
const ROWS_ABOUT_ACCOUNTS = `id IN (
      SELECT id FROM audit_log WHERE account_id IN (SELECT value FROM json_each(@accounts))
      UNION SELECT audit_id FROM audit_accounts WHERE account_id IN (SELECT value FROM json_each(@accounts)) AND position < 1000
      UNION SELECT tail.audit_id FROM audit_accounts AS long JOIN audit_accounts AS tail ON tail.audit_id = long.audit_id AND tail.position >= 1000
        WHERE long.position = 1000 AND tail.account_id IN (SELECT value FROM json_each(@accounts))
      UNION SELECT id FROM audit_log
        WHERE id < @listsFrom AND account_id IS NULL AND outcome = 'read' AND instr(detail, ' accounts: ') > 0 AND EXISTS (
          SELECT 1 FROM json_each(@accounts) AS a
          WHERE instr(', ' || substr(detail, instr(detail, ' accounts: ') + 11) || ',', ', ' || a.value || ',') > 0
          OR instr(', ' || substr(detail, instr(detail, ' accounts: ') + 11), ', ' || a.value || ' and ') > 0))`;

function auditWhere(db: Db, filter: AuditFilter): { where: string; params: Record<string, unknown> } {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.ticket) {
    where.push('ticket = @ticket');
    params.ticket = filter.ticket;
  }
  if (filter.accountIds) {
    where.push(ROWS_ABOUT_ACCOUNTS);
    params.accounts = JSON.stringify(filter.accountIds);
    params.listsFrom = auditListsFrom(db);
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
  /**
   * Why it failed: a broken link, a row dated before the row it follows, the account ids kept with a row no
   * longer the ones its detail committed to, the anchored row gone, or the anchored row no longer the same.
   */
  problem: ChainProblem | 'accounts' | 'anchor_missing' | 'anchor_changed' | null;
}

export function verifyAudit(db: Db): AuditVerification {
  // A mirror at an older schema (the strict doctor does not upgrade it) has no audit_accounts: none kept.
  const lists = sql<{ n: number }>(db, "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'audit_accounts'").get()!.n > 0;
  const stmt = db.prepare<unknown[], AuditRow & { kept: string }>(
    lists
      ? `SELECT l.*, (SELECT json_group_array(account_id) FROM (SELECT account_id FROM audit_accounts WHERE audit_id = l.id ORDER BY position)) AS kept
         FROM audit_log AS l ORDER BY l.id`
      : `SELECT *, '[]' AS kept FROM audit_log ORDER BY id`,
  );
  let rows = 0;
  let listBroken: number | null = null;
  const counted = (function* () {
    for (const row of stmt.iterate()) {
      rows += 1;
      if (!accountListHolds(row.detail, JSON.parse(row.kept) as string[])) listBroken = row.id;
      yield row;
      if (listBroken !== null) return; // the first problem is found (the chain is checked up to this row)
    }
  })();
  const chainBroken = firstBrokenRow(counted);
  // Ids kept for a row that is not in the log at all.
  if (chainBroken === null && listBroken === null && lists) {
    listBroken = sql<{ id: number | null }>(db, 'SELECT min(audit_id) AS id FROM audit_accounts WHERE audit_id NOT IN (SELECT id FROM audit_log)').get()!.id;
  }
  const bad = chainBroken?.id ?? listBroken;
  if (bad !== null) rows = sql<{ n: number }>(db, 'SELECT count(*) AS n FROM audit_log').get()!.n;
  const problem = chainBroken?.problem ?? (listBroken !== null ? 'accounts' : null);
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
  return { ...base, ok: bad === null, first_bad_row: bad, problem };
}

/**
 * For each started hand-over among `rows` (src/rules/handover-rows.ts), the row that completed or abandoned
 * it, found by the reference its detail ends with (before the list of the accounts it keeps, if any); a
 * started row missing here was never completed.
 */
export function handoverEnds(db: Db, rows: readonly AuditRow[]): Map<number, { id: number; action: string }> {
  const ends = new Map<number, { id: number; action: string }>();
  for (const row of rows) {
    const base = startedBase(row.action);
    if (base === null) continue;
    const end = sql<{ id: number; action: string }>(
      db,
      `SELECT id, action FROM audit_log WHERE ticket IS @ticket AND id > @id AND action IN (@done, @abandoned)
       AND (detail LIKE @ref OR detail LIKE @refThenList) ORDER BY id LIMIT 1`,
    ).get({ ticket: row.ticket, id: row.id, done: base, abandoned: abandonedAction(base), ref: `%${startedRef(row.id)}`, refThenList: `%${startedRef(row.id)} [account ids: %` });
    if (end) ends.set(row.id, end);
  }
  return ends;
}
