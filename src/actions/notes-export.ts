// Zip a provider's progress notes (issue 6): found by current or former address, also once deactivated or
// terminated. The notes are streamed from one read snapshot into src/archive/notes-zip.ts, which writes a
// temporary file and renames it into place. Reading notes is PHI access, so every export that hands a
// file over is in the audit log (provider, ticket, count, filters, path, SHA-256: never note content);
// when the audit row cannot be written, the zip is removed again. Async, unlike the other actions:
// the zip is written through streams.
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ArchiveTargetExistsError, ArchiveWriteError, writeNotesZip, type ExportHeader } from '../archive/notes-zip.js';
import { verifyNotesZip } from '../archive/verify.js';
import { isCalendarDate, today } from '../rules/dates.js';
import { safeSegment } from '../rules/entry-names.js';
import type { Account } from '../store/accounts.js';
import { writeTransaction } from '../store/db.js';
import { countNotes, hasNotesAbout, inReadSnapshot, streamNotes, type NoteFilter } from '../store/notes.js';
import { accountForChange, accountLabel, audit, fullName, result, type ActionDeps, type ActionResult } from './common.js';

export interface NotesExportInput {
  email: string;
  /** The zip to write; else `<outDir or cwd>/notes-<provider id>-<ticket>-<YYYYMMDD>.zip`. */
  out?: string;
  outDir?: string;
  /** Only the notes about this client (found by address like the provider). */
  client?: string;
  /** Inclusive YYYY-MM-DD bounds on the session date. */
  since?: string;
  until?: string;
  force?: boolean;
  /** Read the written zip back and check every entry against its manifest. */
  verify?: boolean;
  /** The caller creates outDir before a real run (cx batch --notes-dir): a dry run does not call it missing. */
  createsOutDir?: boolean;
}

/** What is wrong with the filters, or null; the command checks this before asking for a ticket. */
export function invalidFilters(input: Pick<NotesExportInput, 'since' | 'until'>): string | null {
  for (const key of ['since', 'until'] as const) {
    const value = input[key];
    if (value !== undefined && !isCalendarDate(value)) return `--${key} is not a date (YYYY-MM-DD): ${value}`;
  }
  if (input.since !== undefined && input.until !== undefined && input.since > input.until) {
    return `--since ${input.since} is after --until ${input.until}: no session can match`;
  }
  return null;
}

interface Plan {
  provider: Account;
  client: Account | undefined;
  filter: NoteFilter;
  count: number;
  path: string;
  matchedBy: string;
}

export async function exportNotes(deps: ActionDeps, input: NotesExportInput): Promise<ActionResult> {
  const bad = invalidFilters(input);
  if (bad) return result('invalid', bad, null);
  if (deps.dryRun) {
    const plan = decide(deps, input);
    if ('refusal' in plan) return plan.refusal;
    return result('planned', `would export ${plan.count} progress note${plan.count === 1 ? '' : 's'} of ${who(plan.provider)}${foundBy(plan, input.email)}${filterText(plan)} to ${plan.path}`, plan.provider.id, fields(plan, null));
  }
  // The count and the notes come from one snapshot: the zip holds exactly the notes counted.
  const written = await inReadSnapshot(deps.db, async () => {
    const plan = decide(deps, input);
    if ('refusal' in plan) return plan.refusal;
    const notes = streamNotes(deps.db, plan.filter);
    try {
      return { plan, zip: await writeNotesZip({ target: plan.path, force: Boolean(input.force), header: header(deps, plan), notes, expectedCount: plan.count }) };
    } catch (err) {
      if (err instanceof ArchiveTargetExistsError) return refusedExisting(plan);
      if (err instanceof ArchiveWriteError) {
        return result('error', `${err.message}; no file was left behind${causeHint(err)}`, plan.provider.id, fields(plan, null));
      }
      throw err;
    } finally {
      notes.return(undefined); // the statement is reset even when the writer stopped part-way
    }
  });
  if ('outcome' in written) return written;
  const { plan, zip } = written;
  const r = result('done', `exported ${zip.notes} progress note${zip.notes === 1 ? '' : 's'} of ${who(plan.provider)}${foundBy(plan, input.email)}${filterText(plan)} to ${zip.path}`, plan.provider.id, {
    ...fields(plan, zip.sha256),
    notes: zip.notes,
    bytes: zip.bytes,
  });
  try {
    writeTransaction(deps.db, () => audit(deps, 'notes.export', { ...r, detail: auditDetail(plan, zip) }));
  } catch (err) {
    await rm(zip.path, { force: true });
    const why = err instanceof Error ? err.message : String(err);
    return result('error', `the export could not be recorded in the audit log (${why}), so ${zip.path} was removed again: nothing was handed over`, plan.provider.id, fields(plan, null));
  }
  return input.verify ? verified(r, zip) : r;
}

