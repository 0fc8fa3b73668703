// Imports and cx's own changes (issue 11, "Imports keep the mirror honest";
// docs/reference.md#imports-and-cxs-own-changes). A client deactivated, a provider offboarded and an address
// resubscribed with real cx commands; the demo re-imported (the platform's export still holds the old values)
// before the changes are delivered, and after. Delivering is `cx sync push`, built by another helper: here a
// change is marked delivered directly in SQL, as a push that reached the platform leaves it.
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO, demoMirror, NOW, query, tempDir, type CxResult } from '../helpers/cx.js';
import { auditChainHolds, cxIn } from '../helpers/in-process.js';
import { editExport } from '../helpers/world.js';
import { openDb } from '../helpers/sqlite.js';

const CLIENT = { id: '1030', email: 'hannah.schafer@gmail.com' };
const PROVIDER = { id: 'p201', email: 'm.okafor@brightpathcounseling.com' };
/** p204's address, on the suppression list (unsubscribe) in the demo. */
const SUBSCRIBER = { id: 'p204', email: 'k.asante@mindfulroots.org' };
/** An address no account uses, on the list too. */
const STRANGER = 'old.newsletter@example.com';

interface AccountRow {
  status: string;
  deactivated_at: string | null;
  retain_until: string | null;
  retention_rule: string | null;
  contract_ends_at: string | null;
}

const account = (db: string, id: string): AccountRow =>
  query<AccountRow>(db, 'SELECT status, deactivated_at, retain_until, retention_rule, contract_ends_at FROM accounts WHERE id = ?', id)[0]!;
const suppressed = (db: string, email: string): boolean => query(db, 'SELECT 1 FROM suppressions WHERE email_key = ?', email).length === 1;
const conflictRows = (db: string) => query(db, "SELECT account_id, outcome, detail FROM audit_log WHERE action = 'db.import.conflict' ORDER BY id");

/** cx in this process, on the clock pinned at `now` (NOW unless given): it must succeed. */
async function ok(args: string[], db: string, now?: string): Promise<CxResult> {
  const r = await cxIn(args, { db, now });
  expect(r.code, r.stderr).toBe(0);
  return r;
}

/** The demo export as a folder a test may edit, with the stranger's suppression that `mirrorWithChanges` lifts. */
function platformExport(): string {
  const dir = join(tempDir(), 'export');
  cpSync(DEMO, dir, { recursive: true });
  rmSync(join(dir, 'tickets'), { recursive: true });
  editExport(dir, 'suppressions.csv', (row, i) => (i === 0 ? [row, { email: STRANGER, reason: 'unsubscribe', created_at: '2026-01-05T10:00:00Z' }] : row));
  return dir;
}

const templates = new Map<string, string>();

/**
 * The demo mirror with the platform's export, then changes made with cx commands (all pending); what
 * they set. Made once per kind of offboarding, then copied for each test.
 */
async function mirrorWithChanges(offboard: string[] = []): Promise<{ db: string; dir: string; client: AccountRow; provider: AccountRow }> {
  const dir = platformExport();
  let template = templates.get(offboard.join(' '));
  if (!template) {
    template = demoMirror();
    await ok(['db', 'import', dir], template);
    await ok(['deactivate', CLIENT.email, '--ticket', 'T-1', '--yes'], template);
    await ok(['offboard', PROVIDER.email, ...offboard, '--ticket', 'T-2', '--yes'], template);
    await ok(['resubscribe', SUBSCRIBER.email, '--ticket', 'T-3', '--yes'], template);
    await ok(['resubscribe', STRANGER, '--ticket', 'T-4', '--yes'], template);
    templates.set(offboard.join(' '), template);
  }
  const db = join(tempDir(), 'mirror.db');
  const src = openDb(template, { readonly: true });
  src.exec(`VACUUM INTO '${db.replace(/'/g, "''")}'`);
  src.close();
  return { db, dir, client: account(db, CLIENT.id), provider: account(db, PROVIDER.id) };
}

