// The batch runner on a real SQLite file, with stand-in actions: the outcomes that the actions merged on
// this branch cannot produce yet (refused, error, async, an action's own audit row) are checked here.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { audit, recordChangeFor, result, type ActionDeps } from '../../src/actions/common.js';
import { DISPATCH, type DispatchTable, type TicketAction } from '../../src/batch/dispatch.js';
import { parseTickets } from '../../src/batch/input.js';
import { checkRows } from '../../src/batch/plan.js';
import type { ResultRow } from '../../src/batch/results.js';
import { BatchStoppedError, runBatch, type RunOptions } from '../../src/batch/run.js';
import { DEFAULT_EMAIL_SETTINGS } from '../../src/config/email.js';
import { DEFAULT_POLICY } from '../../src/rules/policy.js';
import { openMirror, writeTransaction, type Db } from '../../src/store/db.js';
import { CancelledError } from '../../src/errors.js';
import { cancellable } from '../../src/files/cancellation.js';
import { tempDir } from '../helpers/cx.js';
import { TEST_KEYS, openDb } from '../helpers/sqlite.js';

const NOW = new Date('2026-11-27T12:00:00.000Z');
let open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

function mirror(): { db: Db; path: string } {
  const path = join(tempDir(), 'm.db');
  const db = openMirror(path, { keys: TEST_KEYS, create: true });
  open.push(db);
  return { db, path };
}

/** A stand-in change: an outbox row and its audit row in one writeTransaction, as real actions do. */
function queueEmail(deps: ActionDeps, to: string): void {
  writeTransaction(deps.db, () => {
    recordChangeFor(deps, 'password_reset', 'email', null, { template: 'reset', to, subject: 'Reset' });
    audit(deps, 'test.queue', result('done', `queued to ${to}`, null));
  });
}

const count = (db: Db, sql: string): number => (db.prepare(sql).get() as { n: number }).n;

function rowsOf(csv: string) {
  return checkRows(parseTickets(`ticket_id,type,email\n${csv}`));
}

async function run(db: Db, csv: string, table: Partial<DispatchTable>, over: Partial<RunOptions> = {}) {
  const emitted: ResultRow[][] = [];
  const summary = await runBatch(db, rowsOf(csv), {
    agent: 'unit', desk: 'cx', now: () => NOW, dryRun: false, settings: { notesDir: tempDir(), policy: DEFAULT_POLICY, email: DEFAULT_EMAIL_SETTINGS },
    table: { ...DISPATCH, ...table }, emit: (r) => void emitted.push(r), ...over,
  });
  return { summary, emitted, results: emitted.flat() };
}

const sends: TicketAction = (deps, row) => {
  if (deps.dryRun) return result('planned', 'would queue', null);
  queueEmail(deps, row.email);
  return result('done', 'queued', null);
};

