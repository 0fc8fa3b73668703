// cx's own changes against an import (docs/reference.md#imports-and-cxs-own-changes), as SQL over the staged
// rows. The platform's export reflects a change of cx's only once `cx sync push` has delivered it:
//   - not delivered (pending, or failed): the import keeps the value cx set ("kept" where the export has
//     another one), and never touches what cx recorded beside it (deactivation and retention dates, the
//     contract's end);
//   - delivered and not yet reconciled: the export's value wins; where it differs from cx's it is a
//     conflict (the platform may have reversed the change on purpose). Either way the change is marked
//     reconciled, so that a later import says nothing more about it.
// Fields: an account's `status` (client deactivations, provider terminations) and an address's
// `suppression` (cx took it off the list). For each account or address only its latest change counts.
//
// In two steps, to keep the write lock short however long the changes table grows (every email is a row):
// the candidates are found by a scan during the comparison, under its read snapshot (findCxCandidates);
// under the lock they are read again by id, with any change recorded since (weighCxChanges).
import { addressKey } from '../rules/address.js';
import type { Db } from './db.js';
import { differs } from './import-diff.js';
import { stageTable, todoTable } from './import-stage.js';

export type CxField = 'status' | 'suppression';
/** kept: cx's value stays; agrees: the platform has it; waits: delivered, not due yet; conflict. */
export type CxVerdict = 'kept' | 'agrees' | 'waits' | 'conflict';

/** Which exports the import has: a file that is absent says nothing about the changes it would show. */
export interface CxFiles {
  accounts: boolean;
  suppressions: boolean;
}

/** One change that the import keeps or finds in conflict. */
export interface CxOutcome {
  change_id: number;
  kind: 'deactivate_client' | 'terminate_provider' | 'lift_suppression';
  field: CxField;
  account_id: string | null;
  verdict: 'kept' | 'conflict';
  /** cx's value: a status, or null (no suppression). */
  cx: string | null;
  /** The export's value: a status, or the suppression's reason (null: not suppressed). */
  platform: string | null;
  key: string;
  desk: string;
  ticket: string;
  delivered_at: string | null;
  /** The change's data as sent to the platform (JSON text). */
  data: string;
}

const CANDIDATES = 'temp.import_cx_candidates';
const WEIGHED = 'temp.import_cx_changes';

const KINDS = (files: CxFiles): string =>
  JSON.stringify([...(files.accounts ? ['deactivate_client', 'terminate_provider'] : []), ...(files.suppressions ? ['lift_suppression'] : [])]);

/** The status a change leaves once it has taken effect. */
const FINAL_STATUS = `CASE h.kind WHEN 'deactivate_client' THEN 'deactivated' ELSE 'terminated' END`;

/**
 * Under the comparison's snapshot: the unreconciled changes the present files can show (one scan of the
 * changes table, outside the lock). Returns the last change id then: later ones are read at the apply.
 */
export function findCxCandidates(db: Db, files: CxFiles): number {
  db.exec(`DROP TABLE IF EXISTS ${CANDIDATES}; CREATE TABLE ${CANDIDATES} (id INTEGER PRIMARY KEY)`);
  db.prepare(
    `INSERT INTO ${CANDIDATES} (id) SELECT id FROM main.changes
     WHERE reconciled_at IS NULL AND kind IN (SELECT value FROM json_each(?))`,
  ).run(KINDS(files));
  return db.prepare<unknown[], { id: number }>('SELECT coalesce(max(id), 0) AS id FROM main.changes').get()!.id;
}

/**
 * Read the candidates again (their state now) with the changes recorded since `lastSeen`, and decide each
 * account's and address's latest change against the staged rows. `today` (YYYY-MM-DD, UTC) decides
 * whether a termination has taken effect. Writes temp tables only.
 */
