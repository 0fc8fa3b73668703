// Streams a provider's progress notes into a zip (issue 6, "Safe writing"; issue 10). Pure I/O engine: no
// SQL, no printing. Where the bytes go (a temporary file beside the target, or a device) and how the file is
// put in place is src/files/output-file.ts's job; the action decides when (after its audit row).
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
// @ts-ignore archiver 8 ships no type declarations (@types/archiver describes the v6 API)
import { ZipArchive as UntypedZipArchive } from 'archiver';
import { CancelledError } from '../errors.js';
import { OutputWriteError } from '../files/errors.js';
import type { OutputFile } from '../files/output-file.js';
import { safeSegment, UniqueNames } from '../rules/entry-names.js';
import { MANIFEST_NAME, README_NAME, manifestCsv, noteFileHeader, readmeText, type ManifestRow } from './manifest.js';

export interface NoteForExport { id: string; clientId: string; clientName: string; sessionDate: string; title: string; body: string; signedAt: string | null }
export interface ExportHeader { providerName: string; providerEmail: string; providerId: string; ticket: string; exportedAt: string; agent: string; filters: string /* human description of the filters, e.g. 'client jane@x.com, since 2024-01-01' */ }
export interface ZipResult { notes: number; bytes: number; sha256: string /* of the whole zip file */ }
/**
 * How much of the zip has gone out, kept up to date as it is written (a write that failed part-way
 * included): the bytes the output took, and the notes whose entries lie wholly within them.
 */
export interface ZipProgress { bytes: number; notes: number }

/** Writing failed part-way (the cause is attached); the caller discards the output. */
export class ArchiveWriteError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArchiveWriteError';
  }
}

interface EntryData { name: string; date: Date; mode: number; store: boolean }

/** The part of archiver 8's ZipArchive used here (it is a Transform stream emitting the zip bytes). */
interface ZipArchiveStream extends Readable {
  append(source: Buffer, data: EntryData): this;
  finalize(): Promise<void>;
  abort(): this;
}
const ZipArchive = UntypedZipArchive as unknown as new (options: object) => ZipArchiveStream;

// Feeding: archiver's queue takes one entry at a time, and a deflated entry gets a zlib stream of its own
// with ~2 thread-pool round trips: ~250-450 µs an entry whatever its size (CPU profile: ~40% idle), 5-9 s of
// a 20,000-note export against Info-ZIP's ~2 s for the whole zip (issue 22). So the notes are stored, not
// deflated: archiver then writes each one at once, with its CRC-32. The zip is larger (~1.8x on generated
// notes; Info-ZIP -6 makes 27 MB of 43 MB, the stored notes 51 MB), the time ~3x shorter. The manifest and the
// README, two entries, are deflated.
// The window bounds what waits in archiver's queue: entries (64) and bytes (8 MB).
const WINDOW = 64;
const WINDOW_BYTES = 8 * 1024 * 1024;
const SINK_FLUSH_BYTES = 256 * 1024;

/**
 * Zips the notes into `output` and seals it (fsynced, closed): complete, not yet under its name. A full disk
 * or a reader that left is an OutputWriteError, a signal a CancelledError; anything else an ArchiveWriteError.
 */
export async function writeNotesZip(output: OutputFile, opts: {
  header: ExportHeader;
  notes: Iterable<NoteForExport> | AsyncIterable<NoteForExport>;
  expectedCount?: number;
  /** Aborted by Ctrl-C or SIGTERM: the zip stops at the next note. */
  signal?: AbortSignal;
  /** Kept up to date as the bytes go out (read it when the writing failed: how far it got). */
  progress?: ZipProgress;
  /** Told how many notes are in the zip so far, after each one. */
  onNote?: (done: number) => void;
}): Promise<ZipResult> {
  try {
    const written = await writeZip(output, opts, basename(output.path));
    output.seal();
    return written;
  } catch (err) {
    if (err instanceof ArchiveWriteError || err instanceof OutputWriteError || err instanceof CancelledError) throw err;
    throw new ArchiveWriteError(`writing ${output.path} failed: ${messageOf(err)}`, { cause: err });
  }
}

