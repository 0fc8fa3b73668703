// The reset and resubscribe actions on a real temporary SQLite file, called as `cx batch` calls them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionDeps } from '../../src/actions/common.js';
import { resetPassword } from '../../src/actions/reset.js';
import { resubscribe } from '../../src/actions/resubscribe.js';
import { loadDispatch } from '../../src/batch/dispatch.js';
import type { TicketRow } from '../../src/batch/input.js';
import { DEFAULT_EMAIL_SETTINGS, emailSettingsFromEnv } from '../../src/config/email.js';
import { DEFAULT_POLICY } from '../../src/rules/policy.js';
import { openMirror, sql, writeTransaction, type Db } from '../../src/store/db.js';
import { enqueueEmail, listOutbox } from '../../src/store/outbox.js';
import { changeKey } from '../../src/rules/change-key.js';
import { demoMirror, NOW, snapshot } from '../helpers/cx.js';
import { TEST_KEYS } from '../helpers/sqlite.js';

const at = (offsetSeconds: number) => new Date(new Date(NOW).getTime() + offsetSeconds * 1000);
const settings = { brand: 'Headway', resetWindowMinutes: 1 };

describe('resetPassword (action)', () => {
  let path: string;
  let db: Db;
  const deps = (over: Partial<ActionDeps> = {}): ActionDeps => ({ db, now: at(0), agent: 'tester', ticket: 'T-1', desk: 'cx', dryRun: false, via: 'batch', ...over });
  const auditRows = () => sql(db, "SELECT action, ticket, account_id, outcome FROM audit_log WHERE action <> 'db.seed' ORDER BY id").all();

  beforeEach(() => {
    path = demoMirror();
    db = openMirror(path, { keys: TEST_KEYS });
  });
  afterEach(() => db.close());

  it('under dryRun decides as for real and writes nothing', () => {
    const before = snapshot(path);
    const r = resetPassword(deps({ dryRun: true, ticket: '' }), { email: 'priya.raman@hotmail.com', resubscribe: true, settings });
    expect(r).toMatchObject({ outcome: 'planned', account_id: '1008', template: 'client_password_reset', resubscribed: true });
    expect(snapshot(path)).toEqual(before);
  });

  it('queues once while unsent, and once per window once sent; a new one after the window is a deliberate repeat: the next n, a new key', () => {
    expect(resetPassword(deps(), { email: 'wei.chen@gmail.com', settings }).outcome).toBe('done');
    expect(resetPassword(deps({ now: at(59) }), { email: 'wei.chen@gmail.com', settings })).toMatchObject({ outcome: 'already_done', outbox_id: 1 });
    // Not sent yet: a second would go out beside it at the same push, however long ago the first was queued.
    expect(resetPassword(deps({ now: at(600) }), { email: 'wei.chen@gmail.com', settings })).toMatchObject({ outcome: 'already_done', outbox_id: 1, email_status: 'pending' });
    sql(db, "UPDATE changes SET state = 'delivered', delivered_at = created_at").run();
    expect(resetPassword(deps({ now: at(59) }), { email: 'wei.chen@gmail.com', settings })).toMatchObject({ outcome: 'already_done', outbox_id: 1, email_status: 'delivered' });
    expect(resetPassword(deps({ now: at(61) }), { email: 'wei.chen@gmail.com', settings }).outcome).toBe('done');
    const rows = sql(db, 'SELECT key, n FROM changes ORDER BY id').all() as Array<{ key: string; n: number }>;
    const wei = 'b4c5d6e7-f8a9-4b0c-8d1e-2f3a4b5c6d7e';
    expect(rows).toEqual([
      { n: 1, key: changeKey({ desk: 'cx', ticket: 'T-1', action: 'password_reset', accountId: wei, kind: 'email', n: 1 }) },
      { n: 2, key: changeKey({ desk: 'cx', ticket: 'T-1', action: 'password_reset', accountId: wei, kind: 'email', n: 2 }) },
    ]);
    expect(rows[0]!.key).toMatch(/^[0-9a-f]{64}$/);
    expect(auditRows()).toHaveLength(2);
  });

  it('two agents on two mirrors processing the same ticket make the same key; another desk another', () => {
    const other = openMirror(demoMirror(), { keys: TEST_KEYS });
    try {
      resetPassword(deps({ agent: 'someone else' }), { email: 'wei.chen@gmail.com', settings });
      resetPassword({ ...deps({ agent: 'me', now: at(30) }), db: other }, { email: 'Wei.Chen@gmail.com', settings });
      resetPassword({ ...deps({ desk: 'zendesk' }), db: other }, { email: 'jane.doe@gmail.com', settings });
      const keyOf = (d: Db) => sql(d, 'SELECT key FROM changes ORDER BY id').all() as Array<{ key: string }>;
      expect(keyOf(other)[0]).toEqual(keyOf(db)[0]);
      expect(keyOf(other)[1]!.key).toBe(changeKey({ desk: 'zendesk', ticket: 'T-1', action: 'password_reset', accountId: '1001', kind: 'email', n: 1 }));
    } finally {
      other.close();
    }
  });

  it('a failed email does not count as already sent', () => {
    expect(resetPassword(deps(), { email: 'wei.chen@gmail.com', settings }).outcome).toBe('done');
    sql(db, "UPDATE changes SET state = 'failed'").run();
    expect(resetPassword(deps({ now: at(5) }), { email: 'wei.chen@gmail.com', settings }).outcome).toBe('done');
    expect(listOutbox(db).map((r) => r.status)).toEqual(['failed', 'pending']);
  });

  it("inside a batch's transaction it is a savepoint: a repeat row is already_done, and a rollback undoes all", () => {
    const before = snapshot(path);
    expect(() =>
      writeTransaction(db, () => {
        expect(resetPassword(deps(), { email: 'wei.chen@gmail.com', settings }).outcome).toBe('done');
        expect(resetPassword(deps({ ticket: 'T-2' }), { email: 'wei.chen@gmail.com', settings }).outcome).toBe('already_done');
        expect(resetPassword(deps({ ticket: 'T-3' }), { email: 'tyler.brooks@yahoo.com', settings }).outcome).toBe('refused');
        expect(listOutbox(db)).toHaveLength(1);
        throw new Error('batch aborted');
      }),
    ).toThrow('batch aborted');
    expect(snapshot(path)).toEqual(before);
  });

  it("a batch row gets the run's brand: the dispatch hands the settings down (the actions read no environment)", async () => {
    const row: TicketRow = { line: 2, ticketId: 'T-1', rawType: 'password_reset', type: 'password_reset', email: 'm.okafor@brightpathcounseling.com', fields: {}, problem: null };
    const run = { notesDir: '', policy: DEFAULT_POLICY, email: { brand: 'Lighthouse', resetWindowMinutes: 15 } };
    const { password_reset: passwordReset } = await loadDispatch(['password_reset']);
    expect(await passwordReset!(deps({ dryRun: true }), row, run)).toMatchObject({ subject: 'Please Verify Your Lighthouse Account' });
    const saved = process.env.CX_BRAND;
    process.env.CX_BRAND = 'Elsewhere';
    try {
      expect(resetPassword(deps({ dryRun: true }), { email: 'm.okafor@brightpathcounseling.com', settings })).toMatchObject({ subject: 'Please Verify Your Headway Account' });
    } finally {
      if (saved === undefined) delete process.env.CX_BRAND;
      else process.env.CX_BRAND = saved;
    }
  });

  it('resubscribe: --force needs a reason; an unsubscribe is lifted with an audit row', () => {
    expect(resubscribe(deps(), { email: 'grace.whitaker@aol.com', force: true, settings })).toMatchObject({ outcome: 'invalid' });
    expect(resubscribe(deps(), { email: 'grace.whitaker@aol.com', settings })).toMatchObject({ outcome: 'refused', account_id: '1009' });
    expect(resubscribe(deps(), { email: 'priya.raman@hotmail.com', reason: 'asked on the phone', settings })).toMatchObject({ outcome: 'done' });
    expect(auditRows()).toEqual([{ action: 'resubscribe', ticket: 'T-1', account_id: '1008', outcome: 'done' }]);
    expect(resubscribe(deps(), { email: 'priya.raman@hotmail.com', settings }).outcome).toBe('already_done');
  });
});

