// What `cx db doctor` concludes from the mirror's health and its audit chain.
import { statSync } from 'node:fs';
import { verifyAudit } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { readHealth, type Health } from '../store/health.js';
import { SCHEMA_VERSION } from '../store/schema.js';

export interface DoctorReport extends Health {
  ok: boolean;
  problems: string[];
  /** Not integrity failures, but worth fixing (e.g. a mirror others can read). */
  warnings: string[];
  audit: ReturnType<typeof verifyAudit>;
}

export function examineMirror(db: Db, path?: string): DoctorReport {
  const health = readHealth(db);
  const audit = verifyAudit(db);
  const problems: string[] = [];
  if (health.integrity.join() !== 'ok') problems.push(`integrity_check: ${health.integrity.slice(0, 5).join('; ')}`);
  for (const v of health.foreign_key_violations.slice(0, 5)) {
    problems.push(`foreign key: ${v.table} row ${v.rowid} points at a missing ${v.parent}`);
  }
  if (health.schema_version !== SCHEMA_VERSION) {
    problems.push(`schema version ${health.schema_version}, expected ${SCHEMA_VERSION}`);
  }
  if (health.journal_mode !== 'wal') problems.push(`journal mode is ${health.journal_mode}, expected wal`);
  if (audit.problem === 'chain') problems.push(`audit log chain broken at row ${audit.first_bad_row}`);
  else if (audit.problem !== null) problems.push(`audit log no longer reaches its anchor (row ${audit.anchored_id}, ${audit.problem === 'anchor_missing' ? 'gone' : 'changed'})`);
  const warnings: string[] = [];
  const mode = path ? fileMode(path) : null;
  if (mode !== null && (mode & 0o077) !== 0) {
    warnings.push(`the mirror is readable by others (mode ${mode.toString(8)}); it holds patient data: chmod 600 ${path}`);
  }
  return { ...health, audit, ok: problems.length === 0, problems, warnings };
}

function fileMode(path: string): number | null {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return null;
  }
}
