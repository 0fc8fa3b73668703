// Ctrl-C and SIGTERM during `cx db import` (issue 20, section 6): the import is one transaction, so a stop
// before it commits leaves the mirror as it was, and cx says so, where it stopped and how far it got, with
// exit 130 (README "Exit codes"), whichever of the two signals it was: never a silent death.
import { spawn } from 'node:child_process';
import { closeSync, cpSync, openSync, readdirSync, readlinkSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { openDb } from '../helpers/sqlite.js';
import { describe, expect, it } from 'vitest';
import { baseEnv, CX, DEMO, demoMirror, readRows, REPO, snapshot, tempDir } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { inTerminal } from '../helpers/terminal.js';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** The demo export with an accounts.csv of `rows` more accounts: long enough to be stopped while it is read. */
function largeExport(rows: number): string {
  const dir = join(tempDir(), 'export');
  cpSync(DEMO, dir, { recursive: true });
  rmSync(join(dir, 'tickets'), { recursive: true });
  const fd = openSync(join(dir, 'accounts.csv'), 'a');
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    chunk += `gen-${i},person.${i}@example.org,client,Ann,Lee,1990-01-01,active,,2020-01-01T00:00:00Z,,TX\n`;
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
  return dir;
}

/** Whether the process has the file open (it is reading it). */
function hasOpen(pid: number, file: string): boolean {
  const fds = readdirSync(`/proc/${pid}/fd`);
  return fds.some((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`) === file;
    } catch {
      return false; // closed meanwhile
    }
  });
}

/** Another writer holding the mirror's write lock. */
function holdLock(db: string): { release: () => void } {
  const conn = openDb(db);
  conn.pragma('journal_mode = WAL');
  conn.exec('BEGIN IMMEDIATE');
  return {
    release: () => {
      if (conn.inTransaction) conn.exec('COMMIT');
      conn.close();
    },
  };
}

describe('cx db import stopped before it commits', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s while the files are read: exit 130, where it stopped, nothing imported', async (signal) => {
    const db = demoMirror();
    const before = snapshot(db);
    const dir = largeExport(200_000);
    const child = spawn(process.execPath, [CX, 'db', 'import', dir], { cwd: REPO, env: baseEnv(db), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => (stdout += d));
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('close', (code, sig) => done({ code, signal: sig })));
    // Stopped (SIGSTOP) while it has accounts.csv open, the signal sent, then let go: certain to land mid-read.
    const accounts = join(dir, 'accounts.csv');
    while (!hasOpen(child.pid!, accounts)) await sleep(2);
    child.kill('SIGSTOP');
    expect(hasOpen(child.pid!, accounts)).toBe(true);
    child.kill(signal);
    child.kill('SIGCONT');
    const e = await ended;
    expect(e, stderr).toEqual({ code: 130, signal: null });
    expect(stderr).toMatch(new RegExp(`^cx: cancelled \\(${signal}\\) while reading accounts\\.csv \\([\\d,]+ rows read\\): nothing was imported, the mirror is as it was\\n`, 'm'));
    expect(stderr).toContain('run the same command again to import (it starts over: the import is one transaction)');
    expect(stdout).toBe('');
    expect(snapshot(db)).toEqual(before);
    expect(readRows(db).filter((r) => r.action === 'db.import')).toEqual([]);
  });

  it.each([
    ['Ctrl-C', '\x03', 'SIGINT'],
    ['SIGTERM', { signal: 'SIGTERM' as const }, 'SIGTERM'],
  ] as const)('%s while it waits for another writer: exit 130 at once, nothing imported', async (_what, stop, signal) => {
    const db = demoMirror();
    const dir = join(tempDir(), 'export');
    cpSync(DEMO, dir, { recursive: true });
    rmSync(join(dir, 'tickets'), { recursive: true });
    const lock = holdLock(db);
    const before = snapshot(db);
    let r;
    try {
      // At once: cx ends while the other writer still holds the lock (it lets go only below), not after the
      // 60 s wait, which is longer than the terminal's own 50 s limit (a run killed there has no exit code).
      r = await inTerminal(db, ['db', 'import', dir], [[/Waiting for another cx to finish writing to the mirror/, stop]], { env: { CX_LOCK_WAIT_MS: '60000' }, columns: 200 });
    } finally {
      lock.release();
    }
    expect(r.code, r.screen).toBe(130);
    expect(r.screen).toMatch(new RegExp(`cx: cancelled \\(${signal}\\) while waiting for another cx to finish writing \\([\\d,]+ rows checked\\): nothing was imported, the mirror is as it was`));
    expect(snapshot(db)).toEqual(before);
  });

  it('a lock not released within the wait is still exit 7, nothing imported', async () => {
    const db = demoMirror();
    const lock = holdLock(db);
    const before = snapshot(db);
    try {
      const r = await cxIn(['db', 'import', DEMO], { db, env: { CX_LOCK_WAIT_MS: '300' } });
      expect(r.code, r.stderr).toBe(7);
      expect(r.stderr).toMatch(/cx: the mirror is busy: another cx held the write lock past the wait; nothing changed/);
    } finally {
      lock.release();
    }
    expect(snapshot(db)).toEqual(before);
  });
});