describe('runBatch: one savepoint per ticket', () => {
  it('keeps a done ticket with its own audit row, and records it once', async () => {
    const { db } = mirror();
    const { results, summary } = await run(db, '1,password_reset,a@x.com\n', { password_reset: sends });
    expect(results.map((r) => [r.ticket_id, r.outcome, r.processed_at])).toEqual([['1', 'done', NOW.toISOString()]]);
    expect(summary.by_outcome.done).toBe(1);
    expect(count(db, 'SELECT count(*) n FROM outbox')).toBe(1);
    // The action wrote an audit row: the batch does not add a second one.
    expect(db.prepare('SELECT action, ticket FROM audit_log').all()).toEqual([{ action: 'test.queue', ticket: '1' }]);
    expect(db.prepare('SELECT ticket_id, outcome, agent FROM processed_tickets').all()).toEqual([{ ticket_id: '1', outcome: 'done', agent: 'unit' }]);
  });

  it('rolls back what a refused, not_found or throwing ticket wrote, records nothing, and goes on', async () => {
    const { db } = mirror();
    const writesThen = (outcome: 'refused' | 'not_found' | 'throw'): TicketAction => (deps, row) => {
      queueEmail(deps, row.email);
      if (outcome === 'throw') throw new Error('disk says no');
      return result(outcome, `${outcome} after writing`, 'acc-1');
    };
    const { results } = await run(db, '1,resubscribe,a@x.com\n2,deactivate_client,b@x.com\n3,provider_termination,c@x.com\n4,password_reset,d@x.com\n', {
      resubscribe: writesThen('refused'), deactivate_client: writesThen('not_found'), provider_termination: writesThen('throw'), password_reset: sends,
    });
    expect(results.map((r) => [r.ticket_id, r.outcome])).toEqual([['1', 'refused'], ['2', 'not_found'], ['3', 'error'], ['4', 'done']]);
    expect(results[2]!.detail).toBe('failed: disk says no (not recorded: a re-run of this file retries it)');
    expect(results[0]!.processed_at).toBe('');
    expect(db.prepare('SELECT to_email FROM outbox').all()).toEqual([{ to_email: 'd@x.com' }]);
    expect(db.prepare('SELECT ticket FROM audit_log').all()).toEqual([{ ticket: '4' }]);
    expect(db.prepare('SELECT ticket_id FROM processed_tickets').all()).toEqual([{ ticket_id: '4' }]);
  });

  it('writes a batch audit row when the action wrote none (an already_done action, a lookup)', async () => {
    const { db } = mirror();
    const nothingToDo: TicketAction = () => result('already_done', 'not on the list', 'acc-9');
    await run(db, '1,resubscribe,a@x.com\n', { resubscribe: nothingToDo });
    expect(db.prepare('SELECT action, ticket, account_id, outcome FROM audit_log').all())
      .toEqual([{ action: 'batch.resubscribe', ticket: '1', account_id: 'acc-9', outcome: 'already_done' }]);
  });

  it('treats a ticket recorded before as already_done, without calling the action', async () => {
    const { db } = mirror();
    let calls = 0;
    const counted: TicketAction = (deps, row) => (calls++, sends(deps, row, { notesDir: '', policy: DEFAULT_POLICY, email: DEFAULT_EMAIL_SETTINGS }));
    await run(db, '1,password_reset,a@x.com\n', { password_reset: counted });
    const { results } = await run(db, '1,password_reset,a@x.com\n2,password_reset,b@x.com\n', { password_reset: counted });
    expect(calls).toBe(2);
    expect(results[0]).toMatchObject({ outcome: 'already_done', processed_at: NOW.toISOString() });
    expect(results[0]!.detail).toMatch(/^already processed by a batch on 2026-11-27T12:00:00.000Z by unit: queued$/);
    expect(count(db, 'SELECT count(*) n FROM outbox')).toBe(2);
    // The same ticket id under another help desk is another ticket.
    const other = await run(db, '1,password_reset,a@x.com\n', { password_reset: counted }, { desk: 'freshdesk' });
    expect(other.results[0]!.outcome).toBe('done');
    expect(calls).toBe(3);
  });

  it('an action that plans in a real run is a bug: error, nothing kept', async () => {
    const { db } = mirror();
    const { results } = await run(db, '1,lookup,a@x.com\n', { lookup: () => result('planned', 'oops', null) });
    expect(results[0]!.outcome).toBe('error');
    expect(count(db, 'SELECT count(*) n FROM processed_tickets')).toBe(0);
  });
});

describe('runBatch: async actions (notes_export streams a zip)', () => {
  it('writes the file first, then records the ticket in its savepoint; a re-run writes nothing again', async () => {
    const { db } = mirror();
    const dir = tempDir();
    let exports = 0;
    const exportZip: TicketAction = async (deps, row) => {
      const path = join(dir, `${deps.ticket}.zip`); // deterministic: named after the ticket
      await new Promise((r) => setTimeout(r, 5));
      writeFileSync(path, `zip for ${row.email}`);
      exports++;
      writeTransaction(deps.db, () => audit(deps, 'notes.export', result('done', 'exported', 'p1')));
      return result('done', `exported to ${path}`, 'p1', { path });
    };
    const csv = '1,notes_export,p@x.com\n2,lookup,\n3,notes_export,q@x.com\n';
    const first = await run(db, csv, { notes_export: exportZip });
    expect(first.results.map((r) => r.outcome)).toEqual(['done', 'invalid', 'done']);
    expect(existsSync(join(dir, '1.zip')) && existsSync(join(dir, '3.zip'))).toBe(true);
    expect(db.prepare('SELECT action, ticket FROM audit_log ORDER BY id').all())
      .toEqual([{ action: 'notes.export', ticket: '1' }, { action: 'notes.export', ticket: '3' }]);
    const again = await run(db, csv, { notes_export: exportZip });
    expect(again.results.map((r) => r.outcome)).toEqual(['already_done', 'invalid', 'already_done']);
    expect(exports).toBe(2);
  });

  it('rolls back a rejected async action and goes on', async () => {
    const { db } = mirror();
    const rejects: TicketAction = async (deps) => {
      writeTransaction(deps.db, () => audit(deps, 'notes.export', result('done', 'half', null)));
      await Promise.resolve();
      throw new Error('zip stream failed');
    };
    const { results } = await run(db, '1,notes_export,p@x.com\n2,password_reset,a@x.com\n', { notes_export: rejects, password_reset: sends });
    expect(results.map((r) => r.outcome)).toEqual(['error', 'done']);
    expect(results[0]!.detail).toContain('zip stream failed');
    expect(db.prepare('SELECT ticket FROM audit_log').all()).toEqual([{ ticket: '2' }]);
  });
});