function decide(deps: ActionDeps, input: NotesExportInput): Plan | { refusal: ActionResult } {
  const found = accountForChange(deps.db, input.email);
  if ('refusal' in found) return found;
  const provider = found.account;
  if (provider.role !== 'provider') {
    return { refusal: result('refused', `${who(provider)} is a client, not a provider: only a provider's progress notes can be exported`, provider.id) };
  }
  let client: Account | undefined;
  if (input.client !== undefined) {
    const c = accountForChange(deps.db, input.client);
    if ('refusal' in c) return { refusal: { ...c.refusal, detail: `--client: ${c.refusal.detail}`, account_id: provider.id } };
    client = c.account;
    if (!hasNotesAbout(deps.db, provider.id, client.id)) {
      return { refusal: result('not_found', `${provider.id} wrote no progress notes about ${client.id} <${client.email}>`, provider.id) };
    }
  }
  const filter: NoteFilter = { providerId: provider.id, clientId: client?.id, since: input.since, until: input.until };
  const count = countNotes(deps.db, filter);
  const target = targetPath(deps, input, provider);
  const plan: Plan = { provider, client, filter, count, path: target, matchedBy: found.matchedBy };
  if (count === 0) {
    const scope = filterText(plan) || ' at all';
    return { refusal: result('not_found', `${who(provider)} has no progress notes${scope}: no file written`, provider.id, { ...fields(plan, null), path: null }) };
  }
  const problem = targetProblem(target, Boolean(input.createsOutDir && input.out === undefined));
  if (problem) return { refusal: result('invalid', problem, provider.id) };
  if (!input.force && existsQuietly(target)) return { refusal: refusedExisting(plan) };
  return plan;
}

function targetPath(deps: ActionDeps, input: NotesExportInput, provider: Account): string {
  if (input.out !== undefined) return resolve(input.out);
  const ticket = safeSegment(deps.ticket, 40, 'no-ticket');
  const day = today(deps.now).replace(/-/g, '');
  return resolve(input.outDir ?? '.', `notes-${safeSegment(provider.id, 40, 'provider')}-${ticket}-${day}.zip`);
}

/** A path the zip cannot be written to, said before any note is read. */
function targetProblem(target: string, dirWillBeMade = false): string | null {
  const dir = dirname(target);
  try {
    if (!statSync(dir).isDirectory()) return `cannot write ${target}: ${dir} is not a folder`;
  } catch {
    if (!dirWillBeMade) return `cannot write ${target}: the folder ${dir} does not exist`;
    // Not there yet: fine when its nearest existing ancestor is a folder it can be made in.
    let up = dirname(dir);
    while (!existsQuietly(up) && dirname(up) !== up) up = dirname(up);
    return statSync(up).isDirectory() ? null : `cannot make the folder ${dir}: ${up} is not a folder`;
  }
  try {
    if (statSync(target).isDirectory()) return `${target} is a folder; name the zip file to write`;
  } catch {
    // Not there yet: fine.
  }
  return null;
}

function existsQuietly(path: string): boolean {
  try {
    statSync(path, { throwIfNoEntry: true });
    return true;
  } catch {
    return false;
  }
}

