// An import meets cx's own changes (rules and SQL: store/import-cx-changes.ts): what it reports as kept
// (cx's value stays until the change is delivered) and as conflicts (delivered, and the platform has
// another value: its value wins, and each conflict gets its own audit row, under the change's ticket, so
// `cx audit --ticket` shows it beside the change). Nothing the platform reverted goes unreported.
import { today } from '../rules/dates.js';
import { appendAudit } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { cxOutcomes, holdCxValues, settleCxChanges, weighCxChanges, type CxField, type CxFiles, type CxOutcome } from '../store/import-cx-changes.js';

export interface KeptValue {
  /** The account; for a suppression, the account cx lifted it for (null: an address no account used). */
  account_id: string | null;
  field: CxField;
  /** A suppression's address. */
  email?: string;
}

export interface Conflict extends KeptValue {
  /** cx's value (a status; null for a suppression cx lifted) and the platform's (a status, or the reason). */
  cx: string | null;
  platform: string | null;
}

export interface CxReport {
  kept: KeptValue[];
  conflicts: Conflict[];
  /** The conflicts as read before the apply, for their audit rows. */
  outcomes: CxOutcome[];
}

/** Decide, and make the staged rows carry the kept values (temp tables only: also for a dry run). */
export function weighAgainstCx(db: Db, o: { lastSeen: number; now: Date; files: CxFiles }): CxReport {
  weighCxChanges(db, { lastSeen: o.lastSeen, today: today(o.now), files: o.files });
  holdCxValues(db);
  const outcomes = cxOutcomes(db);
  const entry = (c: CxOutcome): KeptValue => ({ account_id: c.account_id, field: c.field, ...(c.field === 'suppression' ? { email: addressOf(c) } : {}) });
  return {
    kept: outcomes.filter((c) => c.verdict === 'kept').map(entry),
    conflicts: outcomes.filter((c) => c.verdict === 'conflict').map((c) => ({ ...entry(c), cx: c.cx, platform: c.platform })),
    outcomes,
  };
}

/** In the apply's write transaction: reconciled changes, cleared dates, one audit row per conflict. */
export function settleWithCx(db: Db, report: CxReport, who: { agent: string; now: Date }): void {
  settleCxChanges(db, who.now);
  for (const c of report.outcomes) {
    if (c.verdict !== 'conflict') continue;
    appendAudit(
      db,
      { agent: who.agent, action: 'db.import.conflict', ticket: c.ticket, account_id: c.account_id, outcome: 'conflict', detail: conflictDetail(c) },
      who.now,
    );
  }
}

function conflictDetail(c: CxOutcome): string {
  const change = `ticket ${c.ticket} at ${c.desk}, change ${c.key.slice(0, 12)}, delivered ${c.delivered_at ?? 'at an unknown time'}`;
  if (c.field === 'suppression') {
    return `suppression of ${addressOf(c)}: cx took it off the list (${change}); the platform has it suppressed (${c.platform}); the mirror now holds the platform's value`;
  }
  const cleared = c.platform === 'active' ? `; the platform made the account active again: the dates cx recorded are cleared from it` : '';
  return `status: cx set ${c.cx} (${change}; ${recorded(c)}); the platform has ${c.platform}; the mirror now holds the platform's value${cleared}`;
}

/** What cx recorded with the change, as the change's data holds it. */
function recorded(c: CxOutcome): string {
  const data = JSON.parse(c.data) as Record<string, string>;
  if (c.kind === 'deactivate_client') return `deactivated ${data.deactivated_at}, records kept until ${data.retain_until} (${data.retention_rule})`;
  return `contract ends ${data.effective}`;
}

function addressOf(c: CxOutcome): string {
  return (JSON.parse(c.data) as { email: string }).email;
}