describe('runBatch: chunks, dry run, a failing database', () => {
  it('hands on each chunk in input order only after it has committed', async () => {
    const { db, path } = mirror();
    const reader = openDb(path, { readonly: true });
    const visible: number[] = [];
    const csv = Array.from({ length: 5 }, (_, i) => `${i + 1},password_reset,u${i}@x.com\n`).join('');
    const { emitted } = await run(db, csv, { password_reset: sends }, {
      chunkSize: 2,
      emit: (rows) => void visible.push((reader.prepare('SELECT count(*) n FROM processed_tickets').get() as { n: number }).n, rows.length),
    });
    reader.close();
    void emitted;
    // [committed so far, rows in this chunk] per chunk: another connection already sees each chunk.
    expect(visible).toEqual([2, 2, 4, 2, 5, 1]);
  });

  it('a dry run calls the actions with dryRun and keeps nothing, even from a misbehaving action', async () => {
    const { db } = mirror();
    const careless: TicketAction = (deps, row) => {
      expect(deps.dryRun).toBe(true);
      queueEmail(deps, row.email); // a bug: writes under dryRun; the rolled-back chunk undoes it
      return result('planned', 'would queue', null);
    };
    const { results } = await run(db, '1,password_reset,a@x.com\n2,lookup,nobody@x.com\n', { password_reset: careless }, { dryRun: true });
    expect(results.map((r) => r.outcome)).toEqual(['planned', 'not_found']);
    expect(results[1]!.detail).not.toContain('not recorded');
    expect(count(db, 'SELECT count(*) n FROM outbox') + count(db, 'SELECT count(*) n FROM audit_log') + count(db, 'SELECT count(*) n FROM processed_tickets')).toBe(0);
  });

  it('stops with BatchStoppedError when the transaction is lost; committed chunks stay', async () => {
    const { db } = mirror();
    const breaks: TicketAction = (deps) => {
      deps.db.prepare('ROLLBACK').run(); // what SQLITE_FULL or an I/O error does to the transaction
      throw new Error('database or disk is full');
    };
    const csv = '1,password_reset,a@x.com\n2,password_reset,b@x.com\n3,resubscribe,c@x.com\n';
    const emitted: ResultRow[][] = [];
    await expect(run(db, csv, { password_reset: sends, resubscribe: breaks }, { chunkSize: 2, emit: (r) => void emitted.push(r) }))
      .rejects.toThrow(BatchStoppedError);
    expect(emitted.flat().map((r) => r.ticket_id)).toEqual(['1', '2']);
    expect(count(db, 'SELECT count(*) n FROM processed_tickets')).toBe(2);
    expect(db.inTransaction).toBe(false);
  });
});

describe('runBatch: a signal stops it between chunks', () => {
  it('SIGINT: the chunks committed stay, the rest is not applied, the tally says how far it got', async () => {
    const { db } = mirror();
    const work = cancellable();
    const tally = { rows: 0, recorded: 0 };
    let sent = false;
    const signals: TicketAction = (deps, row) => {
      // A real signal to this process, in the middle of the second chunk: it is handled at the next await.
      if (row.ticketId === '3' && !sent) (sent = true), process.kill(process.pid, 'SIGINT');
      return sends(deps, row, { notesDir: '', policy: DEFAULT_POLICY, email: DEFAULT_EMAIL_SETTINGS });
    };
    const csv = Array.from({ length: 6 }, (_, i) => `${i + 1},password_reset,u${i}@x.com\n`).join('');
    try {
      await expect(run(db, csv, { password_reset: signals }, { chunkSize: 2, work, tally })).rejects.toThrow(CancelledError);
    } finally {
      work.end();
    }
    expect(tally).toEqual({ rows: 4, recorded: 4 });
    expect(db.prepare('SELECT ticket_id FROM processed_tickets ORDER BY ticket_id').all()).toEqual(['1', '2', '3', '4'].map((ticket_id) => ({ ticket_id })));
    expect(count(db, 'SELECT count(*) n FROM outbox')).toBe(4);
    expect(db.inTransaction).toBe(false);
  });
});
