// Load a folder of platform exports into the mirror (docs/reference.md#mirror-import), in three steps:
//   1. stage: each file is read as a stream, every row checked, and staged outside the live tables in
//      committed chunks (store/import-stage.ts): memory stays flat, and no lock is held;
//   2. compare, under one read snapshot and still without the write lock: duplicates, references and
//      addresses, and which staged rows are new or differ from the mirror (store/import-diff.ts);
//   3. apply, in one short write transaction with the audit row: only the rows that differ
//      (store/import-apply.ts). Rows that other commands changed meanwhile are compared again there.
//      cx's own changes decide there too (import-reconcile.ts): a value cx set stays until its change is
//      delivered to the platform (kept); after that the export's value wins, reported where it differs
//      (a conflict). The import's time goes into mirror_meta.
// Any problem refuses the whole import, reported as `file:line: problem`, before anything is written.
// A signal (Ctrl-C, SIGTERM) stops it at its next check, up to the moment the apply has the lock: nothing is
// written then, and the CancelledError says where it stopped. The apply itself, once it runs, is not cut.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CancelledError, UsageError } from '../errors.js';
import { mirrorValues } from '../rules/mirror-columns.js';
import { FILES, rowProblems, type FileSpec } from '../rules/mirror-rows.js';
import { appendAudit } from '../store/audit.js';
import { stoppableWriteTransaction, writeTransaction, type Db } from '../store/db.js';
import { applyTable, rewrittenNoteIds } from '../store/import-apply.js';
import { clearTodo, driftSince, markChangedSince, todoCount, underSnapshot, type Snapshot } from '../store/import-diff.js';
import { dropCxTables, findCxCandidates, type CxFiles } from '../store/import-cx-changes.js';
import { attachStage, createStage, detachStage, duplicateAddresses, duplicateKeys, indexStage, StageWriter } from '../store/import-stage.js';
import { recordImportTime } from '../store/mirror-meta.js';
import { compareWithMirror } from './import-compare.js';
import { examineExport, ExportFileProblem, locateRecords, readExport } from './import-read.js';
import { ProblemList, type LineFinder, type Where } from './import-problems.js';
import { settleWithCx, weighAgainstCx, type Conflict, type KeptValue } from './import-reconcile.js';
import { plural, thousands } from '../rules/plural.js';

export { MAX_REPORTED_PROBLEMS } from './import-problems.js';

export interface FileReport {
  file: string;
  rows: number;
  changed: number;
  unchanged: number;
}

export interface ImportReport {
  dir: string;
  files: FileReport[];
  skipped: string[];
  dry_run: boolean;
  /** Notes whose title or body the import rewrote (their ids are in the audit row). */
  notes_rewritten: number;
  /** Values cx set whose change the platform has not received yet: the import left them as cx set them. */
  kept: KeptValue[];
  /** Delivered changes the platform's value contradicts: the platform's value is now in the mirror. */
  conflicts: Conflict[];
}

export type ImportPhase = 'reading' | 'checking' | 'applying';

export interface ImportProgress {
  phase: ImportPhase;
  /** Bytes of all files read so far, and in all. */
  bytesRead: number;
  bytesTotal: number;
  rows: number;
}

export interface ImportDeps {
  db: Db;
  agent: string;
  now: Date;
  dryRun: boolean;
  ticket?: string;
  onProgress?: (progress: ImportProgress) => void;
  /** Aborted by Ctrl-C or SIGTERM (src/files/cancellation.ts): the import stops before it writes anything. */
  cancel?: AbortSignal;
}

const NOTES = FILES.find((f) => f.table === 'progress_notes')!;

/** Report progress every this many rows while reading. */
const PROGRESS_EVERY_ROWS = 5_000;

