// Every file cx writes, attacked the same way through each command that writes one (issue 10, section 1):
// `cx batch --out`, `cx offboard --out` (the caseload CSV) and `cx notes export --out`. A bad path is exit 2
// before anything is applied (the mirror's snapshot unchanged, no temporary file left); an existing file is
// kept without --force (exit 2, a usage error: old bytes intact) and replaced with it; a symlink is replaced, never written
// through; a device or a pipe is written to directly and stays what it is.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cx, cxAsync, demoMirror, query, snapshot, tempDir, type CxResult, type RunOptions } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { NOBODY, unprivileged } from '../helpers/other-user.js';

const isRoot = process.getuid?.() === 0;
const P201 = 'm.okafor@brightpathcounseling.com';
const P202 = 'rafael.castellanos@proton.me';

interface Writer {
  name: string;
  /** Runs the command with this --out (extra flags after), changing the mirror when it succeeds. */
  run(db: string, out: string, extra?: string[], opts?: RunOptions): Promise<CxResult>;
  /** The exit code of a run that went through. */
  ok: number;
}

function ticketsFile(): string {
  const dir = tempDir();
  chmodSync(dir, 0o755); // readable by uid 65534 too
  const file = join(dir, 'tickets.csv');
  writeFileSync(file, 'ticket_id,type,email\nS-1,password_reset,jane.doe@gmail.com\nS-2,lookup,jane.doe@gmail.com\n', { mode: 0o644 });
  return file;
}

/**
 * In-process, but for what only a process has: another user (file modes), and /dev/stdout (the pipe the
 * test process was given would be the test runner's own).
 */
function run(args: string[], opts: RunOptions): Promise<CxResult> {
  return opts.as || args.includes('/dev/stdout') ? Promise.resolve(cx(args, opts)) : cxIn(args, opts);
}

const WRITERS: Writer[] = [
  { name: 'cx batch', ok: 0, run: (db, out, extra = [], opts = {}) => run(['batch', ticketsFile(), '--yes', '--out', out, ...extra], { db, ...opts }) },
  { name: 'cx offboard', ok: 0, run: (db, out, extra = [], opts = {}) => run(['offboard', P201, '--ticket', 'T-OUT', '--yes', '--out', out, ...extra], { db, ...opts }) },
  { name: 'cx notes export', ok: 0, run: (db, out, extra = [], opts = {}) => run(['notes', 'export', P202, '--ticket', 'T-OUT', '--yes', '--out', out, ...extra], { db, ...opts }) },
];

const temps = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('.cx-tmp-'));
const said = (r: CxResult) => r.stdout + r.stderr;

/** A bad --out: exit 2, naming the path, and nothing at all applied or left behind. */
async function refused(w: Writer, db: string, out: string, why: RegExp, opts: RunOptions = {}, extra = ['--force']): Promise<void> {
  const before = snapshot(db);
  const r = await w.run(db, out, extra, opts);
  expect(r.code, `${w.name} --out ${out}: ${said(r)}`).toBe(2);
  expect(said(r), out).toMatch(why);
  expect(snapshot(db), `${w.name} --out ${out}`).toEqual(before);
  if (existsSync(dirname(out)) && statSync(dirname(out)).isDirectory()) expect(temps(dirname(out))).toEqual([]);
}