export function weighCxChanges(db: Db, o: { lastSeen: number; today: string; files: CxFiles }): void {
  registerFunctions(db);
  db.exec(`DROP TABLE IF EXISTS ${WEIGHED};
    CREATE TABLE ${WEIGHED} (
      change_id INTEGER PRIMARY KEY, kind TEXT NOT NULL, field TEXT NOT NULL,
      target TEXT,                  -- the account id (status) or the address key (suppression)
      account_id TEXT, delivered INTEGER NOT NULL, created_at TEXT NOT NULL, effective TEXT,
      latest INTEGER NOT NULL DEFAULT 0,
      staged INTEGER,               -- rowid of the staged row that shows the field; null: the export has none
      newer INTEGER,                -- a staged suppression recorded after cx lifted the address
      cx TEXT, platform TEXT, verdict TEXT)`);
  const columns = `id, kind, CASE kind WHEN 'lift_suppression' THEN 'suppression' ELSE 'status' END,
    CASE kind WHEN 'lift_suppression' THEN cx_address_key(json_extract(data, '$.email')) ELSE account_id END,
    account_id, state = 'delivered', created_at, json_extract(data, '$.effective')`;
  db.prepare(
    `INSERT INTO ${WEIGHED} (change_id, kind, field, target, account_id, delivered, created_at, effective)
     SELECT ${columns} FROM main.changes WHERE id IN (SELECT id FROM ${CANDIDATES}) AND reconciled_at IS NULL
     UNION ALL
     SELECT ${columns} FROM main.changes WHERE id > @lastSeen AND reconciled_at IS NULL AND kind IN (SELECT value FROM json_each(@kinds))`,
  ).run({ lastSeen: o.lastSeen, kinds: KINDS(o.files) });
  db.exec(`UPDATE ${WEIGHED} SET latest = 1 WHERE change_id IN (SELECT max(change_id) FROM ${WEIGHED} GROUP BY field, target)`);
  weighStatuses(db, o.today);
  weighSuppressions(db);
}

function weighStatuses(db: Db, today: string): void {
  db.exec(
    `UPDATE ${WEIGHED} AS h SET staged = s.rowid, platform = s.status
     FROM ${stageTable('accounts')} AS s WHERE h.field = 'status' AND h.latest AND s.id = h.target`,
  );
  // cx's value: a deactivation's, or a termination's once in effect; before its date (still pending) the
  // provider keeps the status cx gave them until then.
  db.prepare(
    `UPDATE ${WEIGHED} AS h SET cx = CASE
       WHEN h.kind = 'deactivate_client' OR h.delivered OR h.effective <= @today THEN ${FINAL_STATUS}
       ELSE (SELECT status FROM main.accounts WHERE id = h.target) END
     WHERE h.field = 'status' AND h.latest AND h.staged IS NOT NULL`,
  ).run({ today });
  // Not delivered: an export that already has the change's final status is ahead of cx, not against it.
  // Delivered: a termination still before its date (or on it: the export may predate it) is not due yet.
  db.prepare(
    `UPDATE ${WEIGHED} AS h SET verdict = CASE
       WHEN NOT h.delivered THEN CASE WHEN h.platform IN (h.cx, ${FINAL_STATUS}) THEN NULL ELSE 'kept' END
       WHEN h.platform = ${FINAL_STATUS} THEN 'agrees'
       WHEN h.kind = 'terminate_provider' AND h.platform = 'active' AND h.effective >= @today THEN 'waits'
       ELSE 'conflict' END
     WHERE h.field = 'status' AND h.latest AND h.staged IS NOT NULL`,
  ).run({ today });
}

function weighSuppressions(db: Db): void {
  db.exec(
    `UPDATE ${WEIGHED} AS h SET staged = s.rowid, platform = s.reason,
       newer = coalesce(cx_time(s.created_at) > cx_time(h.created_at), 0)
     FROM ${stageTable('suppressions')} AS s WHERE h.field = 'suppression' AND h.latest AND s.email_key = h.target`,
  );
  // A suppression the platform recorded after cx lifted the address is a new one (the person unsubscribed
  // again), not the one cx lifted: it comes in like any imported row.
  db.exec(
    `UPDATE ${WEIGHED} AS h SET verdict = CASE
       WHEN NOT h.delivered THEN CASE WHEN h.staged IS NOT NULL AND NOT h.newer THEN 'kept' END
       WHEN h.staged IS NULL THEN 'agrees' ELSE 'conflict' END
     WHERE h.field = 'suppression' AND h.latest`,
  );
}

