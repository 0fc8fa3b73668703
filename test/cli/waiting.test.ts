// Issue 10 §7: cancelling and waiting. Ctrl-C at any prompt is "cancelled, nothing changed" and exit 130; a
// command waiting for another writer says so on a terminal; a lock not released in time is exit 7.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoMirror, readRows, snapshot, tempDir } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { inTerminal } from '../helpers/terminal.js';
import { openDb } from '../helpers/sqlite.js';

/** Another writer holding the mirror's write lock (as a long batch chunk or an import's apply would). */
function holdLock(db: string): { release: () => void } {
  const conn = openDb(db);
  conn.pragma('journal_mode = WAL'); // as every mirror cx opens (the test copies start in rollback mode)
  conn.exec('BEGIN IMMEDIATE');
  return {
    release: () => {
      if (conn.inTransaction) conn.exec('COMMIT');
      conn.close();
    },
  };
}

const FAST = { CX_LOCK_WAIT_MS: '300' };

describe('a lock not released in time: exit 7, nothing changed', () => {
  it('a change, a read of PHI (its audit row must be written first) and a batch', async () => {
    const db = demoMirror();
    const before = snapshot(db);
    const lock = holdLock(db);
    try {
      const reset = await cxIn(['reset', 'jane.doe@gmail.com', '--ticket', 'W-1', '--yes', '--json'], { db, env: FAST });
      expect(reset.code).toBe(7);
      expect(reset.json()).toMatchObject({ outcome: 'error' });
      expect(reset.stderr).toMatch(/cx: the mirror is busy: another cx held the write lock past the wait; nothing changed/);
      const lookup = await cxIn(['lookup', 'jane.doe@gmail.com'], { db, env: FAST });
      expect(lookup.code).toBe(7);
      expect(lookup.stdout).toBe(''); // nothing shown that is not audited
      const file = join(tempDir(), 't.csv');
      writeFileSync(file, 'ticket_id,type,email\nW-2,password_reset,wei.chen@gmail.com\n');
      const batch = await cxIn(['batch', file, '--yes'], { db, env: FAST });
      expect(batch.code).toBe(7);
      expect(batch.stderr).toMatch(/the mirror is busy.*the batch waited 0\.9 s before line 2 \(ticket W-2\); the tickets recorded so far stay/);
    } finally {
      lock.release();
    }
    expect(snapshot(db)).toEqual(before);
    expect(readRows(db)).toEqual([]);
  });

  it('names the long writer that holds the mirror, when it said so', async () => {
    const db = demoMirror();
    // What a running cx batch writes beside the mirror (src/store/lock-holder.ts); this test process is alive.
    writeFileSync(`${db}-cx-holder`, JSON.stringify({ agent: 'dana', command: 'cx batch', pid: process.pid, since: '2026-11-27T14:05:00.000Z' }));
    const lock = holdLock(db);
    try {
      const r = await cxIn(['reset', 'jane.doe@gmail.com', '--ticket', 'W-3', '--yes'], { db, env: { ...FAST, TZ: 'America/Chicago' } });
      expect(r.code).toBe(7);
      // The holder's time as the agent reads it: in their zone (--json and the holder file keep ISO UTC).
      expect(r.stderr).toContain(`(held by "dana"'s cx batch, pid ${process.pid}, since 2026-11-27 08:05)`);
    } finally {
      lock.release();
    }
    // A holder whose process is gone is not named.
    writeFileSync(`${db}-cx-holder`, JSON.stringify({ agent: 'dana', command: 'cx batch', pid: 2 ** 22 + 1, since: 'x' }));
    const again = holdLock(db);
    try {
      expect((await cxIn(['reset', 'jane.doe@gmail.com', '--ticket', 'W-3', '--yes'], { db, env: FAST })).stderr).not.toContain('held by');
    } finally {
      again.release();
    }
  });
});

describe('in a terminal', () => {
  it('a command waiting for another writer says so, then goes on when the lock is free', async () => {
    const db = demoMirror();
    const lock = holdLock(db);
    const r = await inTerminal(db, ['reset', 'wei.chen@gmail.com', '--ticket', 'W-4', '--yes'], [], {
      started: () => setTimeout(() => lock.release(), 1500),
    });
    expect(r.screen).toContain('Waiting for another cx to finish writing to the mirror');
    expect(r.screen).toMatch(/queued the client password-reset email/);
    expect(r.code).toBe(0);
  });

  it.each([
    ['the ticket prompt', ['reset', 'wei.chen@gmail.com'], [[/Ticket id for this change/, '\x03']]],
    ['the confirmation', ['deactivate', 'wei.chen@gmail.com', '--ticket', 'C-2'], [[/the records until 2033/, '\x03']]],
    ['the pick-list', ['lookup', '--name', 'maria garcia'], [[/Which account\?/, '\x03']]],
    ['the batch question', ['batch', '-'], []],
  ] as Array<[string, string[], Array<[RegExp, string]>]>)('Ctrl-C at %s: cancelled, nothing changed, exit 130', async (what, args, steps) => {
    const db = demoMirror();
    let run = args;
    if (what === 'the batch question') {
      const file = join(tempDir(), 't.csv');
      writeFileSync(file, 'ticket_id,type,email\nC-3,password_reset,wei.chen@gmail.com\n');
      run = ['batch', file];
      steps.push([/Apply 1 ticket/, '\x03']);
    }
    const before = snapshot(db);
    const r = await inTerminal(db, run, steps);
    expect(r.screen).toContain('cx: cancelled, nothing changed');
    expect(r.screen).not.toMatch(/internal error|this is a bug/);
    expect(r.code).toBe(130);
    expect(snapshot(db)).toEqual(before);
  });
});