function refusedExisting(plan: Plan): ActionResult {
  return result('refused', `${plan.path} already exists and was left as it is; add --force to replace it, or choose another --out`, plan.provider.id, fields(plan, null));
}

async function verified(r: ActionResult, zip: { path: string; notes: number; sha256: string }): Promise<ActionResult> {
  const report = await verifyNotesZip(zip.path);
  const problems = [...report.problems];
  if (report.notes !== zip.notes) problems.push(`the manifest lists ${report.notes} notes, ${zip.notes} were written`);
  const onDisk = await sha256Of(zip.path);
  if (onDisk !== zip.sha256) problems.push(`the file on disk has SHA-256 ${onDisk}, ${zip.sha256} was written (and audited)`);
  if (problems.length === 0) return { ...r, detail: `${r.detail}; verified ${report.entries} entries`, verified: true, verified_entries: report.entries };
  return { ...r, outcome: 'error', detail: `${zip.path} was written but does NOT verify (${problems.length} problem${problems.length === 1 ? '' : 's'}): do not send it`, verified: false, problems };
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function header(deps: ActionDeps, plan: Plan): ExportHeader {
  return {
    providerName: fullName(plan.provider),
    providerEmail: plan.provider.email,
    providerId: plan.provider.id,
    ticket: deps.ticket,
    exportedAt: deps.now.toISOString(),
    agent: deps.agent,
    filters: filterText(plan, true).replace(/^ /, ''),
  };
}

/** ' about client 1020 <a@b>, sessions from X to Y', or '' without filters; names only inside the zip. */
function filterText(plan: Pick<Plan, 'client' | 'filter'>, withName = false): string {
  const parts: string[] = [];
  if (plan.client) parts.push(`about client ${plan.client.id}${withName ? ` ${fullName(plan.client)}` : ''} <${plan.client.email}>`);
  const { since, until } = plan.filter;
  if (since && until) parts.push(`with sessions from ${since} to ${until}`);
  else if (since) parts.push(`with sessions from ${since}`);
  else if (until) parts.push(`with sessions until ${until}`);
  return parts.length ? ` ${parts.join(', ')}` : '';
}

/** The audit row: who, how many, which filters, where, which hash. Never a title, a body or a client name. */
function auditDetail(plan: Plan, zip: { path: string; notes: number; bytes: number; sha256: string }): string {
  const f = plan.filter;
  const filters = [f.clientId && `client ${f.clientId}`, f.since && `since ${f.since}`, f.until && `until ${f.until}`].filter(Boolean).join(', ');
  return `exported ${zip.notes} progress notes of provider ${plan.provider.id} (filters: ${filters || 'none'}) to ${zip.path}, ${zip.bytes} bytes, sha256 ${zip.sha256}`;
}

function fields(plan: Plan, sha256: string | null): Record<string, unknown> {
  return {
    email: plan.provider.email,
    matched_by: plan.matchedBy,
    path: plan.path,
    notes: plan.count,
    sha256,
    filters: { client_id: plan.filter.clientId ?? null, since: plan.filter.since ?? null, until: plan.filter.until ?? null },
  };
}

const who = accountLabel;

/** ' (found by the former address x)' when the agent typed an old or differently written address. */
function foundBy(plan: Plan, typed: string): string {
  if (plan.matchedBy === 'former_email') return ` (found by the former address ${typed.trim()})`;
  if (plan.matchedBy === 'mailbox') return ` (found as the same mailbox as ${typed.trim()})`;
  return '';
}

function causeHint(err: ArchiveWriteError): string {
  const code = (err.cause as NodeJS.ErrnoException | undefined)?.code ?? '';
  if (code.startsWith('SQLITE_CORRUPT')) return ' (the mirror is damaged: run cx db doctor)';
  if (code === 'ENOSPC' || code === 'EFBIG' || code === 'EDQUOT') return ' (the disk or the file size limit is full)';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return ' (check the permissions of the folder)';
  return '';
}
