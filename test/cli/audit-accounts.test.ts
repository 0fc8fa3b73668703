// Issue 20 §2: every read of PHI, every client it touched. `cx audit` is itself a read of PHI; a notes export
// names every client whose notes were in it; a read keeps every account id it showed, however many, in
// audit_accounts (indexed, append-only, bound to its row's hash by the digest its detail ends with), and
// `cx audit --email` finds the row through it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendAudit, listAudit } from '../../src/store/audit.js';
import { openMirror } from '../../src/store/db.js';
import { bulkOutbox } from '../helpers/bulk.js';
import { demoMirror, query, tempDir } from '../helpers/cx.js';
import { auditChainHolds, cxIn } from '../helpers/in-process.js';
import { openDb, TEST_KEYS } from '../helpers/sqlite.js';

const P202 = 'rafael.castellanos@proton.me';
/** p202's clients (in export order, by id) and their addresses. */
const P202_CLIENTS = ['00917', '1020', '1021', '1022', '3f6c1d2e-8a4b-4c7d-b5e9-0d1f2a3b4c5d', '9d8e7f6a-5b4c-4a3b-8c2d-1e0f9a8b7c6d'];
const JOSE = 'jose.nunez@gmail.com'; // 1020
const ZOE = 'zoe.oneil@fastmail.com'; // 1021
const LIST = (n: number) => new RegExp(` \\[account ids: ${n}, sha256 [0-9a-f]{64}\\]$`);

type Row = { id: number; action: string; ticket: string | null; account_id: string | null; outcome: string; detail: string };
const found = async (db: string, email: string): Promise<Row[]> => {
  const r = await cxIn(['audit', '--email', email, '--json'], { db });
  expect(r.code, r.stderr).toBe(0);
  return r.json();
};
const keptIds = (db: string, auditId: number): string[] =>
  query<{ account_id: string }>(db, 'SELECT account_id FROM audit_accounts WHERE audit_id = ? ORDER BY position', auditId).map((r) => r.account_id);
const lastRow = (db: string): Row => query<Row>(db, 'SELECT * FROM audit_log ORDER BY id DESC LIMIT 1')[0]!;

