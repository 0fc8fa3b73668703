// Import edges (issue 10, section 8) and minimum necessary (section 6): addresses swapped in one import,
// a folder or a pipe where a CSV file is expected, note text rewritten by a re-import (audited by note
// id), and problems that name the file, line and column but never a date of birth, a name or a note.
import { closeSync, cpSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseEnv, CX, DEMO, demoMirror, emptyMirror, query, snapshot, tempDir } from '../helpers/cx.js';
import { auditChainHolds, cxIn } from '../helpers/in-process.js';
import { editExport } from '../helpers/world.js';

function demoCopy(): string {
  const dir = join(tempDir(), 'export');
  cpSync(DEMO, dir, { recursive: true });
  rmSync(join(dir, 'tickets'), { recursive: true });
  return dir;
}

const emailOf = (db: string, id: string): string => query<{ email: string }>(db, 'SELECT email FROM accounts WHERE id = ?', id)[0]!.email;

async function refused(db: string, dir: string): Promise<{ stderr: string }> {
  const before = snapshot(db);
  const r = await cxIn(['db', 'import', dir], { db });
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(/nothing was written/);
  expect(r.stdout).toBe('');
  expect(snapshot(db)).toEqual(before);
  return r;
}

describe('addresses that move between accounts in one import', () => {
  it('two accounts swapping addresses are accepted: uniqueness holds when the import ends', async () => {
    const db = demoMirror();
    const [a, b] = [emailOf(db, 'p204'), emailOf(db, 'p205')];
    const dir = demoCopy();
    editExport(dir, 'accounts.csv', (row) => (row.id === 'p204' ? { ...row, email: b } : row.id === 'p205' ? { ...row, email: a } : row));
    const r = await cxIn(['db', 'import', dir, '--json'], { db });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().files[0]).toMatchObject({ file: 'accounts.csv', changed: 2 });
    expect([emailOf(db, 'p204'), emailOf(db, 'p205')]).toEqual([b, a]);
    const keys = query(db, "SELECT id, email_key FROM accounts WHERE id IN ('p204', 'p205') ORDER BY id");
    expect(keys).toEqual([{ id: 'p204', email_key: b.toLowerCase() }, { id: 'p205', email_key: a.toLowerCase() }]);
    expect((await cxIn(['lookup', a, '--json'], { db })).json().matches[0].id).toBe('p205');
    expect(await auditChainHolds(db)).toBe(true);
  });

  it('three accounts passing their addresses round are accepted too', async () => {
    const db = demoMirror();
    const ids = ['p201', 'p203', 'p206'];
    const emails = ids.map((id) => emailOf(db, id));
    const dir = demoCopy();
    editExport(dir, 'accounts.csv', (row) => {
      const i = ids.indexOf(row.id!);
      return i < 0 ? row : { ...row, email: emails[(i + 1) % 3]! };
    });
    const r = await cxIn(['db', 'import', dir], { db });
    expect(r.code, r.stderr).toBe(0);
    expect(ids.map((id) => emailOf(db, id))).toEqual([emails[1], emails[2], emails[0]]);
  });

  it('an address another account keeps is refused, naming that account and not the address', async () => {
    const db = demoMirror();
    const kept = emailOf(db, 'p205');
    const dir = demoCopy();
    editExport(dir, 'accounts.csv', (row) => (row.id === 'p204' ? { ...row, email: kept } : row.id === 'p205' ? false : row));
    const r = await refused(db, dir);
    expect(r.stderr).toMatch(/accounts\.csv:\d+: email already belongs to account p205/);
    expect(r.stderr).not.toContain(kept);
  });

  it('one address on two rows of the file is refused', async () => {
    const db = emptyMirror();
    const dir = demoCopy();
    const taken = readFileSync(join(dir, 'accounts.csv'), 'utf8').split('\n')[1]!.split(',')[1]!;
    editExport(dir, 'accounts.csv', (row) => (row.id === 'p205' ? { ...row, email: taken.toUpperCase() } : row));
    const r = await refused(db, dir);
    expect(r.stderr).toMatch(/accounts\.csv:6: email is the address of account p201 on line 2 too/);
    expect(r.stderr.toLowerCase()).not.toContain(taken.toLowerCase());
  });
});

