// The outside contract (docs/reference.md) as agents and their scripts meet it: bin/cx.js as a process of its
// own, one run per row of the command table, of the exit codes and of the JSON shapes: the exit code, what
// goes to stdout and what to stderr, and the keys promised. The variants of each rule run in-process in the
// command's own test file (test/helpers/in-process.ts); what only a process shows (a terminal, colour,
// another user, signals, pipes, two processes racing) stays a process there too.
import { chmodSync, chownSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { examineMirrorFile } from '../../src/store/cipher.js';
import { cx, cxAsync, DEMO, demoMirror, plainDemoMirror, query, snapshot, tempDir, type CxResult } from '../helpers/cx.js';
import { alterPageOf, folderDigest, OTHER_KEY, withStaleWal } from '../helpers/encryption.js';
import { TEST_KEY } from '../helpers/env.js';
import { NOBODY } from '../helpers/other-user.js';
import { inTerminal } from '../helpers/terminal.js';
import { SECRET, standIn, syncEnv } from '../helpers/sync.js';
import { bulkOutbox } from '../helpers/bulk.js';
import { generatedMirror } from '../helpers/world.js';
import { openDb } from '../helpers/sqlite.js';

const T = ['--ticket', 'C-1', '--yes'];

/** Data on stdout, nothing on stderr that is a problem. */
function ok(r: CxResult, code = 0): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr, 'no error prefix on a run that went through').not.toMatch(/^cx:/m);
}

/** A problem: stdout empty, the message on stderr with the one prefix `cx:`. */
function problem(r: CxResult, code: number): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^cx: \S/);
}

/** Under --json: nothing on stdout but the JSON, which has at least these keys. */
function jsonWith(r: CxResult, keys: string[]): any {
  const body = r.json();
  expect(Object.keys(body)).toEqual(expect.arrayContaining(keys));
  return body;
}

const OUTCOME = ['outcome', 'detail', 'account_id'];

