// Run bin/cx as a real process against a real SQLite file, the way an agent or a CI script does.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, inject } from 'vitest';
import { baseEnv, CX, REPO, type TestClock } from './env.js';
import { openDb } from './sqlite.js';

export { baseEnv, CX, DEMO, NOW, REPO, type TestClock } from './env.js';

export interface CxResult {
  code: number;
  stdout: string;
  stderr: string;
  json<T = any>(): T;
}

export interface RunOptions {
  db?: string;
  env?: Record<string, string | undefined>;
  /** The clock the run reads (test/helpers/env.ts): NOW unless given; 'real' for the system's own. */
  now?: TestClock;
  input?: string;
  cwd?: string;
  /** Run as this user (tests run as root, whom file modes do not stop). */
  uid?: number;
  gid?: number;
  /** Run as another user, with the cx install that user can reach (test/helpers/other-user.ts). */
  as?: { uid: number; gid: number; root: string };
}

/** The binary, folder and user a run uses: another user's runs use the install it can reach. */
function spawnTarget(opts: RunOptions): { bin: string; cwd: string; uid?: number; gid?: number } {
  if (opts.as) return { bin: join(opts.as.root, 'bin/cx.js'), cwd: opts.cwd ?? opts.as.root, uid: opts.as.uid, gid: opts.as.gid };
  return { bin: CX, cwd: opts.cwd ?? REPO, uid: opts.uid, gid: opts.gid };
}

/** A run's exit code (a process killed by a signal: -1) and its two streams. */
export function cxResult(code: number | null, stdout: string, stderr: string): CxResult {
  return {
    code: code ?? -1,
    stdout,
    stderr,
    json() {
      try {
        return JSON.parse(stdout);
      } catch {
        throw new Error(`stdout is not JSON (exit ${code}):\n${stdout}\nstderr:\n${stderr}`);
      }
    },
  };
}

/** cx, synchronously: no terminal, stdin closed (or the given input). */
export function cx(args: string[], opts: RunOptions = {}): CxResult {
  const t = spawnTarget(opts);
  const r = spawnSync(process.execPath, [t.bin, ...args], {
    cwd: t.cwd,
    env: baseEnv(opts.db, opts.env, opts.now),
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: 120_000,
    // A listing of every row (--json) of a large outbox or log is megabytes.
    maxBuffer: 256 * 1024 * 1024,
    uid: t.uid,
    gid: t.gid,
  });
  return cxResult(r.status, r.stdout, r.stderr);
}

/** cx started without waiting, for races between processes. */
export function cxAsync(args: string[], opts: RunOptions = {}): Promise<CxResult> {
  return new Promise((done) => {
    const t = spawnTarget(opts);
    const child = spawn(process.execPath, [t.bin, ...args], { cwd: t.cwd, env: baseEnv(opts.db, opts.env, opts.now), uid: t.uid, gid: t.gid });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(opts.input ?? '');
    child.on('close', (code) => done(cxResult(code, stdout, stderr)));
  });
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed after the test file. */
export function tempDir(prefix = 'cx-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** A mirror holding the demo world, seeded once per test run (test/helpers/global-setup.ts). */
    demoTemplate: string;
    /** An empty mirror at the current schema, made once per test run. */
    emptyTemplate: string;
    /** The demo world in a plaintext mirror (`cx db seed --demo --plaintext`), made once per test run. */
    plainDemoTemplate: string;
  }
}

let seededTemplate: string | undefined;

/** A new mirror holding the demo world (a copy of the one the run seeded; else seeded once per test file). */
export function demoMirror(): string {
  seededTemplate ??= inject('demoTemplate');
  if (!seededTemplate) {
    seededTemplate = join(tempDir('cx-demo-'), 'template.db');
    const r = cx(['db', 'seed', '--demo'], { db: seededTemplate });
    if (r.code !== 0) throw new Error(`seeding the demo mirror failed (${r.code}): ${r.stderr}`);
  }
  return copyMirror(seededTemplate);
}

/** A new plaintext mirror holding the demo world (made with --plaintext: for the tests about plaintext mirrors). */
export function plainDemoMirror(): string {
  let template = inject('plainDemoTemplate');
  if (!template) {
    template = join(tempDir('cx-demo-'), 'plain.db');
    const r = cx(['db', 'seed', '--demo', '--plaintext'], { db: template });
    if (r.code !== 0) throw new Error(`seeding the plaintext demo mirror failed (${r.code}): ${r.stderr}`);
  }
  return copyMirror(template);
}

/** A copy of a mirror in a new temporary folder (VACUUM INTO: whole, with its WAL folded in; the same key). */
export function copyMirror(from: string, name = 'mirror.db'): string {
  const path = join(tempDir(), name);
  const src = openDb(from, { readonly: true });
  src.exec(`VACUUM INTO '${path.replace(/'/g, "''")}'`);
  src.close();
  return path;
}

/** An empty mirror at the current schema (a copy of the one the run made; else made by `cx db init`). */
export function emptyMirror(): string {
  const template = inject('emptyTemplate');
  if (template) return copyMirror(template);
  const path = join(tempDir(), 'mirror.db');
  const r = cx(['db', 'init'], { db: path });
  if (r.code !== 0) throw new Error(`cx db init failed: ${r.stderr}`);
  return path;
}

/** Read the database directly, as a test checks what a command left behind. */
export function query<T = any>(db: string, text: string, ...params: unknown[]): T[] {
  const conn = openDb(db, { readonly: true });
  try {
    return conn.prepare(text).all(...params) as T[];
  } finally {
    conn.close();
  }
}

/**
 * A digest of every table's rows: compare before and after to prove a command changed nothing. Audit rows
 * of reads (outcome 'read') are left out: test those with readRows().
 */
export function snapshot(db: string): Record<string, string> {
  const conn = openDb(db, { readonly: true });
  try {
    const out: Record<string, string> = {};
    for (const t of ['accounts', 'former_emails', 'suppressions', 'appointments', 'progress_notes', 'changes', 'processed_tickets', 'audit_log', 'mirror_meta', 'audit_anchor']) {
      // Reads of PHI append audit rows (outcome 'read') and change nothing else: a digest of the data.
      // (Their ids shift the rows after them, so the digest of the audit log leaves ids and hashes out:
      // auditChainHolds (test/helpers/in-process.ts) checks the chain.)
      const text = t === 'audit_log'
        ? "SELECT at, agent, action, ticket, account_id, outcome, detail FROM audit_log WHERE outcome <> 'read' ORDER BY rowid"
        : `SELECT * FROM ${t} ORDER BY rowid`;
      const rows = conn.prepare(text).all();
      out[t] = createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 16) + `:${rows.length}`;
    }
    return out;
  } finally {
    conn.close();
  }
}

/** The audit rows of reads of PHI (src/actions/read-audit.ts), oldest first. */
export function readRows(db: string): Array<{ action: string; ticket: string | null; account_id: string | null; detail: string; agent: string }> {
  return query(db, "SELECT action, ticket, account_id, detail, agent FROM audit_log WHERE outcome = 'read' ORDER BY id");
}