describe('what stands where a CSV file is expected', () => {
  it('a folder: exit 2 with a clear message, nothing written', async () => {
    const db = demoMirror();
    const dir = demoCopy();
    rmSync(join(dir, 'appointments.csv'));
    mkdirSync(join(dir, 'appointments.csv'));
    const r = await refused(db, dir);
    expect(r.stderr).toMatch(/appointments\.csv: is a folder, not a CSV file/);
  });

  it('a named pipe is not read (nothing waits on it)', async () => {
    const db = demoMirror();
    const dir = demoCopy();
    rmSync(join(dir, 'suppressions.csv'));
    expect(spawnSync('mkfifo', [join(dir, 'suppressions.csv')]).status).toBe(0);
    const r = await refused(db, dir);
    expect(r.stderr).toMatch(/suppressions\.csv: is not a regular file/);
  });

  it('an empty file, and a file without its header line', async () => {
    const db = demoMirror();
    const dir = demoCopy();
    writeFileSync(join(dir, 'former_emails.csv'), '');
    const accounts = readFileSync(join(dir, 'accounts.csv'), 'utf8');
    writeFileSync(join(dir, 'accounts.csv'), accounts.slice(accounts.indexOf('\n') + 1));
    const r = await refused(db, dir);
    expect(r.stderr).toMatch(/accounts\.csv:1: missing columns id, email, .*\(the first line must be the header\)/);
    expect(r.stderr).toMatch(/former_emails\.csv:1: missing columns account_id, email, changed_at \(the file is empty\)/);
    // The first data row stood where the header should be: none of it is repeated.
    expect(r.stderr).not.toContain('Okafor');
  });
});

describe('note text rewritten by a re-import', () => {
  it('is counted, and the audit row names the notes by id (never their text)', async () => {
    const db = demoMirror();
    const dir = demoCopy();
    const rewritten = ['70025', '70031'];
    editExport(dir, 'progress_notes.csv', (row) => (rewritten.includes(row.id!) ? { ...row, body: `${row.body}\nLate entry: reviewed with supervisor.` } : row));
    editExport(dir, 'progress_notes.csv', (row, i) => (i === 5 ? { ...row, signed_at: '2026-11-01T10:00:00Z' } : row));
    const r = await cxIn(['db', 'import', dir, '--json'], { db });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().notes_rewritten).toBe(2);
    expect(r.json().files.find((f: { file: string }) => f.file === 'progress_notes.csv').changed).toBe(3);
    const [row] = query<{ detail: string; outcome: string }>(db, "SELECT detail, outcome FROM audit_log WHERE action = 'db.import'");
    expect(row!.outcome).toBe('done');
    expect(row!.detail).toContain('note text rewritten (ids): 70025, 70031');
    expect(row!.detail).not.toContain('Late entry');
    expect((await cxIn(['db', 'import', dir], { db })).stdout).not.toMatch(/rewritten/);
  });
});