describe('the command table, one process each', () => {
  it('cx lookup <email>: the matches, family and suggestions; exit 3 with a suggestion for a typo', () => {
    const db = demoMirror();
    const human = cx(['lookup', 'Jane.Doe@GoogleMail.com'], { db });
    ok(human);
    expect(human.stdout).toContain('jane.doe@gmail.com');
    const r = cx(['lookup', 'jane.doe@gmail.com', '--json'], { db });
    ok(r);
    const body = jsonWith(r, [...OUTCOME, 'query', 'matches', 'family', 'suggestions']);
    expect(body).toMatchObject({ outcome: 'done', account_id: '1001' });
    expect(Object.keys(body.matches[0])).toEqual(expect.arrayContaining(['id', 'email', 'role', 'status', 'verified', 'matched_by', 'suppression']));
    expect(body.matches[0]).toMatchObject({ id: '1001', matched_by: 'email', suppression: null, verified: true });
    for (const f of body.family) expect(Object.keys(f)).toEqual(expect.arrayContaining(['id', 'email']));
    const typo = cx(['lookup', 'jane.doe@gmial.com'], { db });
    problem(typo, 3);
    expect(typo.stderr).toContain('jane.doe@gmail.com');
    const suggested = cx(['lookup', 'jane.doe@gmial.com', '--json'], { db });
    expect(suggested.code).toBe(3);
    expect(jsonWith(suggested, [...OUTCOME, 'suggestions'])).toMatchObject({ outcome: 'not_found', account_id: null, suggestions: ['jane.doe@gmail.com'] });
  });

  it('cx lookup --name "<first last>" --dob: matched by name', () => {
    const r = cx(['lookup', '--name', 'maria garcia', '--dob', '1991-07-30', '--json'], { db: demoMirror() });
    ok(r);
    expect(jsonWith(r, ['query', 'matches', 'family', 'suggestions']).matches).toEqual([expect.objectContaining({ id: '1017', matched_by: 'name' })]);
  });

  it('cx reset <email>: the outcome object with the template and the address the email goes to', () => {
    const db = demoMirror();
    const r = cx(['reset', 'aaliyah.johnson@gmail.com', ...T, '--json'], { db });
    ok(r);
    expect(jsonWith(r, [...OUTCOME, 'template', 'to'])).toMatchObject({ outcome: 'done', account_id: '1032', template: 'client_password_reset', to: 'aaliyah.johnson@gmail.com' });
    expect(query(db, 'SELECT count(*) AS n FROM outbox')[0].n).toBe(1);
  });

  it('cx resubscribe <email>: the address off the unsubscribe list', () => {
    const db = demoMirror();
    const r = cx(['resubscribe', 'k.asante@mindfulroots.org', ...T, '--json'], { db });
    ok(r);
    expect(jsonWith(r, OUTCOME)).toMatchObject({ outcome: 'done', account_id: 'p204' });
    expect(query(db, "SELECT count(*) AS n FROM suppressions WHERE email_key = 'k.asante@mindfulroots.org'")[0].n).toBe(0);
  });

  it('cx deactivate <email>: the retention date and the rule that set it', () => {
    const r = cx(['deactivate', 'hannah.schafer@gmail.com', ...T, '--json'], { db: demoMirror() });
    ok(r);
    expect(jsonWith(r, [...OUTCOME, 'retain_until', 'retention_rule'])).toMatchObject({ outcome: 'done', account_id: '1030', retain_until: '2031-02-28', retention_rule: expect.stringMatching(/^adult: /) });
  });

  it('cx offboard <provider-email>: the clients, where each came from and who may leave', () => {
    const r = cx(['offboard', 'm.okafor@brightpathcounseling.com', ...T, '--json'], { db: demoMirror() });
    ok(r);
    const body = jsonWith(r, [...OUTCOME, 'clients']);
    expect(body).toMatchObject({ outcome: 'done', account_id: 'p201' });
    expect(body.clients.length).toBe(8);
    for (const c of body.clients) {
      expect(Object.keys(c)).toEqual(expect.arrayContaining(['id', 'email', 'source', 'may_leave']));
      expect(['search', 'provider']).toContain(c.source);
    }
  });

  it('cx notes export <provider-email>: the path, the count and the SHA-256 of the zip', () => {
    const out = join(tempDir(), 'notes.zip');
    const r = cx(['notes', 'export', 'rafael.castellanos@proton.me', ...T, '--out', out, '--json'], { db: demoMirror() });
    ok(r);
    expect(jsonWith(r, [...OUTCOME, 'path', 'notes', 'sha256'])).toMatchObject({ outcome: 'done', path: out, notes: 47, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('cx family <email>: the mailbox, its accounts, a suggested +alias and the accounts to ask the family about', () => {
    const r = cx(['family', 'jane.doe@gmail.com', '--suggest', 'Max', '--json'], { db: demoMirror() });
    ok(r);
    const body = jsonWith(r, ['outcome', 'detail', 'mailbox', 'accounts', 'suggestion', 'plus_addressing', 'flags']);
    expect(body).toMatchObject({ outcome: 'done', mailbox: 'janedoe@gmail.com', suggestion: 'jane.doe+max@gmail.com', plus_addressing: true, flags: [] });
    for (const a of body.accounts) expect(Object.keys(a)).toEqual(expect.arrayContaining(['id', 'email']));
  });

  it('cx family --audit: across the mirror, the accounts that repeat their holder\'s name or date of birth; --out as CSV', () => {
    // Generated families, every child's account under the parent's name, date of birth or both.
    const db = generatedMirror(1000, { seed: 'contract-families', misnamedChildren: 1 });
    const r = cx(['family', '--audit', '--json'], { db });
    ok(r);
    const body = jsonWith(r, ['shared_mailboxes', 'flagged_mailboxes', 'flags']);
    expect(body.flags.length).toBeGreaterThan(0);
    for (const f of body.flags) {
      expect(Object.keys(f)).toEqual(expect.arrayContaining(['mailbox', 'account_id', 'email', 'name', 'issue', 'holder_id', 'holder_email', 'holder_name', 'ask']));
      expect(['holder_name_and_dob', 'holder_name', 'holder_dob']).toContain(f.issue);
    }
    const out = join(tempDir(), 'family-audit.csv');
    const written = cx(['family', '--audit', '--out', out, '--ticket', 'C-1'], { db });
    ok(written);
    expect(written.stdout).toBe('');
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('mailbox,account_id,email,name,issue,holder_id,holder_email,holder_name,ask');
  });

  it('cx batch <tickets.csv>: the results CSV in input order; the summary; exit 5 when a row was refused', () => {
    const db = demoMirror();
    const dir = tempDir();
    const file = join(dir, 't.csv');
    writeFileSync(file, 'ticket_id,type,email\nB1,lookup,jane.doe@gmail.com\nB2,password_reset,tyler.brooks@yahoo.com\n');
    const piped = cx(['batch', file, '--yes'], { db });
    expect(piped.code).toBe(5);
    const lines = piped.stdout.trimEnd().split('\n');
    // The contract's columns first, in their order; what to tell the person and lookup's suggestions after them.
    expect(lines[0]).toBe('ticket_id,type,email,outcome,account_id,detail,processed_at,tell,suggestions');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 4).join(','))).toEqual(['B1,lookup,jane.doe@gmail.com,done', 'B2,password_reset,tyler.brooks@yahoo.com,refused']);
    expect(lines[2]).toMatch(/,"?this address marked a Headway email as spam on 2026-10-30, so all email to it is blocked\./);
    expect(piped.stderr).toMatch(/^Batch finished: 2 rows \(1 done, 1 refused\)\./m);
    const out = join(dir, 'r.csv');
    const summary = cx(['batch', file, '--yes', '--out', out, '--json'], { db: demoMirror() });
    expect(summary.code).toBe(5);
    expect(jsonWith(summary, ['rows', 'by_outcome', 'out'])).toMatchObject({ rows: 2, by_outcome: { done: 1, refused: 1 }, out });
  });

  it('cx audit and --verify: the log, and the chain checked (exit 6 when it is broken)', () => {
    const db = demoMirror();
    expect(cx(['reset', 'aaliyah.johnson@gmail.com', ...T], { db }).code).toBe(0);
    const log = cx(['audit', '--json'], { db });
    ok(log);
    expect(log.json().map((r: { action: string }) => r.action)).toEqual(expect.arrayContaining(['db.seed', 'reset']));
    const verified = cx(['audit', '--verify', '--json'], { db });
    ok(verified);
    expect(jsonWith(verified, ['ok', 'rows', 'first_bad_row'])).toMatchObject({ ok: true, first_bad_row: null });
    // Rewritten behind cx's back (the append-only triggers dropped first).
    const conn = openDb(db);
    for (const { name } of conn.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'").all() as Array<{ name: string }>) conn.exec(`DROP TRIGGER "${name}"`);
    conn.prepare("UPDATE audit_log SET detail = 'nothing happened' WHERE action = 'reset'").run();
    conn.close();
    const broken = cx(['audit', '--verify', '--json'], { db });
    expect(broken.code).toBe(6);
    expect(broken.json()).toMatchObject({ ok: false, first_bad_row: expect.any(Number) });
  });

  it('cx outbox: the emails actions queued', () => {
    const db = demoMirror();
    expect(cx(['reset', 'aaliyah.johnson@gmail.com', ...T], { db }).code).toBe(0);
    const r = cx(['outbox', '--json'], { db });
    ok(r);
    const [row] = r.json();
    expect(Object.keys(row)).toEqual(expect.arrayContaining(['id', 'to', 'template', 'subject', 'account_id', 'ticket', 'created_at', 'status']));
    expect(row).toMatchObject({ id: expect.any(Number), to: 'aaliyah.johnson@gmail.com', ticket: 'C-1', status: 'pending' });
  });

  it('cx retention: deactivated records and their dates, which are due', () => {
    const r = cx(['retention', '--json'], { db: demoMirror() });
    ok(r);
    const rows = r.json();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(Object.keys(row)).toEqual(expect.arrayContaining(['account_id', 'email', 'deactivated_at', 'retain_until', 'retention_rule', 'due']));
    expect(rows.find((x: { account_id: string }) => x.account_id === '1038')).toMatchObject({ due: true });
  });

  it('cx db init, seed --demo, import <dir>, doctor and doctor --strict', () => {
    const db = join(tempDir(), 'm.db');
    ok(cx(['db', 'init'], { db }));
    ok(cx(['db', 'import', DEMO], { db }));
    expect(query(db, 'SELECT count(*) AS n FROM accounts')[0].n).toBeGreaterThan(40);
    const seeded = join(tempDir(), 'seeded.db');
    ok(cx(['db', 'seed', '--demo'], { db: seeded }));
    ok(cx(['db', 'doctor'], { db: seeded }));
    const strict = cx(['db', 'doctor', '--strict', '--max-age', '1', '--min-accounts', '40', '--json'], { db: seeded });
    ok(strict);
    const body = jsonWith(strict, ['ok', 'checks']);
    expect(body.ok).toBe(true);
    expect(body.checks.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['opens', 'integrity', 'foreign_keys', 'schema', 'audit_triggers', 'audit_chain', 'policy', 'freshness', 'accounts', 'lookup_paths', 'audit_remote', 'encryption']));
    for (const c of body.checks) expect(Object.keys(c)).toEqual(['name', 'ok', 'detail']);
    // Not a SQLite file at all: exit 6 under --strict, the file untouched.
    const junk = join(tempDir(), 'junk.db');
    writeFileSync(junk, 'not a database');
    const refused = cx(['db', 'doctor', '--strict', '--json'], { db: junk });
    expect(refused.code).toBe(6);
    expect(refused.json().ok).toBe(false);
  });

  it('cx sync push and cx sync status: the run and the state, against a platform on 127.0.0.1; audit --verify asks it', async () => {
    const db = demoMirror();
    expect(cx(['reset', 'aaliyah.johnson@gmail.com', ...T], { db }).code).toBe(0);
    const status = cx(['sync', 'status', '--json'], { db, env: { CX_PLATFORM_URL: undefined, CX_PLATFORM_SECRET: undefined } });
    ok(status);
    expect(jsonWith(status, ['pending', 'delivered', 'failed', 'oldest_pending_at', 'failures', 'audit'])).toMatchObject({ pending: 1, delivered: 0, failed: 0, audit: { anchored_id: null } });
    const platform = await standIn();
    try {
      // Not spawnSync: the stand-in answers from this process.
      const pushed = await cxAsync(['sync', 'push', '--json'], { db, env: syncEnv(platform) });
      ok(pushed);
      expect(jsonWith(pushed, ['sent', 'delivered', 'failed', 'pending', 'audit'])).toMatchObject({ sent: 1, delivered: 1, failed: 0, pending: 0, audit: { anchored_id: expect.any(Number) } });
      expect(pushed.stdout + pushed.stderr).not.toContain(SECRET);
      // The platform as the audit log's witness: --verify and the strict doctor ask it for its anchor.
      const anchored = pushed.json().audit.anchored_id;
      const verified = await cxAsync(['audit', '--verify', '--json'], { db, env: syncEnv(platform) });
      ok(verified);
      expect(jsonWith(verified, ['ok', 'rows', 'first_bad_row', 'remote'])).toMatchObject({ ok: true, first_bad_row: null, remote: { status: 'matches', anchored_id: anchored } });
      const doctor = await cxAsync(['db', 'doctor', '--strict', '--json'], { db, env: syncEnv(platform) });
      ok(doctor);
      expect(doctor.json().checks).toContainEqual({ name: 'audit_remote', ok: true, detail: `row ${anchored} is the row the platform anchored` });
      // Nothing failed or waits: cx sync retry has nothing to do.
      for (const flag of ['--failed', '--waiting']) expect(jsonWith(cx(['sync', 'retry', flag, '--json'], { db }), ['outcome', 'detail'])).toMatchObject({ outcome: 'already_done' });
    } finally {
      await platform.close();
    }
  });

  it('cx desk, and cx alone: without a terminal, exit 2 and the help on stdout (exit 0)', () => {
    const desk = cx(['desk']);
    problem(desk, 2);
    expect(desk.stderr).toContain('the guided desk needs a terminal');
    const alone = cx([]);
    ok(alone);
    expect(alone.stdout).toContain('Usage: cx [options] [command]');
  });

  it('cx completion <bash|zsh|fish>: the script on stdout', () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = cx(['completion', shell]);
      ok(r);
      expect(r.stdout, shell).toMatch(/cx/);
      expect(r.stderr, shell).toBe('');
    }
  });

  it('cx config: each setting with its value and source, secrets masked', () => {
    const r = cx(['config', '--json'], { env: { CX_PLATFORM_SECRET: SECRET } });
    ok(r);
    const settings = jsonWith(r, ['settings']).settings as Array<{ name: string; value: unknown; source: string }>;
    expect(settings.map((s) => s.name)).toEqual(expect.arrayContaining(['db', 'policy', 'agent', 'tz', 'desk', 'platform_url']));
    expect(settings.find((s) => s.name === 'agent')).toMatchObject({ value: 'test-agent', source: 'env' });
    expect(r.stdout).not.toContain(SECRET.slice(6));
  });
});