/** What `cx sync push` leaves when the platform accepted a change (or refused it: 'failed'). */
function markChanges(db: string, state: 'delivered' | 'failed', kinds = ['deactivate_client', 'terminate_provider', 'lift_suppression']): void {
  const conn = openDb(db);
  const at = state === 'delivered' ? NOW : null;
  conn.prepare(`UPDATE changes SET state = ?, delivered_at = ? WHERE kind IN (SELECT value FROM json_each(?))`).run(state, at, JSON.stringify(kinds));
  conn.close();
}

const importJson = async (db: string, dir: string, now?: string) => (await ok(['db', 'import', dir, '--json'], db, now)).json();

/**
 * The day after the changes. A termination is checked from the day after its effective date (an export
 * made on that day may predate it); p201 is terminated effective the day of the change.
 */
const NEXT_DAY = '2026-11-28T09:00:00.000Z';

const ALL_KEPT = [
  { account_id: CLIENT.id, field: 'status' },
  { account_id: PROVIDER.id, field: 'status' },
  { account_id: SUBSCRIBER.id, field: 'suppression', email: SUBSCRIBER.email },
  { account_id: null, field: 'suppression', email: STRANGER },
];

describe('before the changes are delivered, an import keeps what cx set', () => {
  it('the issue: a deactivated client stays deactivated, is listed by cx retention, and cx reset refuses', async () => {
    const { db, dir, client, provider } = await mirrorWithChanges();
    const report = await importJson(db, dir);
    expect(client).toMatchObject({ status: 'deactivated', deactivated_at: '2026-11-27' });
    expect(account(db, CLIENT.id)).toEqual(client);
    expect(account(db, PROVIDER.id)).toEqual(provider);
    expect(provider).toMatchObject({ status: 'terminated', contract_ends_at: '2026-11-27' });
    expect(suppressed(db, SUBSCRIBER.email)).toBe(false);
    expect(suppressed(db, STRANGER)).toBe(false);
    expect(report.kept).toEqual(ALL_KEPT);
    expect(report.conflicts).toEqual([]);

    const retention = (await ok(['retention', '--json'], db)).json() as Array<{ account_id: string; retain_until: string }>;
    expect(retention.find((r) => r.account_id === CLIENT.id)).toMatchObject({ retain_until: client.retain_until });
    const changes = query(db, 'SELECT count(*) AS n FROM changes')[0].n;
    const reset = await cxIn(['reset', CLIENT.email, '--ticket', 'T-5', '--yes', '--json'], { db });
    expect(reset.code).toBe(4);
    expect(reset.json().detail).toMatch(/deactivated/);
    expect(query(db, 'SELECT count(*) AS n FROM changes')[0].n).toBe(changes);
    expect(query(db, 'SELECT count(*) AS n FROM changes WHERE reconciled_at IS NOT NULL')[0].n).toBe(0);
    expect(conflictRows(db)).toEqual([]);
    expect(await auditChainHolds(db)).toBe(true);
  });

  // Piped, the import's table is alone on stdout; its summary lines go to stderr (src/render/messages.ts).
  it('a change the platform refused (failed) is kept too; the human summary says how many', async () => {
    const { db, dir, client } = await mirrorWithChanges();
    markChanges(db, 'failed', ['deactivate_client']);
    // The person unsubscribed again after cx lifted the address: a new suppression, not the one cx lifted.
    editExport(dir, 'suppressions.csv', (row) => (row.email === SUBSCRIBER.email ? { ...row, created_at: '2026-11-27T15:00:00Z' } : row));
    const r = await ok(['db', 'import', dir], db);
    expect(r.stderr).toMatch(/3 kept .*not delivered/);
    expect(r.stderr).toMatch(/0 conflicts/);
    expect(account(db, CLIENT.id)).toEqual(client);
    expect(suppressed(db, SUBSCRIBER.email)).toBe(true);
    const audit = query(db, "SELECT detail FROM audit_log WHERE action = 'db.import' ORDER BY id DESC LIMIT 1")[0].detail;
    expect(audit).toMatch(/3 values cx set kept/);
  });

  it('--dry-run says what would be kept and writes nothing', async () => {
    const { db, dir } = await mirrorWithChanges();
    const before = query(db, 'SELECT count(*) AS n FROM audit_log')[0].n;
    const report = (await ok(['db', 'import', dir, '--dry-run', '--json'], db)).json();
    expect(report.kept).toEqual(ALL_KEPT);
    expect(report.files.find((f: { file: string }) => f.file === 'accounts.csv').changed).toBe(0);
    expect(report.files.find((f: { file: string }) => f.file === 'suppressions.csv').changed).toBe(0);
    expect(query(db, 'SELECT count(*) AS n FROM audit_log')[0].n).toBe(before);
  });
});