async function writeZip(
  output: OutputFile,
  opts: Parameters<typeof writeNotesZip>[1],
  zipName: string,
): Promise<ZipResult> {
  const archive = new ZipArchive({ zlib: { level: 6 } }); // ZIP64 switches on by itself past 65,535 entries
  const notesOut = new NotesOut(archive);
  const sink = new HashingFileSink(output, () => {
    if (opts.progress) {
      opts.progress.bytes = output.bytesWritten;
      opts.progress.notes = notesOut.wholeWithin(output.bytesWritten);
    }
  });
  const feeder = new Feeder(archive);
  const done = pipeline(archive, sink);
  done.catch((err: unknown) => feeder.fail(err));
  archive.on('warning', (err: unknown) => sink.destroy(err instanceof Error ? err : new Error(String(err))));
  try {
    const date = parseDate(opts.header.exportedAt);
    const names = new UniqueNames();
    const rows: ManifestRow[] = []; // ~150 bytes a note: kept, the bodies are not
    const seen = new Set<string>();
    for await (const note of opts.notes) {
      opts.signal?.throwIfAborted();
      checkNote(note, seen);
      const folder = names.folderFor(
        note.clientId,
        'notes',
        `${safeSegment(note.clientName, 40, 'client')}_${safeSegment(note.clientId, 32, 'id')}`,
      );
      const base = `${safeSegment(note.sessionDate, 20, 'undated')}_${safeSegment(note.title, 50)}_${safeSegment(note.id, 32, 'note')}`;
      const path = names.claim(folder, base, '.txt');
      const content = Buffer.from(noteFileHeader(note) + note.body, 'utf8');
      const sha256 = createHash('sha256').update(content).digest('hex');
      rows.push({ noteId: note.id, clientId: note.clientId, clientName: note.clientName, sessionDate: note.sessionDate, signedAt: note.signedAt || null, path, bytes: content.length, sha256 });
      await feeder.append(content, { name: path, date, mode: 0o600, store: true });
      opts.onNote?.(rows.length);
    }
    if (opts.expectedCount !== undefined && rows.length !== opts.expectedCount) {
      throw new ArchiveWriteError(`expected ${opts.expectedCount} notes but read ${rows.length}: the notes changed during the export`);
    }
    const clients = new Set(rows.map((r) => r.clientId)).size;
    await feeder.append(Buffer.from(manifestCsv(rows), 'utf8'), { name: MANIFEST_NAME, date, mode: 0o600, store: false });
    await feeder.append(Buffer.from(readmeText(opts.header, rows.length, clients, zipName), 'utf8'), { name: README_NAME, date, mode: 0o600, store: false });
    await Promise.all([archive.finalize(), done]);
    return { bytes: sink.bytes, sha256: sink.digest(), notes: rows.length };
  } catch (err) {
    archive.on('error', () => undefined); // late complaints from the torn-down archive: already failing
    sink.destroy(err instanceof Error ? err : new Error(String(err))); // no write reaches fd after this
    archive.abort();
    await done.catch(() => undefined);
    throw err;
  }
}

function checkNote(note: NoteForExport, seen: Set<string>): void {
  for (const key of ['id', 'clientId', 'clientName', 'sessionDate', 'title', 'body'] as const) {
    if (typeof note[key] !== 'string') throw new Error(`note ${String(note.id)}: ${key} is not a string`);
  }
  if (seen.has(note.id)) throw new Error(`note ${note.id} appears twice`);
  seen.add(note.id);
}

/**
 * Where each note's entry ends in the zip: so the notes wholly within the first N bytes can be counted (a
 * pipe whose reader left early). The offset is that of archiver's zip engine (zip-stream) as it reports the
 * entry done: every byte it emitted, data descriptor included; the bytes reach the output only after.
 * The engine is not part of archiver's typed API: without it no note is counted as whole.
 */
class NotesOut {
  private readonly ends: number[] = [];
  private whole = 0;

  constructor(archive: ZipArchiveStream) {
    const engine = (archive as unknown as { _module?: { engine?: { getBytesWritten?: () => number } } })._module?.engine;
    if (typeof engine?.getBytesWritten !== 'function') return;
    archive.on('entry', (data: EntryData) => {
      if (data.name !== MANIFEST_NAME && data.name !== README_NAME) this.ends.push(engine.getBytesWritten!());
    });
  }

  /** How many notes end within the first `bytes` bytes (asked with growing counts). */
  wholeWithin(bytes: number): number {
    while (this.whole < this.ends.length && this.ends[this.whole]! <= bytes) this.whole++;
    return this.whole;
  }
}

/** Appends to archiver with a bounded number of entries (and bytes) waiting in its queue. */
class Feeder {
  private appended = 0;
  private processed = 0;
  private readonly pendingSizes: number[] = [];
  private pendingBytes = 0;
  private failure: unknown = null;
  private wake: (() => void) | null = null;

  constructor(private readonly archive: ZipArchiveStream) {
    archive.on('entry', () => {
      this.processed++;
      this.pendingBytes -= this.pendingSizes.shift() ?? 0;
      this.notify();
    });
  }

  fail(err: unknown): void {
    this.failure ??= err;
    this.notify();
  }

  async append(content: Buffer, data: EntryData): Promise<void> {
    this.throwIfFailed();
    this.archive.append(content, data);
    this.appended++;
    this.pendingSizes.push(content.length);
    this.pendingBytes += content.length;
    while (this.appended - this.processed >= WINDOW || this.pendingBytes > WINDOW_BYTES) {
      await new Promise<void>((r) => (this.wake = r));
      this.throwIfFailed();
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private throwIfFailed(): void {
    if (this.failure !== null) throw this.failure;
  }
}

/** Writes the zip bytes to the output in large synchronous writes and hashes exactly what was written. */
class HashingFileSink extends Writable {
  bytes = 0;
  private readonly hash = createHash('sha256');
  private pending: Buffer[] = [];
  private pendingLength = 0;

  constructor(private readonly output: OutputFile, private readonly wrote: () => void) {
    super({ highWaterMark: SINK_FLUSH_BYTES });
  }

  digest(): string {
    return this.hash.digest('hex');
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this._writev([{ chunk }], cb);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, cb: (err?: Error | null) => void): void {
    for (const { chunk } of chunks) {
      this.pending.push(chunk);
      this.pendingLength += chunk.length;
    }
    cb(this.pendingLength >= SINK_FLUSH_BYTES ? this.flush() : null);
  }

  override _final(cb: (err?: Error | null) => void): void {
    cb(this.flush());
  }

  private flush(): Error | null {
    try {
      const buf = Buffer.concat(this.pending, this.pendingLength);
      this.pending = [];
      this.pendingLength = 0;
      this.output.write(buf);
      this.hash.update(buf);
      this.bytes += buf.length;
      return null;
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    } finally {
      this.wrote();
    }
  }
}

function parseDate(iso: string): Date {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? new Date() : d;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
