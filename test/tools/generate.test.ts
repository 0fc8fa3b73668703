// The benchmark mirror generator, run as a process the way `npm run gen` runs it: deterministic output,
// the same schema as openMirror, consistent data, and the departing provider the benchmarks rely on.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { addressKey, baseMailboxKey, mailboxKey } from '../../src/rules/address.js';
import { nameKey } from '../../src/rules/names.js';
import { openMirror } from '../../src/store/db.js';
import { query, tempDir } from '../helpers/cx.js';
import { GENERATOR } from '../helpers/world.js';
import { TEST_KEYS, openDb } from '../helpers/sqlite.js';

const TABLES = ['accounts', 'former_emails', 'suppressions', 'appointments', 'progress_notes', 'changes', 'processed_tickets', 'audit_log'];
const DEPARTING = 'departing.provider@example.com';

function generate(out: string, ...extra: string[]): { code: number; stderr: string } {
  const r = spawnSync(process.execPath, [GENERATOR, '--accounts', '2000', '--departing-notes', '300', '--out', out, ...extra], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stderr: r.stderr };
}

/** A digest of every row of every table, in storage order. */
function digests(path: string): Record<string, string> {
  const db = openDb(path, { readonly: true });
  try {
    const out: Record<string, string> = {};
    for (const t of TABLES) {
      const hash = createHash('sha256');
      let rows = 0;
      for (const row of db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).iterate()) {
        hash.update(JSON.stringify(row));
        rows += 1;
      }
      out[t] = `${rows}:${hash.digest('hex')}`;
    }
    return out;
  } finally {
    db.close();
  }
}

function schemaOf(db: Database.Database): unknown[] {
  return db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name').all();
}

const one = <T>(db: string, sql: string, ...params: unknown[]): T => query<T>(db, sql, ...params)[0]!;

