// Zip a provider's progress notes (issue 6): found by current or former address, also once deactivated or
// terminated. The notes are streamed from one read snapshot into src/archive/notes-zip.ts, which writes into
// an output file (src/files/output-file.ts): a temporary file beside the target, or a device. Reading notes
// is PHI access, and handing them over in a file is audited before the first byte of a note is written
// (issue 10, section 2; issue 20, sections 2 and 3): a started row is committed naming the provider, every
// client whose notes the zip is to hold (kept with the row: `cx audit --email <client>` finds it), the count,
// the target and the temporary file; then the zip is written, and the completing `notes.export` row (bytes,
// SHA-256, the clients again) names the started one as the file is renamed into place
// (src/actions/handover.ts). A zip that is not handed over gets an abandoned row saying how far it got: for
// a pipe or a device, the bytes that went out and the notes whole in them. Never note content. Async, unlike
// the other actions: the zip is written through streams.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { ArchiveWriteError, writeNotesZip, type ExportHeader, type NoteForExport, type ZipProgress, type ZipResult } from '../archive/notes-zip.js';
import { verifyNotesZip } from '../archive/verify.js';
import { CancelledError, CxError } from '../errors.js';
import { OutputExistsError, OutputPathError, OutputWriteError } from '../files/errors.js';
import { checkOutput, openOutput, type OutputFile, type Protected, type TargetOptions } from '../files/output-file.js';
import { mirrorFiles } from '../files/protected.js';
import { idList } from '../rules/audit-accounts.js';
import { isCalendarDate, today } from '../rules/dates.js';
import { notesZipName } from '../rules/notes-zip-name.js';
import type { Account } from '../store/accounts.js';
import { clientsOfNotes, countNotes, hasNotesAbout, inReadSnapshot, streamNotes, type NoteFilter } from '../store/notes.js';
import { accountForChange, accountLabel, fullName, result, type ActionDeps } from './common.js';
import type { MatchedBy } from './find-account.js';
import { abandon, completeDirect, handOverFile, notHandedOver, recordStart, startFailed, writtenFirst, type Handover, type HandoverRuntime } from './handover.js';
import type { NotesExportResult, NotesZip, Written } from './result.js';
import { plural, thousands } from '../rules/plural.js';

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
  /** Files the zip may never replace besides the mirror (a batch's input). */
  protect?: readonly Protected[];
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
  /** The clients the notes are about, in the zip's order (by id). */
  clientIds: string[];
  path: string;
  matchedBy: MatchedBy;
}

type Done = Extract<NotesExportResult, { outcome: 'done' }>;

export async function exportNotes(deps: ActionDeps, input: NotesExportInput, runtime: HandoverRuntime = {}): Promise<NotesExportResult> {
  const bad = invalidFilters(input);
  if (bad) return result('invalid', bad, null);
  const prior = deps.dryRun ? null : runtime.ledger?.prior();
  if (prior) return prior;
  const plan = decide(deps, input);
  if ('refusal' in plan) return plan.refusal;
  const checked = checkTarget(deps, input, plan);
  if (checked) return checked;
  if (deps.dryRun) {
    return result('planned', `would export ${plural(plan.count, 'progress note')} of ${who(plan.provider)}${foundBy(plan, input.email)}${filterText(plan)} to ${plan.path}`, plan.provider.id, fields(plan, null));
  }
  if (deps.db.inTransaction) {
    // Its started row must commit before the first byte: inside a transaction it would only be a savepoint.
    throw new Error('exportNotes ran inside an open transaction (a bug in cx: a batch runs it with no lock held)');
  }
  let output: OutputFile;
  try {
    output = openOutput(plan.path, targetOptions(deps, input));
  } catch (err) {
    return targetRefusal(err, plan);
  }
  try {
    return await exportTo(deps, input, runtime, plan, output);
  } finally {
    output.discard(); // nothing once the file is in place
  }
}

