import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { describe, expect, it, vi } from 'vitest';
import { escapeControlChars } from '../../src/archive/manifest.js';
import { main } from '../../src/index.js';
import { bulkNotes } from '../helpers/bulk.js';
import { baseEnv, CX, cx, demoMirror, query, snapshot, tempDir } from '../helpers/cx.js';
import { auditChainHolds, cxIn } from '../helpers/in-process.js';
import { unprivileged } from '../helpers/other-user.js';

const P202 = 'rafael.castellanos@proton.me';
const P202_FORMER = ['rcastellanos@lakeshorecounseling.com', 'r.castellanos.lcsw@gmail.com'];
const SAFE_NAME = /^[A-Za-z0-9._/-]+$/;

interface PyEntry { name: string; size: number; sha256: string; text: string }
interface PyZip { bad: string | null; entries: PyEntry[] }

/** Python's zipfile reads the archive on its own: CRCs (testzip), names, and every entry's bytes hashed. */
const PY_READ = `
import sys, json, zipfile, hashlib
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
print(json.dumps({"bad": bad, "entries": [{"name": i.filename, "size": i.file_size,
  "sha256": hashlib.sha256(z.read(i)).hexdigest(), "text": z.read(i).decode("utf-8")} for i in z.infolist()]}))
`;
import { openDb } from '../helpers/sqlite.js';
function pythonRead(path: string): PyZip {
  const r = spawnSync('python3', ['-c', PY_READ, path], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as PyZip;
}
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const audits = (db: string) => query(db, "SELECT ticket, account_id, outcome, detail FROM audit_log WHERE action = 'notes.export' AND outcome <> 'read'");
const exportTo = (dir: string, name = 'notes.zip') => join(dir, name);

/** Every check an archive must pass: unzip -t, Python, manifest hashes recomputed, count, names, mode. */
function checkArchive(path: string, expectedNotes: number): PyZip {
  const unzip = spawnSync('unzip', ['-t', path], { encoding: 'utf8' });
  expect(unzip.status, unzip.stdout + unzip.stderr).toBe(0);
  expect(unzip.stdout).toContain('No errors detected');
  const zip = pythonRead(path);
  expect(zip.bad).toBeNull();
  const byName = new Map(zip.entries.map((e) => [e.name, e]));
  const manifest = parse(byName.get('manifest.csv')!.text, { columns: true }) as Array<Record<string, string>>;
  expect(manifest).toHaveLength(expectedNotes);
  expect(zip.entries).toHaveLength(expectedNotes + 2);
  for (const row of manifest) {
    const entry = byName.get(row.path!);
    expect(entry, row.path).toBeDefined();
    expect(sha256(Buffer.from(entry!.text, 'utf8'))).toBe(row.sha256); // recomputed here, not trusted from Python
    expect(entry!.sha256).toBe(row.sha256);
    expect(entry!.size).toBe(Number(row.bytes));
  }
  const names = zip.entries.map((e) => e.name);
  for (const name of names) {
    expect(name).toMatch(SAFE_NAME);
    expect(name.startsWith('/')).toBe(false);
    expect(name.split('/')).not.toContain('..');
    expect(name).not.toContain('..');
  }
  expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  return zip;
}

describe('cx notes export: the archive', () => {
  it('exports all 47 notes of p202 by its current address: unzip, Python, hashes, count, audit row', async () => {
    const db = demoMirror();
    const out = exportTo(tempDir());
    const r = await cxIn(['notes', 'export', P202, '--ticket', 'T-60', '--yes', '--out', out, '--json'], { db });
    expect(r.code, r.stderr).toBe(0);
    const j = r.json();
    expect(j).toMatchObject({ outcome: 'done', account_id: 'p202', path: out, notes: 47, matched_by: 'email' });
    expect(j.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(j.sha256).toBe(sha256(readFileSync(out)));
    const dbCount = query(db, "SELECT count(*) AS n FROM progress_notes WHERE provider_id = 'p202'")[0].n;
    expect(dbCount).toBe(47);
    const zip = checkArchive(out, dbCount);
    const readme = zip.entries.find((e) => e.name === 'README.txt')!.text;
    expect(readme).toContain('T-60');
    expect(readme).toMatch(/Notes: +47/);

    // The audit row: provider, ticket, count, path and hash; never a title, a body or a client's name.
    const [row, ...more] = audits(db);
    expect(more).toHaveLength(0);
    expect(row).toMatchObject({ ticket: 'T-60', account_id: 'p202', outcome: 'done' });
    expect(row.detail).toContain('47 progress notes');
    expect(row.detail).toContain(out);
    expect(row.detail).toContain(j.sha256);
    const notes = query(db, "SELECT n.title, n.body, a.first_name FROM progress_notes n JOIN accounts a ON a.id = n.client_id WHERE provider_id = 'p202'");
    for (const n of notes) {
      expect(row.detail).not.toContain(n.body.slice(0, 30));
      if (n.title.length > 8) expect(row.detail).not.toContain(n.title);
      expect(row.detail).not.toContain(n.first_name);
    }
    expect(await auditChainHolds(db)).toBe(true);
  });

  it('gives the hostile titles safe, unique names and keeps the real title and the body inside the file', async () => {
    const db = demoMirror();
    const out = exportTo(tempDir());
    expect((await cxIn(['notes', 'export', P202, '--ticket', 'T-61', '--yes', '--out', out], { db })).code).toBe(0);
    const zip = checkArchive(out, 47);
    const rows = query(db, "SELECT id, title, body FROM progress_notes WHERE provider_id = 'p202'");
    for (const note of rows) {
      const entry = zip.entries.find((e) => e.name.includes(note.id.slice(0, 8)));
      expect(entry, note.id).toBeDefined();
      expect(entry!.text.endsWith(note.body), note.id).toBe(true); // the body exactly as stored (CRLF kept)
      expect(entry!.text).toContain(`Title: ${escapeControlChars(note.title)}\n`); // invisible characters as \u and four hex digits
    }
    const passwd = zip.entries.find((e) => e.text.includes('Title: ../../etc/passwd'))!;
    expect(passwd.name).toMatch(/^notes\/Jose_Nunez_1020\/2024-03-12_etc_passwd_[0-9a-f-]+\.txt$/);
    expect(zip.entries.find((e) => e.text.includes('Title: CON\n'))!.name).toMatch(/\/2024-07-16__CON_/);
  });

  it('finds the provider by either former address, even terminated', async () => {
    const db = demoMirror();
    const dir = tempDir();
    for (const [i, former] of P202_FORMER.entries()) {
      const r = await cxIn(['notes', 'export', former, '--ticket', `T-62-${i}`, '--yes', '--out', join(dir, `f${i}.zip`), '--json'], { db });
      expect(r.code, r.stderr).toBe(0);
      expect(r.json()).toMatchObject({ outcome: 'done', account_id: 'p202', notes: 47, matched_by: 'former_email' });
      expect(r.json().detail).toContain(`found by the former address ${former}`);
      checkArchive(join(dir, `f${i}.zip`), 47);
    }
    expect(audits(db)).toHaveLength(2);
  });

  it('filters by client, by --since and by --until (inclusive), each matching the database', async () => {
    const db = demoMirror();
    const dir = tempDir();
    const cases: Array<{ args: string[]; where: string; expected: number }> = [
      { args: ['--client', 'zoe.oneil@fastmail.com'], where: "client_id = '1021'", expected: 8 },
      { args: ['--since', '2025-01-01', '--until', '2025-12-31'], where: "session_date BETWEEN '2025-01-01' AND '2025-12-31'", expected: 16 },
      { args: ['--since', '2025-03-11'], where: "session_date >= '2025-03-11'", expected: -1 },
      { args: ['--until', '2024-03-12'], where: "session_date <= '2024-03-12'", expected: -1 },
    ];
    for (const [i, c] of cases.entries()) {
      const n = query(db, `SELECT count(*) AS n FROM progress_notes WHERE provider_id = 'p202' AND ${c.where}`)[0].n;
      if (c.expected >= 0) expect(n).toBe(c.expected);
      const out = join(dir, `c${i}.zip`);
      const r = await cxIn(['notes', 'export', P202, '--ticket', `T-63-${i}`, '--yes', '--out', out, '--json', ...c.args], { db });
      expect(r.code, r.stderr).toBe(0);
      expect(r.json().notes).toBe(n);
      const zip = checkArchive(out, n);
      const manifest = parse(zip.entries.find((e) => e.name === 'manifest.csv')!.text, { columns: true }) as Array<Record<string, string>>;
      const ids = query(db, `SELECT id FROM progress_notes WHERE provider_id = 'p202' AND ${c.where} ORDER BY id`).map((x) => x.id);
      expect(manifest.map((m) => m.note_id).sort()).toEqual(ids.sort());
    }
    expect(audits(db).map((a) => a.detail).join('\n')).toContain('filters: client 1021');
  });

  it('names the file notes-<provider>-<ticket>-<date>.zip in the current folder without --out', async () => {
    const db = demoMirror();
    const dir = tempDir();
    const r = await cxIn(['notes', 'export', P202, '--ticket', 'ZD 48/216', '--yes', '--json'], { db, cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().path).toBe(join(dir, 'notes-p202-ZD_48_216-20261127.zip'));
    expect(readdirSync(dir)).toEqual(['notes-p202-ZD_48_216-20261127.zip']);
  });

  it('--verify reads the archive back: "verified N entries"', async () => {
    const db = demoMirror();
    const out = exportTo(tempDir());
    const r = await cxIn(['notes', 'export', P202, '--ticket', 'T-64', '--yes', '--out', out, '--verify'], { db });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('verified 49 entries');
  });
});

describe('cx notes export: overwrite, dry run, refusals', () => {
  it('an existing file without --force is a usage error (exit 2, old file intact); --force replaces it', async () => {
    const db = demoMirror();
    const out = exportTo(tempDir());
    writeFileSync(out, 'an older export');
    const refused = await cxIn(['notes', 'export', P202, '--ticket', 'T-65', '--yes', '--out', out], { db });
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('already exists');
    // The command as typed, with --force: ready to paste.
    expect(refused.stderr).toContain(`\n  cx notes export ${P202} --ticket T-65 --yes --out ${out} --force\n`);
    expect(readFileSync(out, 'utf8')).toBe('an older export');
    expect(audits(db)).toHaveLength(0);
    const forced = await cxIn(['notes', 'export', P202, '--ticket', 'T-65', '--yes', '--out', out, '--force'], { db });
    expect(forced.code, forced.stderr).toBe(0);
    checkArchive(out, 47);
  });

  it('--dry-run reports the count and the path and writes nothing (no file, no row)', async () => {
    const db = demoMirror();
    const dir = tempDir();
    const before = snapshot(db);
    const r = await cxIn(['notes', 'export', P202_FORMER[0]!, '--out', join(dir, 'x.zip'), '--dry-run', '--json'], { db });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ outcome: 'planned', account_id: 'p202', notes: 47, path: join(dir, 'x.zip'), sha256: null });
    expect(readdirSync(dir)).toEqual([]);
    expect(snapshot(db)).toEqual(before);
  });

  it('needs a ticket, and --yes without a terminal (exit 2, nothing written)', async () => {
    const db = demoMirror();
    const dir = tempDir();
    const noTicket = await cxIn(['notes', 'export', P202, '--yes', '--out', join(dir, 'a.zip')], { db });
    expect(noTicket.code).toBe(2);
    expect(noTicket.stderr).toContain('--ticket is required');
    const noYes = await cxIn(['notes', 'export', P202, '--ticket', 'T-66', '--out', join(dir, 'a.zip')], { db });
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain('--yes is required');
    expect(readdirSync(dir)).toEqual([]);
    expect(audits(db)).toHaveLength(0);
  });

  it('a provider without notes: exit 3, a clear message, no file', async () => {
    const db = demoMirror();
    const dir = tempDir();
    const r = await cxIn(['notes', 'export', 't.nguyen@harborlighttherapy.com', '--ticket', 'T-67', '--yes', '--json'], { db, cwd: dir });
    expect(r.code).toBe(3);
    expect(r.json()).toMatchObject({ outcome: 'not_found', account_id: 'p203', notes: 0, path: null });
    expect(r.json().detail).toContain('has no progress notes');
    const empty = await cxIn(['notes', 'export', P202, '--ticket', 'T-67', '--yes', '--since', '2027-01-01'], { db, cwd: dir });
    expect(empty.code).toBe(3);
    expect(readdirSync(dir)).toEqual([]);
    expect(audits(db)).toHaveLength(0);
  });

  it('refuses a client address (exit 4) and reports unknown or foreign clients (exit 3)', async () => {
    const db = demoMirror();
    const dir = tempDir();
    const client = await cxIn(['notes', 'export', 'jane.doe@gmail.com', '--ticket', 'T-68', '--yes'], { db, cwd: dir });
    expect(client.code).toBe(4);
    expect(client.stderr).toContain('is a client, not a provider');
    const foreign = await cxIn(['notes', 'export', P202, '--ticket', 'T-68', '--yes', '--client', 'jane.doe@gmail.com'], { db, cwd: dir });
    expect(foreign.code).toBe(3);
    expect(foreign.stderr).toContain('p202 wrote no progress notes about 1001');
    const unknown = await cxIn(['notes', 'export', P202, '--ticket', 'T-68', '--yes', '--client', 'nobody@example.org'], { db, cwd: dir });
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('--client: no account uses nobody@example.org');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rejects bad dates and an inverted range (exit 2)', async () => {
    const db = demoMirror();
    for (const args of [['--since', '2025-02-30'], ['--until', '2025/01/01'], ['--since', '2025-06-01', '--until', '2025-01-01']]) {
      const r = await cxIn(['notes', 'export', P202, '--ticket', 'T-69', '--yes', ...args], { db, cwd: tempDir() });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/is not a date|is after --until/);
    }
  });
});