describe('every read of PHI, every client it touched (issue 20), one process each', () => {
  it('cx audit is a read of PHI: an audit.read row names the accounts it showed; --verify shows none and writes none', () => {
    const db = demoMirror();
    expect(cx(['lookup', 'jane.doe@gmail.com'], { db }).code).toBe(0);
    const log = cx(['audit', '--json'], { db });
    ok(log);
    expect(log.json().map((r: { action: string }) => r.action)).toEqual(['db.seed', 'lookup']);
    const [read] = query(db, 'SELECT * FROM audit_log ORDER BY id DESC LIMIT 1');
    expect(read).toMatchObject({ action: 'audit.read', outcome: 'read', account_id: null });
    expect(read.detail).toMatch(/^the log, 2 rows: showed 3 accounts: 1001, 1003, 1002 \[account ids: 3, sha256 [0-9a-f]{64}\]$/);
    const rows = query(db, 'SELECT count(*) AS n FROM audit_log')[0].n;
    ok(cx(['audit', '--verify'], { db }));
    expect(query(db, 'SELECT count(*) AS n FROM audit_log')[0].n).toBe(rows);
  });

  it('cx audit --email <client> finds the notes export that handed over that client\'s notes', () => {
    const db = demoMirror();
    const out = join(tempDir(), 'notes.zip');
    ok(cx(['notes', 'export', 'rafael.castellanos@proton.me', ...T, '--out', out], { db }));
    const found = cx(['audit', '--email', 'jose.nunez@gmail.com', '--json'], { db });
    ok(found);
    expect(found.json().map((r: { action: string; ticket: string; account_id: string }) => [r.action, r.ticket, r.account_id])).toEqual([
      ['notes.export.started', 'C-1', 'p202'],
      ['notes.export', 'C-1', 'p202'],
    ]);
  });

  it('cx audit --email finds the 12,000th account of an outbox listing', () => {
    const db = demoMirror();
    const addresses = bulkOutbox(db, 12_000);
    const listed = cx(['outbox', '--json', '--ticket', 'BULK'], { db });
    ok(listed);
    expect(listed.json()).toHaveLength(12_000);
    const found = cx(['audit', '--email', addresses[11_999]!, '--json'], { db });
    ok(found);
    expect(found.json().map((r: { action: string; ticket: string }) => [r.action, r.ticket])).toEqual([['outbox', 'BULK']]);
  });
});