async function exportTo(deps: ActionDeps, input: NotesExportInput, runtime: HandoverRuntime, first: Plan, output: OutputFile): Promise<NotesExportResult> {
  // Before the first byte of a note is written, wherever it goes: the started row, naming every client.
  const starting = handover(input, first, null, output);
  let startedId: number;
  try {
    const started = await recordStart(deps, starting, runtime);
    if ('prior' in started) return started.prior;
    startedId = started.id;
  } catch (err) {
    if (err instanceof CxError) throw err; // the mirror busy past the wait (exit 7): nothing was written
    return startFailed(starting, output.path, err);
  }
  const sent: ZipProgress = { bytes: 0, notes: 0 };
  let written: { plan: Plan; zip: ZipResult } | NotesExportResult;
  try {
    // The count and the notes come from one snapshot: the zip holds exactly the notes counted, and only
    // notes about the clients the started row names (an import in between may have changed them).
    written = await inReadSnapshot(deps.db, async () => {
      const plan = decide(deps, input);
      if ('refusal' in plan) return plan.refusal;
      const notes = streamNotes(deps.db, plan.filter);
      try {
        const onNote = runtime.progress && ((done: number) => runtime.progress!(done, plan.count));
        const zip = await writeNotesZip(output, {
          header: header(deps, plan), notes: namedIn(notes, first.clientIds), expectedCount: plan.count, signal: runtime.work?.signal, progress: sent, onNote,
        });
        return { plan, zip };
      } finally {
        notes.return(undefined); // the statement is reset even when the writer stopped part-way
      }
    });
  } catch (err) {
    output.discard();
    await abandon(deps, starting, startedId, runtime, stoppedAfter(output, err, sent, first.count));
    const left = output.direct ? `${plural(output.bytesWritten, 'byte')} had gone to ${output.path}` : 'no file was left behind';
    const recorded = `recorded as ${output.direct && output.bytesWritten > 0 ? 'partly handed over' : 'abandoned'} in the audit log`;
    if (err instanceof CancelledError) {
      // A signal while the zip was being written (one after the rename waits for its completing row).
      throw new CancelledError(`${err.message}: the export stopped before its zip was complete; ${left}, ${recorded}`);
    }
    if (err instanceof OutputWriteError) throw new OutputWriteError(err.path, err.code, `${err.message}; ${left}, ${recorded}`, err.hint);
    if (err instanceof ArchiveWriteError) return result('error', `${err.message}; ${left}, ${recorded}${causeHint(err)}`, first.provider.id, fields(first, null));
    throw err; // a bug
  }
  if ('outcome' in written) {
    output.discard();
    await abandon(deps, starting, startedId, runtime, notHandedOver(written.detail));
    return written;
  }
  const h = handover(input, written.plan, written.zip, output);
  if (output.direct) return completeDirect(deps, h, startedId, runtime);
  const r = await handOverFile(deps, output, h, startedId, runtime);
  return input.verify && r.outcome === 'done' ? verified(r, { path: output.path, ...written.zip }) : r;
}

/**
 * The notes, stopped before one about a client the started row does not name: its bytes would reach the
 * disk before any row said whose notes the file holds.
 */
function* namedIn(notes: Iterable<NoteForExport>, clientIds: readonly string[]): Generator<NoteForExport> {
  const named = new Set(clientIds);
  for (const note of notes) {
    if (!named.has(note.clientId)) throw new Error(`a note about client ${note.clientId} appeared after the export was recorded: the notes changed during the export`);
    yield note;
  }
}

/** The rows and the result of this export: `zip` is null before any byte is written. */
function handover(input: NotesExportInput, plan: Plan, zip: ZipResult | null, output: OutputFile): Handover<Done> {
  const to = output.direct ? `the ${output.direct} ${plan.path}` : plan.path;
  const notes = zip?.notes ?? plan.count;
  const clients = plan.clientIds;
  const what = `${plural(notes, 'progress note')} of provider ${plan.provider.id} about ${plural(clients.length, 'client')}: ${idList(clients)} (filters: ${auditFilters(plan)})`;
  // The size beside the SHA-256 identifies the file: written as `ls -l` and `stat` show it, not for reading.
  const size = zip ? `, ${zip.bytes} bytes, sha256 ${zip.sha256}` : '';
  // A file the shell opened as standard output keeps the mode the shell gave it: not one cx made 0600.
  const writtenTo: Written['written_to'] = output.direct === 'file' ? 'standard output' : (output.direct ?? 'file');
  const done = result('done', `exported ${plural(notes, 'progress note')} of ${who(plan.provider)}${foundBy(plan, input.email)}${filterText(plan)} to ${to}`, plan.provider.id, {
    ...fields(plan, zip?.sha256 ?? null),
    notes,
    bytes: zip?.bytes ?? null,
    written_to: writtenTo,
  });
  return {
    action: 'notes.export',
    ticket: { action: 'notes_export', typed: input.email },
    done,
    startedDetail: `exporting ${what} to ${to}${writtenFirst(output)}`,
    doneDetail: `exported ${what} to ${to}${size}`,
    accounts: clients,
  };
}

/**
 * The abandoned row: why it stopped and how far it got. For a device or a pipe, the bytes that went to it
 * (what the reader could have had) and the notes whose entries lie wholly within them.
 */