describe('cx notes export: failures leave no file behind', () => {
  // File modes do not bind root: as root the command runs as uid 65534 (test/helpers/other-user.ts).
  const runner = unprivileged();
  const skipped = 'skip' in runner ? `: skipped, ${runner.skip}` : '';

  it.skipIf('skip' in runner)(`a read-only target folder: exit 2 before any note is read, no file, no audit row${skipped}`, () => {
    const db = demoMirror();
    chmodSync(dirname(db), 0o777); // the mirror stays writable for that user: only the target folder is not
    chmodSync(db, 0o666);
    const dir = tempDir();
    chmodSync(dir, 0o555);
    const r = cx(['notes', 'export', P202, '--ticket', 'T-70', '--yes', '--out', join(dir, 'n.zip')], { db, ...('skip' in runner ? {} : runner) });
    chmodSync(dir, 0o700);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout + r.stderr).toContain(`cannot write --out ${join(dir, 'n.zip')}: cannot create a file in ${dir}`);
    expect(readdirSync(dir)).toEqual([]);
    expect(query(db, "SELECT count(*) n FROM audit_log WHERE outcome <> 'read'")[0].n).toBe(1); // the seed's row alone
  });

  it('the disk fills up mid-write (file size limit): exit 2 with the path, no file; the started row closed as abandoned', () => {
    const db = demoMirror();
    // One note large enough that the zip passes the limit while it is being written.
    const conn = openDb(db);
    const big = randomBytes(300_000).toString('base64'); // ~300 KB deflated: past the sink's first flush
    conn.prepare("INSERT INTO progress_notes VALUES ('big-1', 'p202', '1020', '2025-12-01', 'Long note', ?, NULL)").run(big);
    conn.close();
    const dir = tempDir();
    // 64 KiB: above the mirror's -shm file, below the zip. Node ignores SIGXFSZ, so the write fails with EFBIG.
    const r = spawnSync('bash', ['-c', 'ulimit -f 64 && exec "$0" "$@"', process.execPath, CX, 'notes', 'export', P202, '--ticket', 'T-71', '--yes', '--out', join(dir, 'n.zip')], { env: baseEnv(db), encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(`cx: cannot write ${join(dir, 'n.zip')}: the file grew past the file size limit (EFBIG); no file was left behind, recorded as abandoned in the audit log`);
    expect(readdirSync(dir)).toEqual([]);
    expect(audits(db)).toHaveLength(0);
    // The started row was committed before the first byte; the abandoned row says how far it got.
    const rows = query(db, "SELECT action, detail FROM audit_log WHERE action LIKE 'notes.export%' AND outcome <> 'read' ORDER BY id");
    expect(rows.map((x) => x.action)).toEqual(['notes.export.started', 'notes.export.abandoned']);
    expect(rows[1].detail).toMatch(/^not handed over: cannot write .*: the file grew past the file size limit \(EFBIG\), after [\d,]+ bytes; the temporary file was removed \(started in audit row \d+\)$/);
  });

  it('a damaged note row part-way through (a corrupt mirror page): exit 1, no file, the started row closed as abandoned', async () => {
    const db = demoMirror();
    // The table page of the last note in export order is altered on disk (the cipher's tag no longer
    // matches: SQLite reads it as a damaged page); it holds earlier notes too, so the stream fails a few
    // notes in, with the temporary zip already being written.
    const last = query(db, "SELECT rowid FROM progress_notes WHERE provider_id = 'p202' ORDER BY client_id DESC, session_date DESC LIMIT 1")[0].rowid as number;
    const page = leafPageOf(db, 'progress_notes', last);
    expect(query(db, "SELECT count(*) n FROM dbstat WHERE name = 'progress_notes' AND pagetype = 'leaf'")[0].n).toBeGreaterThan(1);
    const file = readFileSync(db);
    file.writeUInt8(file.readUInt8((page - 1) * 4096 + 100) ^ 0xff, (page - 1) * 4096 + 100);
    writeFileSync(db, file);
    const dir = tempDir();
    const r = await cxIn(['notes', 'export', P202, '--ticket', 'T-72', '--yes', '--out', join(dir, 'n.zip')], { db });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^cx: .*(malformed|corrupt)/i);
    expect(r.stderr).toContain('no file was left behind');
    expect(r.stderr).toContain('cx db doctor');
    expect(readdirSync(dir)).toEqual([]);
    expect(query(db, "SELECT action FROM audit_log WHERE action LIKE 'notes.export%' AND outcome <> 'read' ORDER BY id").map((x) => x.action)).toEqual(['notes.export.started', 'notes.export.abandoned']);
  });

  it('the audit row cannot be written: the zip is removed again, exit 1', async () => {
    const db = demoMirror();
    const conn = openDb(db);
    conn.exec("CREATE TRIGGER audit_down BEFORE INSERT ON audit_log WHEN NEW.action = 'notes.export' BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END");
    conn.close();
    const dir = tempDir();
    const r = await cxIn(['notes', 'export', P202, '--ticket', 'T-73', '--yes', '--out', join(dir, 'n.zip'), '--json'], { db });
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ outcome: 'error', sha256: null });
    expect(r.json().detail).toContain('audit log unavailable');
    expect(r.json().detail).toContain('nothing was handed over');
    expect(readdirSync(dir)).toEqual([]);
    expect(audits(db)).toHaveLength(0);
  });
});