describe('a cell longer than its column may hold (README "The mirror": the limits)', () => {
  it('is an invalid row with file:line, and the reading goes on to the rows after it', async () => {
    const db = demoMirror();
    const dir = demoCopy();
    editExport(dir, 'progress_notes.csv', (row, i) => (i === 0 ? { ...row, body: 'a'.repeat(1_000_001) } : i === 3 ? { ...row, title: 't'.repeat(1_001) } : row));
    editExport(dir, 'accounts.csv', (row, i) => (i === 0 ? { ...row, first_name: 'n'.repeat(256) } : i === 3 ? { ...row, id: 'i'.repeat(129) } : i === 5 ? { ...row, role: 'admin' } : row));
    editExport(dir, 'suppressions.csv', (row, i) => (i === 0 ? { ...row, email: `${'a'.repeat(400)}@example.com` } : row));
    const title = readFileSync(join(dir, 'progress_notes.csv'), 'utf8').split('\n').findIndex((l) => l.includes('t'.repeat(1_001))) + 1;
    const r = await refused(db, dir);
    expect(r.stderr).toContain('accounts.csv:2: first_name is longer than 255 characters\n');
    expect(r.stderr).toContain('accounts.csv:5: id is longer than 128 characters\n');
    expect(r.stderr).toContain('accounts.csv:7: role must be one of client, provider\n');
    expect(r.stderr).toContain('progress_notes.csv:2: body is longer than 1,000,000 characters\n');
    expect(r.stderr).toContain(`progress_notes.csv:${title}: title is longer than 1,000 characters\n`);
    expect(r.stderr).toContain('suppressions.csv:2: email is longer than 320 characters\n');
    expect(r.stderr).toMatch(/nothing was written \(6 problems\)/);
  });

  it('a 150 MB note body: refused at the line where its row starts, the file not read past it, in bounded memory', () => {
    const db = demoMirror();
    const dir = demoCopy();
    const before = snapshot(db);
    const fd = openSync(join(dir, 'progress_notes.csv'), 'w');
    writeSync(fd, 'id,provider_id,client_id,session_date,title,body,signed_at\n70025,p205,1038,2016-09-20,Intake,"S: short.",\n70026,p205,1038,2017-01-08,Progress,"');
    const megabyte = Buffer.alloc(1 << 20, 'a');
    megabyte[megabyte.length - 1] = 0x0a; // a line break each megabyte: the problem is where the row starts
    for (let i = 0; i < 150; i++) writeSync(fd, megabyte);
    writeSync(fd, '",\n');
    closeSync(fd);
    // The process's peak memory, as it exits (it was 926 MB when the body was read whole: 150 MB as bytes,
    // then as a string, then staged).
    const rss = "data:text/javascript,process.on('exit',()=>process.stderr.write('peak RSS '+process.resourceUsage().maxRSS+' kB\\n'))";
    const r = spawnSync(process.execPath, ['--import', rss, CX, 'db', 'import', dir], { env: baseEnv(db), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(2);
    expect(Number(/peak RSS (\d+) kB/.exec(r.stderr)![1]) / 1024).toBeLessThan(200);
    expect(r.stderr).toContain('progress_notes.csv:3: a row over 4.1 MB, more than its columns may hold: the rest of the file was not read\n');
    expect(r.stderr).toMatch(/nothing was written \(1 problem\)/);
    expect(snapshot(db)).toEqual(before);
  });

  it('at the limit, in characters (not bytes): a body of 1,000,000 four-byte characters and a name of 255 two-byte ones are imported whole', async () => {
    const db = demoMirror();
    const dir = demoCopy();
    const body = '\u{1F600}'.repeat(1_000_000);
    const name = 'é'.repeat(255);
    editExport(dir, 'progress_notes.csv', (row, i) => (i === 0 ? { ...row, body } : row));
    editExport(dir, 'accounts.csv', (row, i) => (i === 0 ? { ...row, first_name: name } : row));
    const r = await cxIn(['db', 'import', dir], { db });
    expect(r.code, r.stderr).toBe(0);
    expect(query(db, "SELECT body FROM progress_notes WHERE id = '70025'")[0].body).toBe(body);
    expect(query(db, "SELECT first_name FROM accounts WHERE id = 'p201'")[0].first_name).toBe(name);
  });
});

describe('problems name the file, line and column, never the value (minimum necessary)', () => {
  /** Each spoils one row in place and returns the value that must not be shown. */
  const cases: Array<[string, string, (row: Record<string, string>) => string | null, RegExp]> = [
    ['a date of birth that does not exist', 'accounts.csv', (r) => (r.id === '1001' ? (r.dob = '1987-02-30') : null), /accounts\.csv:\d+: dob is not a date \(YYYY-MM-DD\)\n/],
    ['a name in the status column', 'accounts.csv', (r) => (r.id === '1001' ? (r.status = `${r.first_name} ${r.last_name}`) : null), /accounts\.csv:\d+: status must be one of active, deactivated, terminated\n/],
    ['a note title in the session date', 'progress_notes.csv', (r) => (r.id === '70025' ? (r.session_date = r.title!) : null), /progress_notes\.csv:2: session_date is not a date \(YYYY-MM-DD\)\n/],
    ['a state that is no state code', 'accounts.csv', (r) => (r.id === '1001' ? (r.state = 'Ohio, near Dayton') : null), /accounts\.csv:\d+: state must be a two-letter state code\n/],
  ];
  it.each(cases)('%s', async (_name, file, spoil, message) => {
    const db = demoMirror();
    const dir = demoCopy();
    const secrets: string[] = [];
    editExport(dir, file, (row) => {
      const secret = spoil(row);
      if (secret) secrets.push(secret);
      return row;
    });
    expect(secrets).toHaveLength(1);
    const r = await refused(db, dir);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain(secrets[0]);
  });

  it('a broken quote in a note: the line, never the text around it', async () => {
    const db = demoMirror();
    const dir = demoCopy();
    const path = join(dir, 'progress_notes.csv');
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[1] = lines[1]!.replace('Intake assessment', 'Intake "private" assessment');
    writeFileSync(path, lines.join('\n'));
    const r = await refused(db, dir);
    expect(r.stderr).toMatch(/progress_notes\.csv:2: not valid CSV: a quote inside a field that does not start with one/);
    expect(r.stderr).not.toContain('private');
  });
});