describe('cx audit is a read of PHI', () => {
  it('its audit.read row names every account the rows it showed are about, committed before they are shown', async () => {
    const db = demoMirror();
    expect((await cxIn(['lookup', 'jane.doe@gmail.com', '--ticket', 'A-1'], { db })).code).toBe(0); // 1001, 1003, 1002
    expect((await cxIn(['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'A-2', '--yes'], { db })).code).toBe(0); // 1032
    const shown = await cxIn(['audit', '--json'], { db });
    expect(shown.code, shown.stderr).toBe(0);
    // The rows as they were before this read: its own row is not among them.
    expect(shown.json().map((r: Row) => r.action)).toEqual(['db.seed', 'lookup', 'reset']);
    const read = lastRow(db);
    expect(read).toMatchObject({ action: 'audit.read', ticket: null, account_id: null, outcome: 'read' });
    expect(read.detail).toMatch(/^the log, 3 rows: showed 4 accounts: 1001, 1003, 1002, 1032 \[account ids: 4, sha256 [0-9a-f]{64}\]$/);
    expect(keptIds(db, read.id)).toEqual(['1001', '1003', '1002', '1032']);

    // The table people read, filtered: one row about one account, under the ticket given.
    const human = await cxIn(['audit', '--ticket', 'A-2'], { db });
    expect(human.code).toBe(0);
    expect(lastRow(db)).toMatchObject({ action: 'audit.read', ticket: 'A-2', account_id: '1032', detail: 'the log (its ticket), 1 row: showed 1 account: 1032' });

    // A search that finds nothing is a read too (the address typed is never written).
    expect((await found(db, 'nobody.here@example.com'))).toEqual([]);
    expect(lastRow(db)).toMatchObject({ action: 'audit.read', account_id: null, detail: 'the log (about an address), 0 rows: showed no account' });

    // Who saw 1032's data: the reset itself and each cx audit that listed it.
    expect((await found(db, 'aaliyah.johnson@gmail.com')).map((r) => [r.action, r.ticket])).toEqual([
      ['reset', 'A-2'], ['audit.read', null], ['audit.read', 'A-2'],
    ]);
    expect(await auditChainHolds(db)).toBe(true);
  });

  it('--verify shows no patient data (counts, row ids, hashes) and writes no row', async () => {
    const db = demoMirror();
    await cxIn(['lookup', 'jane.doe@gmail.com'], { db });
    const before = query(db, 'SELECT count(*) n FROM audit_log')[0].n;
    for (const args of [['audit', '--verify'], ['audit', '--verify', '--json']]) {
      const r = await cxIn(args, { db });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toMatch(/1001|jane/);
    }
    expect(query(db, 'SELECT count(*) n FROM audit_log')[0].n).toBe(before);
  });
});

describe('a read keeps every account id it showed, however many', () => {
  it('an outbox of 12,000 emails: the row keeps all 12,000 ids; audit --email finds the first, the 10,001st and the last', async () => {
    const db = demoMirror();
    const addresses = bulkOutbox(db, 12_000);
    const t0 = performance.now();
    const listed = await cxIn(['outbox', '--json', '--ticket', 'BULK'], { db });
    const ms = performance.now() - t0;
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.json()).toHaveLength(12_000);
    const read = lastRow(db);
    expect(read).toMatchObject({ action: 'outbox', ticket: 'BULK', account_id: null });
    expect(read.detail).toMatch(/^the outbox: showed 12,000 accounts: bulk-1, bulk-2, bulk-3, .*, bulk-10000 and 2,000 more \[account ids: 12000, sha256 [0-9a-f]{64}\]$/);
    expect(keptIds(db, read.id)).toEqual(addresses.map((_, i) => `bulk-${i + 1}`));
    for (const i of [0, 10_000, 11_999]) {
      expect((await found(db, addresses[i]!)).map((r) => [r.id, r.action, r.ticket]), addresses[i]).toContainEqual([read.id, 'outbox', 'BULK']);
    }
    // Not an id that only begins like one of them.
    expect((await found(db, 'jane.doe@gmail.com')).filter((r) => r.id === read.id)).toEqual([]);
    expect(await auditChainHolds(db)).toBe(true);
    // The listing with its audit row stays well within a second here (measured: README, "Tickets and the audit log").
    expect(ms).toBeLessThan(5_000);
  });

  it('audit --email searches audit_accounts through its indexes: the first 1,000 ids of a row by account, the rest of a long list by its row', () => {
    const db = openMirror(demoMirror(), { keys: TEST_KEYS });
    const prepare = db.prepare.bind(db);
    const seen: string[] = [];
    db.prepare = ((text: string) => {
      seen.push(text);
      return prepare(text);
    }) as typeof db.prepare;
    listAudit(db, { accountIds: ['1001'], limit: 200 });
    delete (db as Partial<typeof db>).prepare;
    const search = seen.find((t) => t.includes('audit_accounts'))!;
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${search}`).all({ accounts: '["1001"]', listsFrom: 1 }) as Array<{ detail: string }>).map((r) => r.detail);
    db.close();
    expect(plan).toContain('SEARCH audit_accounts USING COVERING INDEX audit_accounts_by_account (account_id=?)');
    expect(plan).toContain('SCAN long USING COVERING INDEX audit_accounts_long');
    expect(plan).toContain('SEARCH tail USING PRIMARY KEY (audit_id=? AND position>?)');
    expect(plan.filter((l) => /^SCAN (audit_log|audit_accounts)\b/.test(l))).toEqual([]);
  });
});

describe('a notes export names every client whose notes were in it', () => {
  it('cx notes export: the started and the completing row keep every client; audit --email <client> finds both', async () => {
    const db = demoMirror();
    const out = join(tempDir(), 'n.zip');
    const r = await cxIn(['notes', 'export', P202, '--ticket', 'N-1', '--yes', '--out', out], { db });
    expect(r.code, r.stderr).toBe(0);
    const rows = query<Row>(db, "SELECT * FROM audit_log WHERE action LIKE 'notes.export%' ORDER BY id");
    expect(rows.map((x) => [x.action, x.account_id])).toEqual([['notes.export.started', 'p202'], ['notes.export', 'p202']]);
    for (const row of rows) {
      expect(row.detail).toMatch(LIST(6));
      expect(keptIds(db, row.id)).toEqual(P202_CLIENTS);
    }
    for (const email of [JOSE, ZOE]) {
      expect((await found(db, email)).filter((x) => x.ticket === 'N-1').map((x) => x.action), email).toEqual(['notes.export.started', 'notes.export']);
    }
    expect(await auditChainHolds(db)).toBe(true);
  });

  it('--client: the one client alone; another client of the provider is not named', async () => {
    const db = demoMirror();
    const r = await cxIn(['notes', 'export', P202, '--client', ZOE, '--ticket', 'N-2', '--yes', '--out', join(tempDir(), 'z.zip')], { db });
    expect(r.code, r.stderr).toBe(0);
    expect((await found(db, ZOE)).filter((x) => x.ticket === 'N-2').map((x) => x.action)).toEqual(['notes.export.started', 'notes.export']);
    expect((await found(db, JOSE)).filter((x) => x.ticket === 'N-2')).toEqual([]);
  });

  it('a dry run: its read row names the clients whose notes it counted (and --json lists them)', async () => {
    const db = demoMirror();
    const r = await cxIn(['notes', 'export', P202, '--dry-run', '--ticket', 'N-3', '--out', join(tempDir(), 'd.zip'), '--json'], { db });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ outcome: 'planned', notes: 47, client_ids: P202_CLIENTS });
    const read = lastRow(db);
    expect(read).toMatchObject({ action: 'notes.export.read', ticket: 'N-3', account_id: null });
    expect(keptIds(db, read.id)).toEqual(['p202', ...P202_CLIENTS]);
    expect((await found(db, JOSE)).map((x) => [x.action, x.ticket])).toEqual([['notes.export.read', 'N-3']]);
  });

  it('batch notes_export rows, real and dry run, name the clients too', async () => {
    const db = demoMirror();
    const file = join(tempDir(), 't.csv');
    writeFileSync(file, `ticket_id,type,email,client_email\nNB-1,notes_export,${P202},\nNB-2,notes_export,${P202},${ZOE}\n`);
    const dry = await cxIn(['batch', file, '--dry-run'], { db });
    expect(dry.code, dry.stderr).toBe(0);
    const dryRead = lastRow(db);
    expect(dryRead).toMatchObject({ action: 'batch.read', outcome: 'read' });
    expect(keptIds(db, dryRead.id)).toEqual(['p202', ...P202_CLIENTS]);
    const real = await cxIn(['batch', file, '--yes', '--notes-dir', tempDir()], { db });
    expect(real.code, real.stderr).toBe(0);
    expect((await found(db, JOSE)).map((x) => [x.action, x.ticket])).toEqual([
      ['batch.read', null], ['notes.export.started', 'NB-1'], ['notes.export', 'NB-1'],
    ]);
    expect((await found(db, ZOE)).map((x) => [x.action, x.ticket])).toEqual([
      ['batch.read', null], ['notes.export.started', 'NB-1'], ['notes.export', 'NB-1'], ['notes.export.started', 'NB-2'], ['notes.export', 'NB-2'],
      ['audit.read', null], // the search for José's rows showed rows about Zoë too
    ]);
    expect(await auditChainHolds(db)).toBe(true);
  });
});

describe('the ids kept with a row are covered by the audit chain', () => {
  /** A mirror with one read of three accounts (1001, 1003, 1002) and the triggers of audit_accounts gone. */
  async function tampered(edit: string): Promise<{ db: string; readId: number }> {
    const db = demoMirror();
    await cxIn(['lookup', 'jane.doe@gmail.com'], { db });
    const readId = lastRow(db).id;
    const conn = openDb(db);
    conn.exec('DROP TRIGGER audit_accounts_no_update; DROP TRIGGER audit_accounts_no_delete');
    conn.prepare(edit).run({ id: readId });
    conn.close();
    return { db, readId };
  }

  it('refuses UPDATE and DELETE on audit_accounts inside SQLite', async () => {
    const db = demoMirror();
    await cxIn(['lookup', 'jane.doe@gmail.com'], { db });
    const conn = openDb(db);
    expect(() => conn.prepare("UPDATE audit_accounts SET account_id = 'x'").run()).toThrow(/append-only/);
    expect(() => conn.prepare('DELETE FROM audit_accounts').run()).toThrow(/append-only/);
    conn.close();
  });

  it.each([
    ['an id taken out', 'DELETE FROM audit_accounts WHERE audit_id = @id AND position = 1'],
    ['an id changed', "UPDATE audit_accounts SET account_id = '1004' WHERE audit_id = @id AND position = 2"],
    ['an id added', "INSERT INTO audit_accounts (audit_id, position, account_id) VALUES (@id, 3, '1004')"],
    ['ids added to a row that kept none', "INSERT INTO audit_accounts (audit_id, position, account_id) VALUES (1, 0, '1004')"],
  ])('--verify names the row whose ids were edited behind its back: %s (exit 6)', async (_what, edit) => {
    const { db, readId } = await tampered(edit);
    const bad = edit.includes('(1, 0') ? 1 : readId;
    const r = await cxIn(['audit', '--verify', '--json'], { db });
    expect(r.code).toBe(6);
    expect(r.json()).toMatchObject({ ok: false, first_bad_row: bad });
    const human = await cxIn(['audit', '--verify'], { db });
    expect(human.stderr).toMatch(new RegExp(`^cx: audit log: the chain is BROKEN at row ${bad} \\(of \\d+\\): the account ids kept with it were altered`));
    const doctor = await cxIn(['db', 'doctor', '--strict', '--json'], { db });
    expect(doctor.code).toBe(6);
    expect(doctor.json().checks.find((c: { name: string }) => c.name === 'audit_chain')).toMatchObject({ ok: false });
  });

  it('a detail that only ends like a list of ids (text an agent typed) is not taken for one', async () => {
    const db = demoMirror();
    const conn = openMirror(db, { keys: TEST_KEYS });
    const fake = `a path ending [account ids: 1, sha256 ${'a'.repeat(64)}]`;
    const row = conn.transaction(() => appendAudit(conn, { agent: 'x', action: 'test', ticket: null, account_id: null, outcome: 'done', detail: fake }, new Date()))();
    conn.close();
    expect(row.detail.startsWith(fake)).toBe(true);
    expect(row.detail).not.toMatch(LIST(1));
    expect(await auditChainHolds(db)).toBe(true);
  });

  it("the doctor's audit_triggers check fails when a trigger of audit_accounts is gone", async () => {
    const db = demoMirror();
    const conn = openDb(db);
    conn.exec('DROP TRIGGER audit_accounts_no_delete');
    conn.close();
    const r = await cxIn(['db', 'doctor', '--strict', '--json'], { db });
    expect(r.code).toBe(6);
    expect(r.json().checks.find((c: { name: string }) => c.name === 'audit_triggers')).toMatchObject({ ok: false, detail: expect.stringContaining('DELETE on audit_accounts') });
  });
});