describe('cx notes export to a pipe its reader closes early', () => {
  it('--out /dev/stdout | head -c 200000: the abandoned row records the bytes that went to the reader and the notes whole in them', () => {
    const db = demoMirror();
    bulkNotes(db, 300, 2000); // ~600 KB of zip: the reader leaves a third of the way in
    const dir = tempDir();
    const got = join(dir, 'head.bin');
    const run = spawnSync('bash', ['-c', '"$0" "$@" | head -c 200000 > "$GOT"; exit "${PIPESTATUS[0]}"', process.execPath, CX, 'notes', 'export', P202, '--ticket', 'T-P1', '--yes', '--out', '/dev/stdout'], { env: { ...baseEnv(db), GOT: got }, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^cx: cannot write \/dev\/stdout: the reader of the pipe went away \(EPIPE\); [\d,]+ bytes had gone to \/dev\/stdout/m);
    const rows = query(db, "SELECT id, action, detail FROM audit_log WHERE action LIKE 'notes.export%' ORDER BY id");
    expect(rows.map((x) => x.action)).toEqual(['notes.export.started', 'notes.export.abandoned']);
    const m = /^partly handed over: ([\d,]+) bytes had gone to the pipe \/dev\/stdout, with the first ([\d,]+) of 347 notes whole in them, when cannot write \/dev\/stdout: the reader of the pipe went away \(EPIPE\) \(started in audit row (\d+)\)$/.exec(rows[1].detail);
    expect(m, rows[1].detail).not.toBeNull();
    const count = (i: number) => Number(m![i]!.replaceAll(',', ''));
    const [bytes, notes, started] = [count(1), count(2), count(3)];
    expect(started).toBe(rows[0].id);
    // The reader had 200,000 bytes; the rest went into the pipe's buffer (64 KiB) and its read-ahead.
    expect(bytes).toBeGreaterThanOrEqual(200_000);
    expect(bytes).toBeLessThanOrEqual(200_000 + 128 * 1024);
    // The same export to a file has the same first bytes (the ticket is only in README.txt, at the end):
    // count the notes whose entries end within the bytes recorded, from the zip's own directory.
    const whole = join(dir, 'whole.zip');
    expect(cx(['notes', 'export', P202, '--ticket', 'T-P2', '--yes', '--out', whole], { db }).code).toBe(0);
    expect(readFileSync(got)).toEqual(readFileSync(whole).subarray(0, 200_000));
    const offsets = JSON.parse(spawnSync('python3', ['-c', 'import sys, json, zipfile; print(json.dumps([i.header_offset for i in zipfile.ZipFile(sys.argv[1]).infolist()]))', whole], { encoding: 'utf8' }).stdout) as number[];
    const noteEnds = offsets.slice(1, 348); // each note ends where the next entry (a note, then manifest.csv) begins
    expect(notes).toBe(noteEnds.filter((end) => end <= bytes).length);
    expect(notes).toBeGreaterThan(0);
  });
});

// In-process, so the verifier can be wrapped: the zip is altered on disk right before it is read back.
const tamper = vi.hoisted(() => ({ on: false }));
vi.mock('../../src/archive/verify.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/archive/verify.js')>();
  return {
    ...actual,
    verifyNotesZip: async (path: string) => {
      if (tamper.on) flipByteInEntry(path, 'etc_passwd');
      return actual.verifyNotesZip(path);
    },
  };
});