export async function importMirror(deps: ImportDeps, dir: string, action = 'db.import'): Promise<ImportReport> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`not a folder: ${dir}`);
  const { db } = deps;
  attachStage(db);
  try {
    createStage(db);
    const problems = new ProblemList(FILES.map((f) => f.file));
    const present = examineFiles(dir, problems);
    const progress = progressReporter(deps, present);
    const rows = new Map<FileSpec, number>();
    const stop = new Stopper(deps.cancel);
    for (const [spec, bytes] of present) rows.set(spec, await stageFile(db, join(dir, spec.file), spec, bytes, problems, progress, stop));
    const read = [...rows.values()].reduce((a, b) => a + b, 0);
    const checked = `(${thousands(read)} rows checked)`;
    const refuse = async (): Promise<never> => {
      throw await problems.refusal(lineFinder(dir));
    };
    if (problems.count) await refuse();
    await stop.check(`after reading the files (${thousands(read)} rows)`);
    progress.phase('checking');
    for (const spec of present.keys()) findDuplicates(db, spec, problems);
    if (problems.count) await refuse();
    await stop.check(`while checking the rows ${checked}`);

    const files = cxFiles(present);
    const { snapshot, lastChange } = compareUnderSnapshot(db, [...present.keys()], files, problems);
    if (problems.count) await refuse();
    await stop.check(`while comparing the rows with the mirror ${checked}`);

    const report: ImportReport = {
      dir, files: [], skipped: FILES.filter((f) => !present.has(f)).map((f) => f.file), dry_run: deps.dryRun, notes_rewritten: 0, kept: [], conflicts: [],
    };
    if (deps.dryRun) {
      const cx = weighAgainstCx(db, { lastSeen: lastChange, now: deps.now, files });
      Object.assign(report, { kept: cx.kept, conflicts: cx.conflicts });
      for (const [spec, n] of rows) report.files.push(fileReport(spec, n, todoCount(db, spec.table)));
      if (present.has(NOTES)) report.notes_rewritten = rewrittenNoteIds(db).length;
      return report;
    }
    progress.phase('applying');
    const recompared = new ProblemList(FILES.map((f) => f.file));
    const applyAll = () => apply(deps, { present: [...present.keys()], rows, snapshot, lastChange, files }, report, action, recompared);
    try {
      if (deps.cancel) await stop.whileWaiting(`while waiting for another cx to finish writing ${checked}`, stoppableWriteTransaction(db, applyAll, deps.cancel));
      else writeTransaction(db, applyAll);
    } catch (err) {
      if (!(err instanceof Recompared)) throw err;
    }
    if (recompared.count) throw await recompared.refusal(lineFinder(dir));
    return report;
  } finally {
    dropCxTables(db);
    detachStage(db);
  }
}

/** Where the import looks for a signal: it then ends with a CancelledError saying where it stopped. */
class Stopper {
  constructor(private readonly cancel: AbortSignal | undefined) {}

  get requested(): boolean {
    return this.cancel?.aborted ?? false;
  }

  stopped(where: string): CancelledError {
    const reason = this.cancel?.reason instanceof Error ? this.cancel.reason.message : 'cancelled';
    return new CancelledError(`${reason} ${where}: nothing was imported, the mirror is as it was`, 'run the same command again to import (it starts over: the import is one transaction)');
  }

  /** Between steps: a signal that arrived while the last step ran (synchronous, at scale for seconds) is seen. */
  async check(where: string): Promise<void> {
    if (!this.cancel) return;
    await new Promise((done) => setImmediate(done));
    if (this.requested) throw this.stopped(where);
  }

  /** The apply's wait for the lock, which the signal ends with its own reason: said as a check would. */
  async whileWaiting<T>(where: string, waiting: Promise<T>): Promise<T> {
    try {
      return await waiting;
    } catch (err) {
      if (this.requested && err === this.cancel!.reason) throw this.stopped(where);
      throw err;
    }
  }
}

/** The files present, with their sizes; a path that cannot be read as a file is a problem. */
function examineFiles(dir: string, problems: ProblemList): Map<FileSpec, number> {
  const present = new Map<FileSpec, number>();
  for (const spec of FILES) {
    try {
      const found = examineExport(join(dir, spec.file));
      if (found.kind === 'file') present.set(spec, found.bytes);
    } catch (err) {
      if (!(err instanceof ExportFileProblem)) throw err;
      problems.add(spec.file, { file: true }, err.message);
      present.set(spec, 0);
    }
  }
  return present;
}

async function stageFile(db: Db, path: string, spec: FileSpec, bytes: number, problems: ProblemList, progress: Progress, stop: Stopper): Promise<number> {
  if (problems.has(spec.file)) return 0;
  const writer = new StageWriter(db, spec.table);
  let rows = 0;
  try {
    await readExport(path, spec, {
      row(record, row) {
        if (stop.requested) throw stop.stopped(`while reading ${spec.file} (${thousands(rows)} rows read)`);
        for (const p of rowProblems(spec, row)) problems.add(spec.file, { record }, p);
        writer.add(mirrorValues(spec.table, row));
        rows += 1;
        if (rows % PROGRESS_EVERY_ROWS === 0) progress.rows(PROGRESS_EVERY_ROWS);
      },
      bytes: (read) => progress.bytes(spec, read),
    });
  } catch (err) {
    if (!(err instanceof ExportFileProblem)) throw err;
    problems.add(spec.file, fileProblemWhere(err), err.message);
  } finally {
    if (db.inTransaction) writer.finish();
  }
  progress.rows(rows % PROGRESS_EVERY_ROWS);
  progress.bytes(spec, bytes);
  return rows;
}

function fileProblemWhere(err: ExportFileProblem): Where {
  if (err.brokenAfter !== undefined) return { brokenAfter: err.brokenAfter };
  return err.line ? { line: err.line } : { file: true };
}