describe('once the changes are delivered, the platform decides', () => {
  it('where it disagrees: its value wins, each conflict is reported and audited once', async () => {
    const { db, dir, client } = await mirrorWithChanges();
    markChanges(db, 'delivered');
    const dry = (await ok(['db', 'import', dir, '--dry-run', '--json'], db, NEXT_DAY)).json();
    expect(dry.conflicts).toHaveLength(4);
    expect(conflictRows(db)).toEqual([]);

    const report = await importJson(db, dir, NEXT_DAY);
    expect(report.kept).toEqual([]);
    expect(report.conflicts).toEqual([
      { account_id: CLIENT.id, field: 'status', cx: 'deactivated', platform: 'active' },
      { account_id: PROVIDER.id, field: 'status', cx: 'terminated', platform: 'active' },
      { account_id: SUBSCRIBER.id, field: 'suppression', email: SUBSCRIBER.email, cx: null, platform: 'unsubscribe' },
      { account_id: null, field: 'suppression', email: STRANGER, cx: null, platform: 'unsubscribe' },
    ]);
    // The platform reactivated them: what cx recorded about leaving no longer describes the account.
    expect(account(db, CLIENT.id)).toEqual({ status: 'active', deactivated_at: null, retain_until: null, retention_rule: null, contract_ends_at: null });
    expect(account(db, PROVIDER.id)).toMatchObject({ status: 'active', contract_ends_at: null });
    expect(suppressed(db, SUBSCRIBER.email) && suppressed(db, STRANGER)).toBe(true);
    const audited = conflictRows(db);
    expect(audited.map((a) => a.account_id)).toEqual([CLIENT.id, PROVIDER.id, SUBSCRIBER.id, null]);
    expect(audited[0]).toMatchObject({ outcome: 'conflict' });
    expect(audited[0].detail).toContain(`status: cx set deactivated (ticket T-1`);
    expect(audited[0].detail).toContain(`records kept until ${client.retain_until}`);
    expect(audited[0].detail).toMatch(/the platform has active/);
    expect(query(db, 'SELECT count(*) AS n FROM changes WHERE kind <> ? AND reconciled_at IS NULL', 'email')[0].n).toBe(0);

    const again = await ok(['db', 'import', dir], db, NEXT_DAY);
    expect(again.stderr).toMatch(/0 kept/);
    expect(again.stderr).toMatch(/0 conflicts/);
    expect(conflictRows(db)).toHaveLength(4);
    expect(await auditChainHolds(db)).toBe(true);

    // Deactivated again after the platform reversed it: a new pending change, kept again.
    await ok(['deactivate', CLIENT.email, '--ticket', 'T-6', '--yes'], db);
    expect((await importJson(db, dir, NEXT_DAY)).kept).toEqual([{ account_id: CLIENT.id, field: 'status' }]);
    expect(account(db, CLIENT.id).status).toBe('deactivated');
  });

  it('where it agrees: nothing is reported, the changes are reconciled and cx dates stay', async () => {
    const { db, dir, client, provider } = await mirrorWithChanges();
    markChanges(db, 'delivered');
    editExport(dir, 'accounts.csv', (row) =>
      row.id === CLIENT.id ? { ...row, status: 'deactivated' } : row.id === PROVIDER.id ? { ...row, status: 'terminated' } : row,
    );
    editExport(dir, 'suppressions.csv', (row) => (row.email === SUBSCRIBER.email || row.email === STRANGER ? false : row));
    const r = await ok(['db', 'import', dir], db);
    expect(r.stderr).toMatch(/0 kept/);
    expect(r.stderr).toMatch(/0 conflicts/);
    expect(account(db, CLIENT.id)).toEqual(client);
    expect(account(db, PROVIDER.id)).toEqual(provider);
    expect(conflictRows(db)).toEqual([]);
    expect(query(db, "SELECT count(*) AS n FROM changes WHERE kind <> 'email' AND reconciled_at IS NULL")[0].n).toBe(0);
  });

  it('an export without the file or the account says nothing about the change: it waits for one that has', async () => {
    const { db, dir } = await mirrorWithChanges();
    markChanges(db, 'delivered');
    rmSync(join(dir, 'suppressions.csv'));
    editExport(dir, 'accounts.csv', (row) => (row.id === CLIENT.id ? false : row));
    const report = await importJson(db, dir, NEXT_DAY);
    expect(report.conflicts).toEqual([{ account_id: PROVIDER.id, field: 'status', cx: 'terminated', platform: 'active' }]);
    const open = query(db, "SELECT kind FROM changes WHERE kind <> 'email' AND reconciled_at IS NULL ORDER BY id");
    expect(open.map((c) => c.kind)).toEqual(['deactivate_client', 'lift_suppression', 'lift_suppression']);
  });
});