/** Flips one byte in the middle of the data of the first entry whose name contains `needle`. */
function flipByteInEntry(path: string, needle: string): void {
  const zip = readFileSync(path);
  const nameAt = zip.indexOf(Buffer.from(needle));
  const header = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]), nameAt);
  const dataAt = header + 30 + zip.readUInt16LE(header + 26) + zip.readUInt16LE(header + 28);
  const size = zip.readUInt32LE(header + 18) || 64;
  zip[dataAt + (size >> 1)]! ^= 0x20;
  writeFileSync(path, zip);
}

describe('cx notes export --verify on an archive altered after writing', () => {
  it('exits 6 and names the entry that does not match', async () => {
    const db = demoMirror();
    const out = exportTo(tempDir());
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let printed = '';
    stdout.on('data', (d) => (printed += d));
    stderr.on('data', (d) => (printed += d));
    const io = { stdin: new PassThrough(), stdout, stderr, interactive: false, stderrIsTTY: false, env: baseEnv(db) };
    tamper.on = true;
    try {
      const code = await main(['node', 'cx', 'notes', 'export', P202, '--ticket', 'T-74', '--yes', '--out', out, '--verify'], io);
      expect(code, printed).toBe(6);
    } finally {
      tamper.on = false;
    }
    expect(printed).toContain('does NOT verify');
    expect(printed).toMatch(/notes\/Jose_Nunez_1020\/2024-03-12_etc_passwd_[^"]*\.txt/);
    expect(printed).toContain('the file on disk has SHA-256');
    expect(existsSync(out)).toBe(true); // kept for inspection, and audited: the notes were read
    expect(audits(db)).toHaveLength(1);
  });
});

/** The table's leaf page that holds the row with this rowid (the leaves in tree order hold the rows in rowid order). */
function leafPageOf(db: string, table: string, rowid: number): number {
  const rank = query<{ n: number }>(db, `SELECT count(*) AS n FROM ${table} WHERE rowid <= ?`, rowid)[0]!.n;
  let seen = 0;
  for (const leaf of query<{ pageno: number; ncell: number }>(db, "SELECT pageno, ncell FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY path", table)) {
    seen += leaf.ncell;
    if (seen >= rank) return leaf.pageno;
  }
  throw new Error(`no leaf of ${table} holds rowid ${rowid}`);
}