function findDuplicates(db: Db, spec: FileSpec, problems: ProblemList): void {
  indexStage(db, spec.table);
  const key = spec.key.join('+');
  for (const d of duplicateKeys(db, spec.table)) {
    problems.add(spec.file, { record: d.record }, { refs: [d.first], say: ([first]) => `duplicate ${key} (first on line ${first})` });
  }
  if (spec.table !== 'accounts') return;
  for (const d of duplicateAddresses(db)) {
    problems.add(spec.file, { record: d.record }, {
      refs: [d.first],
      say: ([first]) => `email is the address of account ${d.firstId} on line ${first} too (an address belongs to one account)`,
    });
  }
}

/** The lines of the problems shown, from a second reading of the files concerned. */
function lineFinder(dir: string): LineFinder {
  return (file, records) => locateRecords(join(dir, file), FILES.find((f) => f.file === file)!, records);
}

function cxFiles(present: Map<FileSpec, number>): CxFiles {
  const has = (table: string) => [...present.keys()].some((s) => s.table === table);
  return { accounts: has('accounts'), suppressions: has('suppressions') };
}

/**
 * Step 2 in one read transaction; returns the snapshot the apply checks against, and the last change cx
 * had recorded then (the changes an import may keep or reconcile are found here, outside the lock).
 */
function compareUnderSnapshot(db: Db, present: FileSpec[], files: CxFiles, problems: ProblemList): { snapshot: Snapshot; lastChange: number } {
  let lastChange = 0;
  const snapshot = underSnapshot(db, () => {
    compareWithMirror(db, present, problems);
    lastChange = findCxCandidates(db, files);
  });
  return { snapshot, lastChange };
}

/** What the comparison left for the apply. */
interface Compared {
  present: FileSpec[];
  rows: Map<FileSpec, number>;
  snapshot: Snapshot;
  lastChange: number;
  files: CxFiles;
}

/** Thrown inside the apply's transaction to roll it back when a comparison made again finds problems. */
class Recompared extends Error {}

function apply(deps: ImportDeps, compared: Compared, report: ImportReport, action: string, problems: ProblemList): void {
  const { db } = deps;
  const { present, rows, snapshot } = compared;
  const drift = driftSince(db, snapshot);
  if (drift === 'import') {
    // Another import landed in between: compare everything again, now under the lock.
    clearTodo(db);
    compareWithMirror(db, present, problems);
    if (problems.count) throw new Recompared();
  } else if (drift === 'changes') {
    markChangedSince(db, snapshot);
  }
  // Under the lock: a push may have delivered a change, or an agent made one, since the comparison.
  const cx = weighAgainstCx(db, { lastSeen: compared.lastChange, now: deps.now, files: compared.files });
  Object.assign(report, { kept: cx.kept, conflicts: cx.conflicts });
  let rewritten: string[] = [];
  for (const spec of present) {
    if (spec.table === 'progress_notes') rewritten = rewrittenNoteIds(db);
    const changed = applyTable(db, spec.table, todoCount(db, spec.table));
    report.files.push(fileReport(spec, rows.get(spec) ?? 0, changed));
  }
  report.notes_rewritten = rewritten.length;
  settleWithCx(db, cx, { agent: deps.agent, now: deps.now });
  recordImportTime(db, deps.now);
  const changed = report.files.reduce((n, f) => n + f.changed, 0);
  const files = report.files.map((f) => `${f.file} ${plural(f.rows, 'row')}, ${thousands(f.changed)} changed`).join('; ');
  const notes = rewritten.length ? `; note text rewritten (ids): ${rewritten.join(', ')}` : '';
  const kept = cx.kept.length ? `; ${plural(cx.kept.length, 'value')} cx set kept (their changes not delivered yet)` : '';
  const conflicts = cx.conflicts.length ? `; ${plural(cx.conflicts.length, 'conflict')} with delivered changes (audited apart)` : '';
  appendAudit(
    db,
    { agent: deps.agent, action, ticket: deps.ticket ?? null, account_id: null, outcome: changed ? 'done' : 'already_done', detail: `${report.dir}: ${files}${notes}${kept}${conflicts}` },
    deps.now,
  );
}

function fileReport(spec: FileSpec, rows: number, changed: number): FileReport {
  return { file: spec.file, rows, changed, unchanged: rows - changed };
}

interface Progress {
  phase(phase: ImportPhase): void;
  rows(n: number): void;
  bytes(spec: FileSpec, read: number): void;
}

function progressReporter(deps: ImportDeps, present: Map<FileSpec, number>): Progress {
  const notify = deps.onProgress;
  if (!notify) return { phase: () => {}, rows: () => {}, bytes: () => {} };
  const total = [...present.values()].reduce((a, b) => a + b, 0);
  const done = new Map<FileSpec, number>();
  const state: ImportProgress = { phase: 'reading', bytesRead: 0, bytesTotal: total, rows: 0 };
  const send = (): void => notify({ ...state });
  send();
  return {
    phase(phase) {
      state.phase = phase;
      state.bytesRead = total;
      send();
    },
    rows(n) {
      state.rows += n;
      send();
    },
    bytes(spec, read) {
      done.set(spec, read);
      state.bytesRead = [...done.values()].reduce((a, b) => a + b, 0);
    },
  };
}
