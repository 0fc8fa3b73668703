// Reads a notes archive back and checks it against its own manifest (`cx notes export --verify`, issue 6).
// yauzl does not check CRC-32s, so every entry is hashed here and compared with the manifest's SHA-256.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';
import { isSafeEntryName } from '../rules/entry-names.js';
import { MANIFEST_NAME, README_NAME, parseManifestCsv, readmeNoteCount, type ManifestRow } from './manifest.js';

export interface VerifyReport { ok: boolean; entries: number; notes: number; problems: string[] }

const MAX_PROBLEMS = 200;
// Entries are hashed a few at a time: one at a time, each waits for its own read and inflate round trip.
const READ_CONCURRENCY = 8;
// yauzl makes several small reads per entry; from memory, 65,602 entries verify ~2x faster.
const SMALL_ENTRY = 1024 * 1024;
const IN_MEMORY_LIMIT = 512 * 1024 * 1024;
const MAX_TEXT_ENTRY = 256 * 1024 * 1024; // manifest.csv and README.txt are read into memory
const NOTE_PATH = /^notes\/[^/]+\/[^/]+\.txt$/;
const UNICODE_PATH_EXTRA = 0x7075; // would make some tools show another name than the one checked

interface Seen { bytes: number; sha256: string }

export async function verifyNotesZip(path: string): Promise<VerifyReport> {
  const problems = new Problems();
  const seen = new Map<string, Seen>();
  const lowerNames = new Set<string>();
  const texts = new Map<string, Buffer>();
  let entries = 0;
  let zip: yauzl.ZipFile | undefined;
  try {
    const options = { lazyEntries: true, decodeStrings: false, validateEntrySizes: true };
    zip = (await stat(path)).size <= IN_MEMORY_LIMIT
      ? await yauzl.fromBufferPromise(await readFile(path), options)
      : await yauzl.openPromise(path, options);
    const inFlight = new Set<Promise<void>>();
    for await (const entry of zip.eachEntry()) {
      entries++;
      // Raw bytes as latin1: any non-ASCII byte fails the allowlist; yauzl would turn `\` into `/`.
      const name = entry.fileNameRaw.toString('latin1');
      const shown = JSON.stringify(name);
      if (!isSafeEntryName(name) || !(name === MANIFEST_NAME || name === README_NAME || NOTE_PATH.test(name))) {
        problems.add(`${shown}: unsafe or unexpected entry name`);
      }
      if (entry.extraFields.some((f) => f.id === UNICODE_PATH_EXTRA)) problems.add(`${shown}: carries a second (Unicode) name`);
      if (lowerNames.has(name.toLowerCase())) problems.add(`${shown}: appears twice (compared without case)`);
      lowerNames.add(name.toLowerCase());
      const keep = name === MANIFEST_NAME || name === README_NAME;
      const job = hashEntry(zip, entry, keep).then(
        (digest) => {
          seen.set(name, digest);
          if (digest.content) texts.set(name, digest.content);
        },
        (err: unknown) => problems.add(`${shown}: cannot be read: ${messageOf(err)}`),
      );
      inFlight.add(job);
      void job.finally(() => inFlight.delete(job));
      if (inFlight.size >= READ_CONCURRENCY) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } catch (err) {
    problems.add(`the archive cannot be read: ${messageOf(err)}`);
    return problems.report(entries, 0);
  } finally {
    zip?.close();
  }
  const rows = readManifest(texts.get(MANIFEST_NAME), problems);
  checkRows(rows, seen, problems);
  checkReadme(texts.get(README_NAME), rows.length, problems);
  return problems.report(entries, rows.length);
}

function readManifest(content: Buffer | undefined, problems: Problems): ManifestRow[] {
  if (!content) {
    problems.add(`${MANIFEST_NAME} is missing`);
    return [];
  }
  try {
    return parseManifestCsv(content.toString('utf8'));
  } catch (err) {
    problems.add(`${MANIFEST_NAME} cannot be parsed: ${messageOf(err)}`);
    return [];
  }
}

function checkRows(rows: ManifestRow[], seen: Map<string, Seen>, problems: Problems): void {
  const listed = new Set<string>();
  const noteIds = new Set<string>();
  for (const row of rows) {
    const shown = JSON.stringify(row.path);
    if (noteIds.has(row.noteId)) problems.add(`note ${JSON.stringify(row.noteId)} is listed twice in ${MANIFEST_NAME}`);
    noteIds.add(row.noteId);
    if (listed.has(row.path)) problems.add(`${shown} is listed twice in ${MANIFEST_NAME}`);
    listed.add(row.path);
    const actual = seen.get(row.path);
    if (!actual) {
      problems.add(`${shown}: listed in ${MANIFEST_NAME} but missing from the archive`);
      continue;
    }
    if (actual.bytes !== row.bytes) problems.add(`${shown}: ${actual.bytes} bytes, the manifest says ${row.bytes}`);
    if (actual.sha256 !== row.sha256.toLowerCase()) problems.add(`${shown}: SHA-256 does not match the manifest`);
  }
  for (const name of seen.keys()) {
    if (name !== MANIFEST_NAME && name !== README_NAME && !listed.has(name)) {
      problems.add(`${JSON.stringify(name)}: in the archive but not in ${MANIFEST_NAME}`);
    }
  }
}

function checkReadme(content: Buffer | undefined, notes: number, problems: Problems): void {
  if (!content) return problems.add(`${README_NAME} is missing`);
  const stated = readmeNoteCount(content.toString('utf8'));
  if (stated !== notes) problems.add(`${README_NAME} states ${stated ?? 'no'} notes, ${MANIFEST_NAME} lists ${notes}`);
}

async function hashEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, keep: boolean): Promise<Seen & { content?: Buffer }> {
  if (keep && entry.uncompressedSize > MAX_TEXT_ENTRY) throw new Error('too large');
  if (entry.isEncrypted()) throw new Error('encrypted');
  if (entry.uncompressedSize > SMALL_ENTRY || (entry.compressionMethod !== 8 && entry.compressionMethod !== 0)) {
    return hashStream(await zip.openReadStreamPromise(entry), keep);
  }
  // Small entries: inflate in one synchronous call instead of a zlib stream and its thread-pool round trips.
  const raw = await collect(await zip.openReadStreamPromise(entry, { decodeFileData: false }));
  const content = entry.compressionMethod === 8 ? inflateRawSync(raw, { maxOutputLength: SMALL_ENTRY + 1 }) : raw;
  if (content.length !== entry.uncompressedSize) {
    throw new Error(`${content.length} bytes inflated, the zip says ${entry.uncompressedSize}`);
  }
  const digest = { bytes: content.length, sha256: createHash('sha256').update(content).digest('hex') };
  return keep ? { ...digest, content } : digest;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function hashStream(stream: Readable, keep: boolean): Promise<Seen & { content?: Buffer }> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
    if (keep) chunks.push(chunk);
  }
  const digest = { bytes, sha256: hash.digest('hex') };
  return keep ? { ...digest, content: Buffer.concat(chunks, bytes) } : digest;
}

/** Collects problems; past MAX_PROBLEMS only counts them so a wrecked archive gives a readable report. */
class Problems {
  private readonly list: string[] = [];
  private dropped = 0;

  add(problem: string): void {
    if (this.list.length < MAX_PROBLEMS) this.list.push(problem);
    else this.dropped++;
  }

  report(entries: number, notes: number): VerifyReport {
    const problems = this.dropped > 0 ? [...this.list, `… and ${this.dropped} more problems`] : [...this.list];
    return { ok: problems.length === 0, entries, notes, problems };
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