describe('enqueueEmail (the store call cx deactivate uses)', () => {
  it('records a pending email change with its data, numbered within its ticket', () => {
    const db = openMirror(demoMirror(), { keys: TEST_KEYS });
    try {
      const email = { to: 'jane.doe@gmail.com', template: 'deactivation_next_steps', subject: 's', accountId: '1001', desk: 'cx', ticket: 'T-9', action: 'deactivate_client', agent: 'a', now: at(0) };
      const first = writeTransaction(db, () => enqueueEmail(db, email));
      const second = writeTransaction(db, () => enqueueEmail(db, { ...email, now: at(60) }));
      expect(first).toMatchObject({ to: 'jane.doe@gmail.com', status: 'pending', created_at: at(0).toISOString(), subject: 's' });
      expect(second.id).toBeGreaterThan(first.id);
      expect(sql(db, 'SELECT n, kind, data FROM changes ORDER BY id').all()).toEqual([
        { n: 1, kind: 'email', data: '{"template":"deactivation_next_steps","to":"jane.doe@gmail.com","subject":"s"}' },
        { n: 2, kind: 'email', data: '{"template":"deactivation_next_steps","to":"jane.doe@gmail.com","subject":"s"}' },
      ]);
    } finally {
      db.close();
    }
  });
});

describe('emailSettingsFromEnv', () => {
  it('defaults to Headway and 15 minutes; unset and empty are the same', () => {
    expect(emailSettingsFromEnv({})).toEqual(DEFAULT_EMAIL_SETTINGS);
    expect(emailSettingsFromEnv({ CX_BRAND: '  ', CX_RESET_WINDOW_MINUTES: '' })).toEqual({ brand: 'Headway', resetWindowMinutes: 15 });
    expect(emailSettingsFromEnv({ CX_BRAND: ' Lighthouse ', CX_RESET_WINDOW_MINUTES: '30' })).toEqual({ brand: 'Lighthouse', resetWindowMinutes: 30 });
  });

  it.each(['0', '-1', '2.5', '1e3', 'fifteen', '1441'])('CX_RESET_WINDOW_MINUTES=%s is a usage error', (bad) => {
    expect(() => emailSettingsFromEnv({ CX_RESET_WINDOW_MINUTES: bad })).toThrow(expect.objectContaining({ exitCode: 2 }));
  });

  it('refuses a brand that could break a subject line', () => {
    expect(() => emailSettingsFromEnv({ CX_BRAND: 'Head\r\nBcc: x@evil.com' })).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(() => emailSettingsFromEnv({ CX_BRAND: 'x'.repeat(41) })).toThrow(/longer than 40/);
  });
});