/**
 * Make the staged rows carry what is kept: cx's status (the row is written only where the mirror does
 * not have it already), and no suppression row for an address cx took off the list.
 */
export function holdCxValues(db: Db): void {
  const kept = (field: CxField) => `SELECT staged FROM ${WEIGHED} WHERE verdict = 'kept' AND field = '${field}'`;
  db.exec(
    `UPDATE ${stageTable('accounts')} AS s SET status = h.cx FROM ${WEIGHED} AS h
     WHERE h.verdict = 'kept' AND h.field = 'status' AND s.rowid = h.staged`,
  );
  db.exec(`INSERT OR IGNORE INTO ${todoTable('accounts')} (rid) ${kept('status')}`);
  db.exec(
    `DELETE FROM ${todoTable('accounts')} WHERE rid IN (
       SELECT s.rowid FROM ${stageTable('accounts')} AS s JOIN main.accounts AS a ON a.id = s.id
       WHERE s.rowid IN (${kept('status')}) AND NOT (${differs('accounts', 'a', 's')}))`,
  );
  db.exec(`DELETE FROM ${todoTable('suppressions')} WHERE rid IN (${kept('suppression')})`);
}

/** The changes kept and in conflict, oldest first. */
export function cxOutcomes(db: Db): CxOutcome[] {
  return db
    .prepare<unknown[], CxOutcome>(
      `SELECT h.change_id, h.kind, h.field, h.account_id, h.verdict, h.cx, h.platform, c.key, c.desk, c.ticket, c.delivered_at, c.data
       FROM ${WEIGHED} AS h JOIN main.changes AS c ON c.id = h.change_id
       WHERE h.verdict IN ('kept', 'conflict') ORDER BY h.change_id`,
    )
    .all();
}

/**
 * In the apply's write transaction: mark reconciled each latest change the export agrees with or
 * contradicts (and the delivered changes it superseded), and where the platform made an account active
 * again, clear what cx recorded about its leaving (the conflict's audit row keeps it).
 */
export function settleCxChanges(db: Db, now: Date): void {
  const reversed = (kind: string) =>
    `SELECT account_id FROM ${WEIGHED} WHERE verdict = 'conflict' AND kind = '${kind}' AND platform = 'active'`;
  db.exec(`UPDATE main.accounts SET deactivated_at = NULL, retain_until = NULL, retention_rule = NULL WHERE id IN (${reversed('deactivate_client')})`);
  db.exec(`UPDATE main.accounts SET contract_ends_at = NULL WHERE id IN (${reversed('terminate_provider')})`);
  db.prepare(
    `UPDATE main.changes SET reconciled_at = ? WHERE id IN (
       SELECT o.change_id FROM ${WEIGHED} AS l JOIN ${WEIGHED} AS o ON o.field = l.field AND o.target IS l.target
       WHERE l.latest AND l.verdict IN ('agrees', 'conflict') AND (o.change_id = l.change_id OR o.delivered))`,
  ).run(now.toISOString());
}

export function dropCxTables(db: Db): void {
  if (db.open) db.exec(`DROP TABLE IF EXISTS ${CANDIDATES}; DROP TABLE IF EXISTS ${WEIGHED}`);
}

const registered = new WeakSet<Db>();

/** The address key cx's rules give (the change names the address as it was stored), and ISO times compared. */
function registerFunctions(db: Db): void {
  if (registered.has(db)) return;
  db.function('cx_address_key', { deterministic: true }, (v: unknown) => (typeof v === 'string' ? addressKey(v) : null));
  db.function('cx_time', { deterministic: true }, (v: unknown) => {
    const ms = typeof v === 'string' ? Date.parse(v) : Number.NaN;
    return Number.isNaN(ms) ? null : ms;
  });
  registered.add(db);
}