describe('exit codes, one process each (0 and 5: above)', () => {
  it('1: an unexpected internal error says it is a bug, under --json an error outcome', () => {
    const db = demoMirror();
    const conn = openDb(db);
    conn.exec("CREATE TRIGGER broken BEFORE INSERT ON audit_log WHEN NEW.action = 'reset' BEGIN SELECT RAISE(ABORT, 'simulated crash'); END");
    conn.close();
    const before = snapshot(db);
    const r = cx(['reset', 'aaliyah.johnson@gmail.com', ...T], { db });
    problem(r, 1);
    expect(r.stderr).toMatch(/this is a bug in cx: report it/);
    const json = cx(['reset', 'aaliyah.johnson@gmail.com', ...T, '--json'], { db });
    expect(json.code).toBe(1);
    expect(json.json()).toMatchObject({ outcome: 'error', account_id: null });
    expect(snapshot(db)).toEqual(before);
  });

  it('2: a usage error; a confirmation without a terminal and without --yes; --json keeps the outcome on stdout', () => {
    const db = demoMirror();
    problem(cx(['lookup', 'not an address'], { db }), 2);
    const noYes = cx(['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'C-2'], { db });
    problem(noYes, 2);
    expect(noYes.stderr).toMatch(/--yes is required/);
    const unknown = cx(['frobnicate', '--json']);
    expect(unknown.code).toBe(2);
    expect(unknown.json()).toMatchObject({ outcome: 'invalid' });
  });

  it('2: an --out file that exists, without --force: kept, nothing changed, --json says invalid', () => {
    const db = demoMirror();
    const out = join(tempDir(), 'caseload.csv');
    writeFileSync(out, 'older bytes');
    const before = snapshot(db);
    const r = cx(['offboard', 'm.okafor@brightpathcounseling.com', ...T, '--out', out], { db });
    problem(r, 2);
    expect(r.stderr).toContain(`${out} already exists and was left as it is`);
    expect(r.stderr).toContain(`\n  cx offboard m.okafor@brightpathcounseling.com --ticket C-1 --yes --out ${out} --force\n`);
    const json = cx(['offboard', 'm.okafor@brightpathcounseling.com', ...T, '--out', out, '--json'], { db });
    expect(json.code).toBe(2);
    expect(json.json()).toMatchObject({ outcome: 'invalid' });
    expect(snapshot(db)).toEqual(before);
  });

  it('3: not found', () => {
    const r = cx(['reset', 'nobody.here@example.com', ...T, '--json'], { db: demoMirror() });
    expect(r.code).toBe(3);
    expect(r.json()).toMatchObject({ outcome: 'not_found', account_id: null });
  });

  it('4: refused by a policy, the fixing command on a line of its own', () => {
    const db = demoMirror();
    const r = cx(['reset', 'priya.raman@hotmail.com', ...T], { db });
    problem(r, 4);
    expect(r.stderr).toMatch(/^ {2}cx reset priya\.raman@hotmail\.com --resubscribe --ticket C-1 --yes$/m);
    const json = cx(['reset', 'priya.raman@hotmail.com', ...T, '--json'], { db });
    expect(json.code).toBe(4);
    expect(json.json()).toMatchObject({ outcome: 'refused', account_id: '1008' });
  });

  it('7: the mirror busy past the wait, nothing changed', () => {
    const db = demoMirror();
    const before = snapshot(db);
    const holder = openDb(db);
    holder.pragma('journal_mode = WAL');
    holder.exec('BEGIN IMMEDIATE');
    try {
      const r = cx(['reset', 'jane.doe@gmail.com', ...T], { db, env: { CX_LOCK_WAIT_MS: '300' } });
      problem(r, 7);
      expect(r.stderr).toMatch(/the mirror is busy/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(snapshot(db)).toEqual(before);
  });

  it('130: Ctrl-C at a prompt, in a terminal: cancelled, nothing changed', async () => {
    const db = demoMirror();
    const before = snapshot(db);
    const r = await inTerminal(db, ['reset', 'wei.chen@gmail.com'], [[/Ticket id for this change/, '\x03']]);
    expect(r.screen).toContain('cx: cancelled, nothing changed');
    expect(r.code).toBe(130);
    expect(snapshot(db)).toEqual(before);
  });
});

describe('encryption at rest, one process each (docs/reference.md#encryption-and-keys)', () => {
  /** A place for cx's own key files, and no key in the environment: the settings an agent has. */
  const ownKeys = () => ({ CX_DB_KEY: undefined, XDG_CONFIG_HOME: tempDir('cx-config-') });

  it('cx db encrypt: a plaintext mirror encrypted in place, every row kept; again: already done', () => {
    const db = plainDemoMirror();
    const before = snapshot(db);
    const r = cx(['db', 'encrypt', '--json'], { db });
    ok(r);
    expect(jsonWith(r, ['outcome', 'detail', 'path', 'mirror_id'])).toMatchObject({ outcome: 'done', path: db, key_kept: 'CX_DB_KEY' });
    expect(examineMirrorFile(db)).toEqual({ kind: 'encrypted', id: r.json().mirror_id });
    const after = snapshot(db);
    expect({ ...after, audit_log: '' }).toEqual({ ...before, audit_log: '' });
    expect(query(db, "SELECT count(*) AS n FROM audit_log WHERE action = 'db.encrypt'")[0].n).toBe(1);
    const again = cx(['db', 'encrypt', '--json'], { db });
    ok(again);
    expect(again.json()).toMatchObject({ outcome: 'already_done' });
  });

  it('cx db rekey: a new key in the place cx keeps keys; the old one removed and no longer opening the mirror', () => {
    const env = ownKeys();
    const db = join(tempDir(), 'm.db');
    ok(cx(['db', 'seed', '--demo'], { db, env }));
    const keys = join(env.XDG_CONFIG_HOME, 'cx', 'keys');
    const [oldFile] = readdirSync(keys);
    const oldKey = readFileSync(join(keys, oldFile!), 'utf8').trim();
    const r = cx(['db', 'rekey', '--json'], { db, env });
    ok(r);
    const body = jsonWith(r, ['outcome', 'detail', 'mirror_id', 'old_mirror_id']);
    expect(body).toMatchObject({ outcome: 'done', old_key_removed: true, old_mirror_id: oldFile!.replace('.key', '') });
    expect(readdirSync(keys)).toEqual([`${body.mirror_id}.key`]);
    ok(cx(['lookup', 'jane.doe@gmail.com', '--json'], { db, env }));
    problem(cx(['lookup', 'jane.doe@gmail.com'], { db, env: { CX_DB_KEY: oldKey } }), 2);
    expect(r.stdout + r.stderr).not.toContain(oldKey);
  });

  it('2: a missing key, the fix on its own line; nothing of the mirror touched, not even its -wal', () => {
    const db = withStaleWal(demoMirror());
    const before = folderDigest(dirname(db));
    const r = cx(['lookup', 'jane.doe@gmail.com'], { db, env: ownKeys() });
    problem(r, 2);
    expect(r.stderr).toMatch(/^cx: no key for the encrypted mirror .*mirror\.db \(mirror id [0-9a-f]{32}\): CX_DB_KEY_FILE and CX_DB_KEY are not set/);
    expect(r.stderr).toMatch(/^ {2}export CX_DB_KEY_FILE=\/path\/to\/[0-9a-f]{32}\.key$/m);
    expect(folderDigest(dirname(db))).toEqual(before);
  });

  it('2: a wrong key, said as such; nothing of the mirror touched, not even its -wal; the right key finds the row', () => {
    const db = withStaleWal(demoMirror(), 'only-in-the-wal@example.com');
    const before = folderDigest(dirname(db));
    expect(Object.keys(before)).toEqual(['mirror.db', 'mirror.db-shm', 'mirror.db-wal']);
    const r = cx(['lookup', 'jane.doe@gmail.com', '--json'], { db, env: { CX_DB_KEY: OTHER_KEY } });
    expect(r.code).toBe(2);
    expect(r.json()).toMatchObject({ outcome: 'invalid', detail: expect.stringMatching(/^the key from CX_DB_KEY does not open .*: it is another mirror's key, or the mirror's first page is damaged; nothing was changed$/) });
    expect(folderDigest(dirname(db))).toEqual(before);
    expect(query(db, "SELECT count(*) AS n FROM suppressions WHERE email = 'only-in-the-wal@example.com'")[0].n).toBe(1);
  });

  it('2: a key file that is readable by others, owned by another user, or a symlink: refused with the fix, the mirror untouched', () => {
    const db = demoMirror();
    const dir = tempDir();
    const good = join(dir, 'good.key');
    writeFileSync(good, `${TEST_KEY}\n`, { mode: 0o600 });
    ok(cx(['lookup', 'jane.doe@gmail.com', '--json'], { db, env: { CX_DB_KEY: undefined, CX_DB_KEY_FILE: good } }));
    const before = folderDigest(dirname(db));
    const open = join(dir, 'open.key');
    writeFileSync(open, `${TEST_KEY}\n`, { mode: 0o644 });
    chmodSync(open, 0o644);
    const link = join(dir, 'link.key');
    symlinkSync(good, link);
    const cases: Array<[string, RegExp, RegExp]> = [[open, /its permissions 0644 are too open/, /^ {2}chmod 600 /m], [link, /it is a symbolic link/, /^ {2}ls -l /m]];
    if (process.getuid?.() === 0) {
      const foreign = join(dir, 'foreign.key');
      writeFileSync(foreign, `${TEST_KEY}\n`, { mode: 0o600 });
      chownSync(foreign, NOBODY, NOBODY);
      cases.push([foreign, new RegExp(`it is owned by user ${NOBODY}, not by you`), /^ {2}chown root .*\n {2}chmod 600 /m]);
    }
    for (const [file, why, fix] of cases) {
      const r = cx(['lookup', 'jane.doe@gmail.com'], { db, env: { CX_DB_KEY: undefined, CX_DB_KEY_FILE: file } });
      problem(r, 2);
      expect(r.stderr, file).toMatch(new RegExp(`^cx: the key file CX_DB_KEY_FILE names ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is refused: ${why.source}`));
      expect(r.stderr, file).toMatch(fix);
      expect(r.stderr).not.toContain(TEST_KEY);
    }
    expect(folderDigest(dirname(db))).toEqual(before);
  });

  it('6: a page altered on disk is an integrity failure, not read', () => {
    const db = demoMirror();
    alterPageOf(db, 'accounts');
    const r = cx(['lookup', 'jane.doe@gmail.com'], { db });
    problem(r, 6);
    expect(r.stderr).toMatch(/^cx: the mirror is damaged/);
    const doctor = cx(['db', 'doctor', '--strict', '--json'], { db });
    expect(doctor.code).toBe(6);
    expect(doctor.json().checks.find((c: { name: string }) => c.name === 'integrity')).toMatchObject({ ok: false });
  });

  it('cx db doctor --strict: the encryption check fails on a plaintext mirror unless --allow-plaintext; the warning said once', () => {
    const db = plainDemoMirror();
    const strict = cx(['db', 'doctor', '--strict', '--json'], { db });
    expect(strict.code).toBe(6);
    expect(strict.json().checks.find((c: { name: string }) => c.name === 'encryption')).toMatchObject({ ok: false });
    expect(strict.stderr.match(/warning: the mirror .* is not encrypted/g)).toHaveLength(1);
    const allowed = cx(['db', 'doctor', '--strict', '--allow-plaintext', '--json'], { db });
    ok(allowed);
    expect(allowed.json().ok).toBe(true);
    const encrypted = cx(['db', 'doctor', '--strict', '--json'], { db: demoMirror() });
    ok(encrypted);
    expect(encrypted.stderr).toBe('');
  });

  it('cx config: where the key comes from, never the key', () => {
    const r = cx(['config', '--json'], { db: demoMirror() });
    ok(r);
    const key = (r.json().settings as Array<{ name: string }>).find((s) => s.name === 'db_key');
    expect(key).toEqual({ name: 'db_key', value: '********', source: 'env', from: 'CX_DB_KEY' });
    expect(r.stdout).not.toContain(TEST_KEY);
  });
});