describe.each(WRITERS)('$name --out: paths that must be refused (exit 2, nothing applied)', (w) => {
  it('the mirror, its -wal and -shm, by any spelling, a hard link or a symlink to it, even with --force', async () => {
    const db = demoMirror();
    const dir = dirname(db);
    linkSync(db, join(dir, 'hard.db'));
    symlinkSync(db, join(dir, 'soft.db'));
    for (const out of [db, `${db}-wal`, `${db}-shm`, join(dir, '..', basename(dir), 'mirror.db'), join(dir, 'hard.db'), join(dir, 'soft.db')]) {
      await refused(w, db, out, /it is the mirror/);
    }
    expect(query(db, 'PRAGMA integrity_check')[0].integrity_check).toBe('ok');
  });

  it('a folder, a path under a file, a missing folder, a name longer than 255 bytes', async () => {
    const db = demoMirror();
    const dir = tempDir();
    mkdirSync(join(dir, 'folder'));
    writeFileSync(join(dir, 'file'), 'x');
    await refused(w, db, join(dir, 'folder'), /it is a folder/);
    await refused(w, db, join(dir, 'file', 'out'), /is a file, not a folder/);
    await refused(w, db, join(dir, 'missing', 'out'), /the folder .*missing does not exist/);
    await refused(w, db, join(dir, `${'n'.repeat(300)}.csv`), /the file name is 304 bytes long/);
    expect(readdirSync(dir).sort()).toEqual(['file', 'folder']);
  });

  const runner = unprivileged();
  it.skipIf('skip' in runner)(`a folder it cannot write in${isRoot ? ' (run as uid 65534)' : ''}${'skip' in runner ? `: skipped, ${runner.skip}` : ''}`, async () => {
    const db = demoMirror();
    chmodSync(dirname(db), 0o777); // the mirror stays writable for that user
    chmodSync(db, 0o666);
    const dir = tempDir();
    chmodSync(dir, 0o555);
    await refused(w, db, join(dir, 'out'), /cannot create a file in/, 'skip' in runner ? {} : runner);
    chmodSync(dir, 0o700);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.skipIf(!isRoot)(`a FIFO or a device owned by another user, and a symlink to one${isRoot ? '' : ': skipped, only root can make them'}`, async () => {
    const db = demoMirror();
    const dir = tempDir();
    chmodSync(dir, 0o777);
    const fifo = join(dir, 'their-pipe');
    // Made by that user, as an attacker would: cx must not send the data to a reader it does not control.
    expect(spawnSync('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', 'mkfifo', fifo]).status).toBe(0);
    expect(statSync(fifo).uid).toBe(NOBODY);
    const node = join(dir, 'their-device');
    expect(spawnSync('mknod', [node, 'c', '1', '3']).status).toBe(0);
    chownSync(node, NOBODY, NOBODY);
    symlinkSync(fifo, join(dir, 'results.csv'));
    for (const out of [fifo, node, join(dir, 'results.csv')]) await refused(w, db, out, /owned by another user \(uid 65534\)/);
  });
});

describe('cx batch --out: the input file is never written over', () => {
  it('by its own name or another spelling of it: exit 2, the tickets intact', async () => {
    const db = demoMirror();
    const file = ticketsFile();
    const text = readFileSync(file, 'utf8');
    for (const out of [file, join(dirname(file), '..', basename(dirname(file)), 'tickets.csv')]) {
      const r = await cxIn(['batch', file, '--yes', '--force', '--out', out], { db });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('it is the input file');
    }
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});

describe.each(WRITERS)('$name --out: an existing file, a symlink, a device, a pipe', (w) => {
  it('an existing file: kept without --force (exit 2, nothing applied), replaced with it', async () => {
    const db = demoMirror();
    const out = join(tempDir(), 'out');
    writeFileSync(out, 'older bytes');
    const before = snapshot(db);
    const r = await w.run(db, out);
    expect(r.code, said(r)).toBe(2);
    expect(said(r)).toContain('already exists and was left as it is');
    expect(readFileSync(out, 'utf8')).toBe('older bytes');
    expect(snapshot(db)).toEqual(before);
    const forced = await w.run(db, out, ['--force']);
    expect(forced.code, said(forced)).toBe(w.ok);
    expect(readFileSync(out).subarray(0, 11).toString()).not.toBe('older bytes');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(temps(dirname(out))).toEqual([]);
  });

  it('a symlink planted at the name (to a file the agent can write) is replaced, never written through', async () => {
    const db = demoMirror();
    const dir = tempDir();
    const victim = join(tempDir(), 'victim');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, join(dir, 'out'));
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
    expect((await w.run(db, join(dir, 'out'))).code).toBe(2); // a symlink is something there: --force replaces it
    for (const name of ['out', 'dangling']) {
      const r = await w.run(db, join(dir, name), ['--force']);
      expect(r.code, said(r)).toBe(w.ok);
      expect(lstatSync(join(dir, name)).isFile()).toBe(true);
    }
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
  });

  it('/dev/null and a character device made with mknod are written to and stay devices (no --force needed)', async () => {
    const db = demoMirror();
    const dir = tempDir();
    const node = join(dir, 'null-device');
    const made = spawnSync('mknod', [node, 'c', '1', '3']).status === 0;
    for (const out of ['/dev/null', ...(made ? [node] : [])]) {
      const r = await w.run(db, out);
      expect(r.code, said(r)).toBe(w.ok);
      expect(statSync(out).isCharacterDevice(), out).toBe(true);
    }
    expect(readdirSync(dir)).toEqual(made ? ['null-device'] : []);
  });

  it('a FIFO of its own with a reader gets the whole file; /dev/stdout is the pipe it was given', async () => {
    const db = demoMirror();
    const dir = tempDir();
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn('cat', [fifo]);
    const chunks: Buffer[] = [];
    reader.stdout.on('data', (d: Buffer) => chunks.push(d));
    const read = new Promise((done) => reader.on('close', done));
    const r = await cxWhenReading(w, db, fifo);
    await read;
    expect(r.code, said(r)).toBe(w.ok);
    const got = Buffer.concat(chunks);
    expect(got.length).toBeGreaterThan(50);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    const viaStdout = await w.run(demoMirror(), '/dev/stdout');
    expect(viaStdout.code, said(viaStdout)).toBe(w.ok);
    expect(viaStdout.stdout).toContain(w.name === 'cx batch' ? 'ticket_id,type,email' : w.name === 'cx offboard' ? 'id,email,name' : 'PK');
    // The file's bytes alone: every other line went to stderr (a zip with "done: …" after it is not the zip
    // whose SHA-256 the audit log holds).
    expect(viaStdout.stdout).not.toMatch(/^(done|Next|Tell|Caseload|SHA-256|Results|Batch finished)\b/m);
    expect(viaStdout.stderr).toMatch(/^(done|Batch finished)\b/m);
    // --json wants stdout too: refused before anything is done; "-" is not a file name cx makes.
    const both = await w.run(demoMirror(), '/dev/stdout', ['--json']);
    expect(both.code, said(both)).toBe(2);
    expect(both.stderr).toMatch(/--json and --out \/dev\/stdout both write to standard output/);
    const cwd = tempDir();
    const dash = await w.run(demoMirror(), '-', [], { cwd });
    expect(dash.code, said(dash)).toBe(2);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

/** cat may not have opened the FIFO yet when cx starts: cx refuses a pipe nobody reads, so retry briefly. */
async function cxWhenReading(w: Writer, db: string, fifo: string): Promise<CxResult> {
  for (let i = 0; ; i++) {
    const args = w.name === 'cx batch' ? ['batch', ticketsFile(), '--yes', '--out', fifo]
      : w.name === 'cx offboard' ? ['offboard', P201, '--ticket', 'T-OUT', '--yes', '--out', fifo]
        : ['notes', 'export', P202, '--ticket', 'T-OUT', '--yes', '--out', fifo];
    const r = await cxAsync(args, { db });
    if (r.code !== 2 || !r.stderr.concat(r.stdout).includes('no process is reading the pipe') || i > 50) return r;
    await new Promise((done) => setTimeout(done, 20));
  }
}

describe('cx offboard --out: the path is checked before the contract changes, and the CSV is audited', () => {
  it('a 300-character name: exit 2 and the provider is still active (today it terminated, then failed)', async () => {
    const db = demoMirror();
    const before = snapshot(db);
    const r = await cxIn(['offboard', P201, '--ticket', 'T-LONG', '--yes', '--out', join(tempDir(), `${'c'.repeat(300)}.csv`)], { db });
    expect(r.code).toBe(2);
    expect(query(db, "SELECT status FROM accounts WHERE id = 'p201'")[0].status).toBe('active');
    expect(snapshot(db)).toEqual(before);
  });

  it('the audit rows name the provider, the ticket, the count and the path, never a client name', async () => {
    const db = demoMirror();
    const out = join(tempDir(), 'caseload.csv');
    expect((await cxIn(['offboard', P201, '--ticket', 'T-CSV', '--yes', '--out', out], { db })).code).toBe(0);
    const rows = query(db, "SELECT id, action, ticket, account_id, outcome, detail FROM audit_log WHERE action LIKE 'offboard.caseload_csv%' ORDER BY id");
    expect(rows.map((r) => [r.action, r.ticket, r.account_id, r.outcome])).toEqual([
      ['offboard.caseload_csv.started', 'T-CSV', 'p201', 'started'],
      ['offboard.caseload_csv', 'T-CSV', 'p201', 'done'],
    ]);
    // Both rows name the clients listed, by id, and keep them with the row (issue 20 §2); the started row
    // also names the temporary file, written only after it (§3).
    const ids = query(db, "SELECT DISTINCT client_id FROM appointments WHERE provider_id = 'p201'").map((x) => x.client_id as string);
    expect(ids).toHaveLength(8);
    const list = String.raw`\(8 clients: 4 may leave, 4 stay: [^)]+\)`;
    const kept = String.raw` \[account ids: 8, sha256 [0-9a-f]{64}\]$`;
    expect(rows[0].detail).toMatch(new RegExp(`^writing the caseload of provider p201 ${list} to ${out}, written first as \\.cx-tmp-[0-9a-f]+${kept}`));
    expect(rows[1].detail).toMatch(new RegExp(`^wrote the caseload of provider p201 ${list} to ${out} \\(started in audit row ${rows[0].id}\\)${kept}`));
    for (const r of rows) {
      expect(query(db, 'SELECT account_id FROM audit_accounts WHERE audit_id = ? ORDER BY position', r.id).map((x) => x.account_id).sort()).toEqual([...ids].sort());
    }
    const names = query(db, "SELECT DISTINCT first_name, last_name FROM accounts a JOIN appointments p ON p.client_id = a.id WHERE p.provider_id = 'p201'");
    for (const n of names) for (const r of rows) expect(r.detail).not.toContain(`${n.first_name} ${n.last_name}`);
  });
});

describe('cx notes export --out: a device cannot be read back', () => {
  it('--verify with /dev/null: exit 2 before any note is read', async () => {
    const db = demoMirror();
    const before = snapshot(db);
    const r = await cxIn(['notes', 'export', P202, '--ticket', 'T-V', '--yes', '--out', '/dev/null', '--verify'], { db });
    expect(r.code).toBe(2);
    expect(said(r)).toContain('--verify reads the zip back');
    expect(snapshot(db)).toEqual(before);
  });

  it('a device: the started row comes before the first byte and names it; the completing row has the hash', async () => {
    const db = demoMirror();
    const r = await cxIn(['notes', 'export', P202, '--ticket', 'T-DEV', '--yes', '--out', '/dev/null', '--json'], { db });
    expect(r.code, said(r)).toBe(0);
    expect(r.json()).toMatchObject({ outcome: 'done', path: '/dev/null', notes: 47, written_to: 'device' });
    const rows = query(db, "SELECT id, action, outcome, detail FROM audit_log WHERE ticket = 'T-DEV' ORDER BY id");
    expect(rows.map((x) => [x.action, x.outcome])).toEqual([['notes.export.started', 'started'], ['notes.export', 'done']]);
    expect(rows[0].detail).toMatch(/^exporting 47 progress notes of provider p202 about 6 clients: 00917, 1020, [^(]+ \(filters: none\) to the device \/dev\/null \[account ids: 6, sha256 [0-9a-f]{64}\]$/);
    expect(rows[1].detail).toContain(`sha256 ${r.json().sha256} (started in audit row ${rows[0].id})`);
  });
});