function stoppedAfter(output: OutputFile, err: unknown, sent: ZipProgress, total: number): string {
  const why = err instanceof Error ? err.message : String(err);
  const bytes = plural(output.bytesWritten, 'byte');
  if (output.direct && output.bytesWritten > 0) {
    return `partly handed over: ${bytes} had gone to the ${output.direct} ${output.path}, with the first ${thousands(sent.notes)} of ${plural(total, 'note')} whole in them, when ${why}`;
  }
  if (output.direct) return notHandedOver(`${why}, before any byte had gone to the ${output.direct} ${output.path}`);
  return notHandedOver(`${why}, after ${bytes}; the temporary file was removed`);
}

function decide(deps: ActionDeps, input: NotesExportInput): Plan | { refusal: NotesExportResult } {
  const found = accountForChange(deps.db, input.email);
  if ('refusal' in found) return found;
  const provider = found.account;
  if (provider.role !== 'provider') {
    return { refusal: result('refused', `${who(provider)} is a client, not a provider: only a provider's progress notes can be exported`, provider.id, { role: provider.role }) };
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
  const clientIds = count === 0 ? [] : clientsOfNotes(deps.db, filter);
  const plan: Plan = { provider, client, filter, count, clientIds, path: targetPath(deps, input, provider), matchedBy: found.matchedBy };
  if (count === 0) {
    const scope = filterText(plan) || ' at all';
    return { refusal: result('not_found', `${who(provider)} has no progress notes${scope}: no file written`, provider.id, { ...fields(plan, null), path: null }) };
  }
  return plan;
}

function targetPath(deps: ActionDeps, input: NotesExportInput, provider: Account): string {
  if (input.out !== undefined) return resolve(input.out);
  return resolve(input.outDir ?? '.', notesZipName(provider.id, deps.ticket, today(deps.now)));
}

function targetOptions(deps: ActionDeps, input: NotesExportInput): TargetOptions {
  return {
    label: input.out !== undefined ? '--out' : 'the zip',
    force: Boolean(input.force),
    protect: [...mirrorFiles(deps.db.name), ...(input.protect ?? [])],
    folderWillBeMade: deps.dryRun && Boolean(input.createsOutDir && input.out === undefined),
  };
}

/** Everything about the path, said before any note is read (and before the agent is asked). */
function checkTarget(deps: ActionDeps, input: NotesExportInput, plan: Plan): NotesExportResult | null {
  try {
    const target = checkOutput(plan.path, targetOptions(deps, input));
    if (target.kind === 'direct' && input.verify) {
      return result('invalid', `--verify reads the zip back, which ${target.path} (a ${target.what}) cannot give: write to a file to verify`, plan.provider.id);
    }
    return null;
  } catch (err) {
    return targetRefusal(err, plan);
  }
}

function targetRefusal(err: unknown, plan: Plan): NotesExportResult {
  if (err instanceof OutputExistsError) {
    return result('invalid', `${err.path} already exists and was left as it is`, plan.provider.id, { ...fields(plan, null), exists: true as const });
  }
  if (err instanceof OutputPathError) return result('invalid', err.message, plan.provider.id);
  throw err;
}

async function verified(r: Done, zip: { path: string; notes: number; sha256: string }): Promise<NotesExportResult> {
  const report = await verifyNotesZip(zip.path);
  const problems = [...report.problems];
  if (report.notes !== zip.notes) problems.push(`the manifest lists ${plural(report.notes, 'note')}, ${thousands(zip.notes)} were written`);
  const onDisk = await sha256Of(zip.path);
  if (onDisk !== zip.sha256) problems.push(`the file on disk has SHA-256 ${onDisk}, ${zip.sha256} was written (and audited)`);
  if (problems.length === 0) return { ...r, detail: `${r.detail}; verified ${plural(report.entries, 'entry', 'entries')}`, verified: true, verified_entries: report.entries };
  const detail = `${zip.path} was written but does NOT verify (${problems.length} problem${problems.length === 1 ? '' : 's'}): do not send it`;
  return { ...r, outcome: 'error', detail, verified: false, problems };
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

/** The filters for the audit rows: ids and dates, never a name. */
function auditFilters(plan: Plan): string {
  const f = plan.filter;
  return [f.clientId && `client ${f.clientId}`, f.since && `since ${f.since}`, f.until && `until ${f.until}`].filter(Boolean).join(', ') || 'none';
}

function fields(plan: Plan, sha256: string | null): NotesZip {
  return {
    email: plan.provider.email,
    matched_by: plan.matchedBy,
    path: plan.path,
    notes: plan.count,
    client_ids: plan.clientIds,
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
  // A full disk or a folder that cannot be written is an OutputWriteError or OutputPathError, not this.
  return code.startsWith('SQLITE_CORRUPT') ? ' (the mirror is damaged: run cx db doctor)' : '';
}
