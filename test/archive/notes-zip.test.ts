import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yauzl from 'yauzl';
import { parse } from 'csv-parse/sync';
import { ArchiveWriteError, type NoteForExport } from '../../src/archive/notes-zip.js';
import { OutputExistsError, OutputPathError, OutputWriteError } from '../../src/files/errors.js';
import { verifyNotesZip } from '../../src/archive/verify.js';
import { isSafeEntryName } from '../../src/rules/entry-names.js';
import { HEADER, HAVE_UNZIP, PY_OPEN, run, UNZIP, zipTo } from '../helpers/notes-zip.js';

const HOSTILE_TITLES = [
  '../../etc/passwd', '..\\..\\x', '/abs', 'CON', 'nul.txt', 'title. ', 'T'.repeat(300), 'Session 😀',
  'bell\u0007\u0000nul', 'invoice\u202Etxt.exe', '', 'Intake', 'Intake', '\u2025', 'Séance à Montréal',
];
const CLIENT_NAMES = ['Jane Doe', '=HYPERLINK("http://x")', '\n@evil', 'jane doe', '../..', 'Zoë O\'Brien, Jr.'];
const CRLF_BODY = 'Line one\r\nLine two\r\n\r\nTrailing spaces   \r\n';

function makeNotes(count: number, bodyOf: (i: number) => string = (i) => `Body of note ${i}\r\n${'x'.repeat(i % 97)}\n`): NoteForExport[] {
  return Array.from({ length: count }, (_, i) => ({
    id: i === 7 ? 'n/7' : `n${i}`,
    clientId: i % 6 === 3 ? 'C0' : `c${i % 6}`, // `jane doe`+`C0` vs `Jane Doe`+`c0`: same folder name but for case
    clientName: CLIENT_NAMES[i % CLIENT_NAMES.length] ?? '',
    sessionDate: `2024-0${1 + (i % 9)}-1${i % 10}`,
    title: HOSTILE_TITLES[i % HOSTILE_TITLES.length] ?? '',
    body: i === 5 ? CRLF_BODY : bodyOf(i),
    signedAt: i % 4 === 0 ? null : '2024-05-01T12:00:00.000Z',
  }));
}

async function readZip(path: string): Promise<Map<string, Buffer>> {
  const zip = await yauzl.openPromise(path, { lazyEntries: true });
  const out = new Map<string, Buffer>();
  for await (const entry of zip.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const c of await zip.openReadStreamPromise(entry)) chunks.push(c as Buffer);
    out.set(entry.fileName, Buffer.concat(chunks));
  }
  return out;
}
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');


let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cx-notes-zip-'));
});
afterEach(() => {
  chmodSync(dir, 0o700);
  rmSync(dir, { recursive: true, force: true });
});