describe('a termination with a future effective date', () => {
  it('keeps its date while pending; once delivered the provider stays active until the date, then a still active one is a conflict', async () => {
    const { db, dir, provider } = await mirrorWithChanges(['--effective', '2026-12-31']);
    expect(provider.contract_ends_at).toBe('2026-12-31');
    const pending = await importJson(db, dir);
    // Whatever status cx gave the provider until the date (terminated now, or active until then) stays.
    expect(account(db, PROVIDER.id)).toEqual(provider);
    expect(pending.kept.some((k: { account_id: string }) => k.account_id === PROVIDER.id)).toBe(provider.status !== 'active');

    // Past the date and still pending: the termination cx recorded has taken effect.
    const later = '2027-01-04T09:00:00.000Z';
    expect((await importJson(db, dir, later)).kept).toContainEqual({ account_id: PROVIDER.id, field: 'status' });
    expect(account(db, PROVIDER.id)).toMatchObject({ status: 'terminated', contract_ends_at: '2026-12-31' });

    markChanges(db, 'delivered', ['terminate_provider']);
    // Delivered, before the date: the platform keeps the provider active until then, as cx asked.
    const before = await importJson(db, dir);
    expect(before.conflicts).toEqual([]);
    expect(account(db, PROVIDER.id)).toMatchObject({ status: 'active', contract_ends_at: '2026-12-31' });
    expect(query(db, "SELECT reconciled_at FROM changes WHERE kind = 'terminate_provider'")[0].reconciled_at).toBeNull();

    // After the date the platform still has them active: it reversed the termination.
    const after = await importJson(db, dir, later);
    expect(after.conflicts).toEqual([{ account_id: PROVIDER.id, field: 'status', cx: 'terminated', platform: 'active' }]);
    expect(account(db, PROVIDER.id)).toMatchObject({ status: 'active', contract_ends_at: null });
    expect((await importJson(db, dir, later)).conflicts).toEqual([]);
  });
});

describe('the time of the last import', () => {
  it('is recorded by db seed and db import, not by a dry run', async () => {
    const db = demoMirror();
    const at = () => query(db, "SELECT value FROM mirror_meta WHERE key = 'last_import_at'")[0]?.value;
    expect(at()).toBe(NOW);
    const later = '2026-11-28T06:30:00.000Z';
    await ok(['db', 'import', DEMO, '--dry-run'], db, later);
    expect(at()).toBe(NOW);
    await ok(['db', 'import', DEMO], db, later);
    expect(at()).toBe(later);
  });
});
