// The file a provider's progress notes go to when no --out names one: `notes-<provider id>-<ticket>-<YYYYMMDD>.zip`.
// One rule for the export (src/actions/notes-export.ts), the batch's zips and the command the advice after an
// offboarding suggests, so the name the agent is shown is the name cx writes. The guided desk names the
// caseload CSV it offers after an offboarding the same way: `caseload-<provider id>-<ticket>-<YYYYMMDD>.csv`.
import { safeSegment } from './entry-names.js';

/** `day` is YYYY-MM-DD (rules/dates.ts today()); the ticket is '' for a dry run without one. */
export function notesZipName(providerId: string, ticket: string, day: string): string {
  return `notes-${safeSegment(providerId, 40, 'provider')}-${safeSegment(ticket, 40, 'no-ticket')}-${day.replace(/-/g, '')}.zip`;
}

/** The caseload CSV the desk saves after an offboarding; the same parts as the notes zip. */
export function caseloadCsvName(providerId: string, ticket: string, day: string): string {
  return `caseload-${safeSegment(providerId, 40, 'provider')}-${safeSegment(ticket, 40, 'no-ticket')}-${day.replace(/-/g, '')}.csv`;
}