describe('writeNotesZip', () => {
  it(`writes a complete archive that ${UNZIP}, Python and verify accept, with safe unique names`, async () => {
    const target = join(dir, 'notes.zip');
    const notes = makeNotes(50);
    const result = await zipTo(target, false, { header: HEADER, notes, expectedCount: 50 });

    const file = readFileSync(target);
    expect(result).toEqual({ path: target, notes: 50, bytes: file.length, sha256: sha(file) });
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['notes.zip']); // no temporary file left
    if (HAVE_UNZIP) expect(run('unzip', ['-t', target])).toMatchObject({ status: 0 });
    expect(run('python3', ['-c', PY_OPEN, target])).toEqual({ status: 0, out: '52\n' });
    expect(await verifyNotesZip(target)).toEqual({ ok: true, entries: 52, notes: 50, problems: [] });

    const entries = await readZip(target);
    const names = [...entries.keys()];
    expect(names.every((n) => isSafeEntryName(n))).toBe(true);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
    expect(names.slice(-2)).toEqual(['manifest.csv', 'README.txt']);

    const rows = parse(entries.get('manifest.csv')!.toString('utf8')) as string[][];
    expect(rows[0]).toEqual(['note_id', 'client_id', 'client_name', 'session_date', 'signed_at', 'path', 'bytes', 'sha256']);
    expect(rows).toHaveLength(51);
    for (const [, , , , , path, bytes, hash] of rows.slice(1)) {
      const content = entries.get(path!);
      expect(content, path).toBeDefined();
      expect(String(content!.length)).toBe(bytes);
      expect(sha(content!)).toBe(hash);
    }
    // Formula-leading cells are neutralised, including the leading line feed escape_formulas misses.
    expect(rows.some((r) => r[2] === '\'=HYPERLINK("http://x")')).toBe(true);
    expect(rows.some((r) => r[2] === "'\n@evil")).toBe(true);

    const crlfRow = rows.find((r) => r[0] === 'n5')!;
    const crlf = entries.get(crlfRow[5]!)!;
    expect(crlf.subarray(crlf.length - Buffer.byteLength(CRLF_BODY)).toString('utf8')).toBe(CRLF_BODY);
    const fileOf = (id: string) => entries.get(rows.find((r) => r[0] === id)![5]!)!.toString('utf8').split('\n');
    expect(fileOf('n9').slice(0, 5)).toEqual([
      'Client: jane doe', 'Session date: 2024-01-19', 'Title: invoice\\u202Etxt.exe', 'Signed: 2024-05-01T12:00:00.000Z', '',
    ]);
    expect(fileOf('n8').slice(0, 5)).toEqual([
      'Client: \\u000A@evil', 'Session date: 2024-09-18', 'Title: bell\\u0007\\u0000nul', 'Signed: unsigned', '',
    ]);
    const folders = new Set(names.filter((n) => n.startsWith('notes/')).map((n) => n.split('/')[1]));
    expect([...folders].sort()).toContain('jane_doe_C0-2');
    const readme = entries.get('README.txt')!.toString('utf8');
    for (const fact of ['ana@old-clinic.example', 'ZD-4242', 'Notes:        50', 'since 2024-01-01', 'sha256sum', '--verify']) {
      expect(readme).toContain(fact);
    }
  });

  it('stores the notes (archiver writes each at once) and deflates the manifest and the README', async () => {
    const target = join(dir, 'notes.zip');
    await zipTo(target, false, { header: HEADER, notes: makeNotes(20, (i) => `Body ${i} `.repeat(200)), expectedCount: 20 });
    const zip = await yauzl.openPromise(target, { lazyEntries: true });
    const methods = new Map<string, number>();
    for await (const entry of zip.eachEntry()) methods.set(entry.fileName, entry.compressionMethod);
    zip.close();
    const notes = [...methods].filter(([name]) => name.startsWith('notes/'));
    expect(notes).toHaveLength(20);
    expect(notes.every(([, method]) => method === 0)).toBe(true);
    expect(methods.get('manifest.csv')).toBe(8);
    expect(methods.get('README.txt')).toBe(8);
    expect(await verifyNotesZip(target)).toMatchObject({ ok: true, notes: 20 });
  });

  it('refuses an existing target without force and leaves its bytes alone; replaces it with force', async () => {
    const target = join(dir, 'notes.zip');
    writeFileSync(target, 'old export', { mode: 0o644 });
    await expect(zipTo(target, false, { header: HEADER, notes: makeNotes(3) })).rejects.toBeInstanceOf(OutputExistsError);
    expect(readFileSync(target, 'utf8')).toBe('old export');

    const result = await zipTo(target, true, { header: HEADER, notes: makeNotes(3) });
    expect(result.notes).toBe(3);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect((await verifyNotesZip(target)).ok).toBe(true);
    expect(readdirSync(dir)).toEqual(['notes.zip']);
  });

  it('never overwrites a target created by someone else while the zip was being written', async () => {
    const target = join(dir, 'notes.zip');
    function* notes() {
      yield* makeNotes(5);
      writeFileSync(target, 'theirs');
      yield* makeNotes(10).slice(5);
    }
    await expect(zipTo(target, false, { header: HEADER, notes: notes() })).rejects.toBeInstanceOf(OutputExistsError);
    expect(readFileSync(target, 'utf8')).toBe('theirs');
    expect(readdirSync(dir)).toEqual(['notes.zip']);
  });

  it('leaves no file and no temporary file when the notes fail mid-way (sync and async iterables)', async () => {
    const target = join(dir, 'notes.zip');
    const boom = new Error('row 31 could not be read');
    async function* asyncNotes() {
      for (const n of makeNotes(30)) yield n;
      throw boom;
    }
    const err = await zipTo(target, false, { header: HEADER, notes: asyncNotes() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArchiveWriteError);
    expect((err as Error).cause).toBe(boom);
    function* syncNotes() {
      yield* makeNotes(200);
      throw boom;
    }
    await expect(zipTo(target, true, { header: HEADER, notes: syncNotes() })).rejects.toBeInstanceOf(ArchiveWriteError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fails without leaving a file when fewer notes arrive than expectedCount', async () => {
    const target = join(dir, 'notes.zip');
    await expect(zipTo(target, false, { header: HEADER, notes: makeNotes(4), expectedCount: 5 })).rejects.toThrow(/expected 5 notes but read 4/);
    expect(readdirSync(dir)).toEqual([]);
  });

  const HAVE_PRLIMIT = run('prlimit', ['--version']).status === 0;
  it.skipIf(!HAVE_PRLIMIT)(`leaves no file when the disk fails mid-write (EFBIG from a file-size limit set with prlimit${HAVE_PRLIMIT ? '' : ': skipped, prlimit not installed'})`, async () => {
    const target = join(dir, 'notes.zip');
    // Incompressible bodies so the zip passes the 64 KB limit part-way through the notes.
    const notes = makeNotes(300, (i) => createHash('sha512').update(String(i)).digest('base64').repeat(40));
    expect(run('prlimit', [`--pid=${process.pid}`, '--fsize=65536:unlimited']).status).toBe(0);
    let err: unknown;
    try {
      err = await zipTo(target, false, { header: HEADER, notes }).catch((e: unknown) => e);
    } finally {
      expect(run('prlimit', [`--pid=${process.pid}`, '--fsize=unlimited:unlimited']).status).toBe(0);
    }
    expect(err).toBeInstanceOf(OutputWriteError);
    expect((err as OutputWriteError).code).toBe('EFBIG');
    expect(readdirSync(dir)).toEqual([]);
  });

  // Root ignores directory permissions, so there a target whose parent is a regular file forces the failure.
  const folder = mkdtempSync(join(tmpdir(), 'cx-probe-'));
  chmodSync(folder, 0o500);
  const chmodBinds = run('sh', ['-c', `: > "${folder}/probe"`]).status !== 0;
  chmodSync(folder, 0o700);
  rmSync(folder, { recursive: true, force: true });
  it(chmodBinds
    ? 'fails with OutputPathError before any note is read, and leaves no file, when the target folder is read-only'
    : 'fails with OutputPathError before any note is read, and leaves no file, in an unwritable folder (running as root: chmod 0500 does not stop root, so the target\'s parent is a regular file instead)', async () => {
    let target: string;
    if (chmodBinds) {
      chmodSync(dir, 0o500);
      target = join(dir, 'notes.zip');
    } else {
      writeFileSync(join(dir, 'not-a-folder'), '');
      target = join(dir, 'not-a-folder', 'notes.zip');
    }
    await expect(zipTo(target, false, { header: HEADER, notes: makeNotes(3) })).rejects.toBeInstanceOf(OutputPathError);
    chmodSync(dir, 0o700);
    expect(readdirSync(dir)).toEqual(chmodBinds ? [] : ['not-a-folder']);
  });
});

// Rebuilds a zip with Python's zipfile, changing one thing, so that verify has something to catch.
const TAMPER = `
import sys, zipfile
src, dst, action, name = sys.argv[1:5]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, 'w', zipfile.ZIP_DEFLATED) as zout:
    for info in zin.infolist():
        data = zin.read(info.filename)
        if info.filename == name:
            if action == 'drop': continue
            if action == 'flip': data = data[:-2] + bytes([data[-2] ^ 1]) + data[-1:]
        zout.writestr(info.filename, data)
    if action == 'add': zout.writestr(name, b'smuggled')
`;

describe('verifyNotesZip', () => {
  async function tampered(action: 'flip' | 'drop' | 'add', pick: (names: string[]) => string) {
    const good = join(dir, 'good.zip');
    await zipTo(good, true, { header: HEADER, notes: makeNotes(12) });
    const name = pick([...(await readZip(good)).keys()]);
    const bad = join(dir, 'bad.zip');
    expect(run('python3', ['-c', TAMPER, good, bad, action, name]).status).toBe(0);
    return { name, report: await verifyNotesZip(bad) };
  }

  it('names an entry whose bytes were changed', async () => {
    const { name, report } = await tampered('flip', (n) => n[3]!);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([`${JSON.stringify(name)}: SHA-256 does not match the manifest`]);
  });

  it('names an entry that is missing, and one that was smuggled in with an unsafe name', async () => {
    const missing = await tampered('drop', (n) => n[0]!);
    expect(missing.report.problems).toEqual([`${JSON.stringify(missing.name)}: listed in manifest.csv but missing from the archive`]);
    const extra = await tampered('add', () => 'notes/../../etc/passwd');
    expect(extra.report.ok).toBe(false);
    expect(extra.report.problems).toEqual([
      '"notes/../../etc/passwd": unsafe or unexpected entry name',
      '"notes/../../etc/passwd": in the archive but not in manifest.csv',
    ]);
  });

  it('catches a manifest whose hash was edited, and a file that is not a zip', async () => {
    const { report } = await tampered('flip', () => 'manifest.csv');
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(/SHA-256 does not match|cannot be parsed/);
    writeFileSync(join(dir, 'junk.zip'), 'not a zip');
    const junk = await verifyNotesZip(join(dir, 'junk.zip'));
    expect(junk.ok).toBe(false);
    expect(junk.problems[0]).toMatch(/^the archive cannot be read/);
  });
});

// Writing 65,600 notes as ZIP64: test/soak/zip64.test.ts.