describe(`generator (${existsSync(GENERATOR) ? 'build/scripts/tools/generate.js' : 'build/scripts/tools/generate.js missing: run `npm run build:scripts` first'})`, () => {
  let dir: string;
  let first: string;
  let second: string;
  let firstRun: { code: number; stderr: string };

  beforeAll(() => {
    dir = tempDir('cx-gen-');
    first = join(dir, 'g.db');
    second = join(dir, 'g2.db');
    firstRun = generate(first, '--seed', 'test-seed');
    expect(firstRun.code, firstRun.stderr).toBe(0);
    const again = generate(second, '--seed', 'test-seed');
    expect(again.code, again.stderr).toBe(0);
  });

  it('writes the same rows for the same seed, and other rows for another seed', () => {
    const a = digests(first);
    expect(digests(second)).toEqual(a);
    expect(a.accounts).toMatch(/^2000:/);
    for (const t of ['former_emails', 'suppressions', 'appointments', 'progress_notes']) expect(a[t]).not.toMatch(/^0:/);
    const other = join(dir, 'other.db');
    expect(generate(other, '--seed', 'another-seed').code).toBe(0);
    expect(digests(other).accounts).not.toBe(a.accounts);
  });

  it('has exactly the schema openMirror creates, in WAL mode, and a sound file', () => {
    const fresh = openMirror(join(dir, 'fresh.db'), { keys: TEST_KEYS, create: true });
    const generated = openDb(first, { readonly: true });
    try {
      expect(schemaOf(generated)).toEqual(schemaOf(fresh));
      expect(generated.pragma('user_version', { simple: true })).toBe(fresh.pragma('user_version', { simple: true }));
      expect(generated.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(generated.pragma('foreign_key_check')).toEqual([]);
      expect(generated.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      generated.close();
      fresh.close();
    }
    // No audit row, nothing queued, and no temp or side files left beside --out.
    expect(one<{ n: number }>(first, 'SELECT count(*) AS n FROM audit_log').n).toBe(0);
    expect(one<{ n: number }>(first, 'SELECT count(*) AS n FROM outbox').n).toBe(0);
    expect(readdirSync(dir).filter((f) => f.includes('generating') || f.endsWith('.appointments'))).toEqual([]);
  });

  it('gives the departing provider exactly --departing-notes notes, a former address and intakes booked both ways', () => {
    const p = one<{ id: string; role: string; status: string }>(first, 'SELECT id, role, status FROM accounts WHERE email_key = ?', DEPARTING);
    expect(p).toMatchObject({ role: 'provider', status: 'active' });
    expect(firstRun.stderr).toContain(DEPARTING);
    expect(firstRun.stderr).toContain(p.id);
    expect(one<{ n: number }>(first, 'SELECT count(*) AS n FROM progress_notes WHERE provider_id = ?', p.id).n).toBe(300);
    expect(one<{ n: number }>(first, 'SELECT count(*) AS n FROM progress_notes').n).toBe(300);
    expect(query(first, 'SELECT email FROM former_emails WHERE account_id = ?', p.id)).toEqual([{ email: 'old.departing@example.com' }]);
    const via = query<{ booked_via: string }>(first, "SELECT DISTINCT booked_via FROM appointments WHERE provider_id = ? AND kind = 'intake' ORDER BY 1", p.id);
    expect(via.map((r) => r.booked_via)).toEqual(['provider', 'search']);
    const caseload = one<{ n: number }>(first, 'SELECT count(DISTINCT client_id) AS n FROM appointments WHERE provider_id = ?', p.id).n;
    expect(caseload).toBe(200);
    // Every note sits on one of that client's appointments with the provider.
    const orphanNotes = one<{ n: number }>(
      first,
      `SELECT count(*) AS n FROM progress_notes n WHERE NOT EXISTS (SELECT 1 FROM appointments a
         WHERE a.provider_id = n.provider_id AND a.client_id = n.client_id AND substr(a.starts_at, 1, 10) = n.session_date)`,
    );
    expect(orphanNotes.n).toBe(0);
  });

  it('writes notes of 1–3 KB with commas, quotes and some CRLF line ends', () => {
    const sizes = one<{ lo: number; hi: number }>(first, 'SELECT min(length(CAST(body AS BLOB))) AS lo, max(length(CAST(body AS BLOB))) AS hi FROM progress_notes');
    expect(sizes.lo).toBeGreaterThanOrEqual(1024);
    expect(sizes.hi).toBeLessThanOrEqual(3072);
    const count = (where: string): number => one<{ n: number }>(first, `SELECT count(*) AS n FROM progress_notes WHERE ${where}`).n;
    expect(count("instr(body, char(13, 10)) > 0")).toBeGreaterThan(0);
    expect(count("instr(body, char(13)) = 0")).toBeGreaterThan(0);
    expect(count(`instr(body, '"') > 0 AND instr(body, ',') > 0`)).toBeGreaterThan(0);
  });

  it('starts every client–provider pair with exactly one intake, before its sessions', () => {
    const bad = one<{ n: number }>(
      first,
      `SELECT count(*) AS n FROM (
         SELECT client_id, provider_id, sum(kind = 'intake') AS intakes,
                min(starts_at) AS firstAt, max(CASE WHEN kind = 'intake' THEN starts_at END) AS intakeAt
         FROM appointments GROUP BY client_id, provider_id)
       WHERE intakes != 1 OR intakeAt != firstAt`,
    );
    expect(bad.n).toBe(0);
    const roles = one<{ n: number }>(
      first,
      `SELECT count(*) AS n FROM appointments a JOIN accounts p ON p.id = a.provider_id JOIN accounts c ON c.id = a.client_id
       WHERE p.role != 'provider' OR c.role != 'client'`,
    );
    expect(roles.n).toBe(0);
    const ways = query<{ booked_via: string }>(first, "SELECT DISTINCT booked_via FROM appointments WHERE kind = 'intake' ORDER BY 1");
    expect(ways.map((r) => r.booked_via)).toEqual(['provider', 'search']);
  });

  it('has unique addresses, family aliases sharing a base mailbox, and the mix the brief asks for', () => {
    const counts = one<{ n: number; keys: number; providers: number; unverified: number; deactivated: number; minors: number }>(
      first,
      `SELECT count(*) AS n, count(DISTINCT email_key) AS keys, sum(role = 'provider') AS providers,
              sum(email_verified_at IS NULL) AS unverified, sum(status = 'deactivated') AS deactivated,
              sum(role = 'client' AND dob > '2008-11-27') AS minors
       FROM accounts`,
    );
    expect(counts.keys).toBe(counts.n);
    expect(counts.providers).toBe(140);
    expect(counts.unverified).toBeGreaterThan(100);
    expect(counts.deactivated).toBeGreaterThan(0);
    expect(counts.minors).toBeGreaterThan(0);
    const families = query<{ base_key: string; n: number }>(
      first,
      "SELECT base_key, count(*) AS n FROM accounts GROUP BY base_key HAVING n > 1 AND base_key LIKE '%@gmail.com'",
    );
    expect(families.length).toBeGreaterThan(0);
    expect(one<{ n: number }>(first, "SELECT count(*) AS n FROM accounts WHERE email LIKE '%+%@gmail.com'").n).toBeGreaterThan(0);
    const reasons = query<{ reason: string }>(first, 'SELECT DISTINCT reason FROM suppressions ORDER BY 1');
    expect(reasons.map((r) => r.reason)).toEqual(['bounce', 'complaint', 'unsubscribe']);
    const names = query<{ n: number }>(first, "SELECT count(*) AS n FROM accounts WHERE last_name LIKE '%''%' OR last_name LIKE '%’%'");
    expect(names[0]!.n).toBeGreaterThan(0);
  });

  it('derives the key columns exactly as the import does', () => {
    const rows = query<Record<string, string>>(first, 'SELECT email, email_key, mailbox_key, base_key, email_rev, first_name, last_name, first_key, last_key FROM accounts');
    for (const r of rows) {
      const key = addressKey(r.email!);
      expect({ ...r }).toEqual({
        ...r,
        email_key: key,
        mailbox_key: mailboxKey(key),
        base_key: baseMailboxKey(key),
        email_rev: [...key].reverse().join(''),
        first_key: nameKey(r.first_name!),
        last_key: nameKey(r.last_name!),
      });
    }
    for (const r of query<{ email: string; email_key: string }>(first, 'SELECT email, email_key FROM former_emails UNION ALL SELECT email, email_key FROM suppressions')) {
      expect(r.email_key).toBe(addressKey(r.email));
    }
  });

  it('keeps times consistent: nothing before sign-up or after "today", no care after a deactivation', () => {
    const today = '2026-11-27T12:00:00Z';
    const count = (sql: string): number => one<{ n: number }>(first, `SELECT count(*) AS n FROM ${sql}`, ...(sql.includes('?') ? [today] : [])).n;
    expect(count('accounts WHERE created_at > ? OR last_active_at < created_at OR email_verified_at < created_at')).toBe(0);
    expect(count("accounts WHERE max(last_active_at, ifnull(email_verified_at, '')) > ?")).toBe(0);
    expect(count('appointments a JOIN accounts c ON c.id = a.client_id WHERE a.starts_at < c.created_at')).toBe(0);
    expect(count('appointments a JOIN accounts p ON p.id = a.provider_id WHERE a.starts_at < p.created_at')).toBe(0);
    expect(count("appointments a JOIN accounts c ON c.id = a.client_id WHERE c.status = 'deactivated' AND a.starts_at > c.last_active_at")).toBe(0);
    expect(count("accounts WHERE role = 'client' AND (dob IS NULL OR dob >= substr(created_at, 1, 10))")).toBe(0);
    expect(count('progress_notes WHERE signed_at > ? OR signed_at < session_date')).toBe(0);
  });

  it('refuses to replace an existing file without --force, and replaces it with --force', () => {
    const before = digests(second);
    const refused = generate(second, '--seed', 'other');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--force/);
    expect(digests(second)).toEqual(before);
    const forced = generate(second, '--seed', 'other', '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(digests(second)).not.toEqual(before);
  });

  it('rejects bad options with exit 2', () => {
    const r = spawnSync(process.execPath, [GENERATOR, '--accounts', 'many', '--out', join(dir, 'x.db')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--accounts/);
    expect(existsSync(join(dir, 'x.db'))).toBe(false);
  });
});
