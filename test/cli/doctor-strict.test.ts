// `cx db doctor --strict`, the CI smoke gate: every check named in --json, exit 6 for each failing condition,
// including a file that does not open as a mirror; the doctor's own reads change nothing and audit nothing.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoMirror, emptyMirror, plainDemoMirror, snapshot, tempDir } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { openDb } from '../helpers/sqlite.js';

const NAMES = ['opens', 'integrity', 'foreign_keys', 'schema', 'audit_triggers', 'audit_chain', 'policy', 'freshness', 'accounts', 'lookup_paths', 'audit_remote', 'encryption'];

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

async function strict(db: string, args: string[] = [], env: Record<string, string> = {}, now?: string) {
  const r = await cxIn(['db', 'doctor', '--strict', '--json', ...args], { db, env, now });
  const body = r.json<{ ok: boolean; checks: Check[] }>();
  return { code: r.code, ok: body.ok, checks: body.checks, failed: body.checks.filter((c) => !c.ok).map((c) => c.name) };
}

function edit(db: string, sql: string): string {
  const conn = openDb(db);
  conn.exec(sql);
  conn.close();
  return db;
}

describe('cx db doctor --strict', () => {
  it('a healthy, fresh, large-enough demo mirror: exit 0, every check named, and nothing written', async () => {
    const db = demoMirror();
    const before = snapshot(db);
    const r = await strict(db, ['--max-age', '1', '--min-accounts', '40']);
    expect(r.checks.map((c) => c.name)).toEqual(NAMES);
    expect(r.failed).toEqual([]);
    expect(r).toMatchObject({ code: 0, ok: true });
    expect(r.checks.find((c) => c.name === 'freshness')!.detail).toMatch(/0\.0 hours ago \(at most 1\)/);
    expect(snapshot(db)).toEqual(before);
    // Not asked: ok, and said so; no platform configured: ok, and said so (test/cli/audit-witness.test.ts: with one).
    expect((await strict(db)).checks.filter((c) => c.detail === 'not asked').map((c) => c.name)).toEqual(['freshness', 'accounts']);
    expect(r.checks.find((c) => c.name === 'audit_remote')).toEqual({ name: 'audit_remote', ok: true, detail: 'not configured' });
  });

  it.each<[string, () => string, string[], Record<string, string>?, string[]?, string?]>([
    ['a file that is not a SQLite database', () => { const p = join(tempDir(), 'x.db'); writeFileSync(p, 'not a database '.repeat(40)); return p; }, ['--min-accounts', '1'], {}, ['opens', 'integrity', 'foreign_keys', 'schema', 'audit_triggers', 'audit_chain', 'accounts', 'lookup_paths', 'encryption']],
    ['a path that cannot be read as a file (a folder)', () => { const p = join(tempDir(), 'folder.db'); mkdirSync(p); return p; }, [], {}, ['opens', 'integrity', 'foreign_keys', 'schema', 'audit_triggers', 'audit_chain', 'lookup_paths', 'encryption']],
    ['an empty mirror under --min-accounts', () => emptyMirror(), ['--min-accounts', '1'], {}, ['accounts']],
    ['no import at all under --max-age', () => emptyMirror(), ['--max-age', '24'], {}, ['freshness']],
    ['a stale import under --max-age', () => demoMirror(), ['--max-age', '24'], {}, ['freshness'], '2026-11-30T12:00:00.000Z'],
    ['the append-only triggers dropped and a row edited', () => edit(demoMirror(), "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET agent = 'someone else'"), [], {}, ['audit_triggers', 'audit_chain']],
    ['an invalid policy file in effect', () => demoMirror(), [], { CX_POLICY: join(import.meta.dirname, 'doctor-strict.test.ts') }, ['policy']],
    ['a lookup index dropped', () => edit(demoMirror(), 'DROP INDEX accounts_by_mailbox'), [], {}, ['lookup_paths']],
    ['an older schema (never upgraded by the strict doctor)', () => edit(demoMirror(), 'PRAGMA user_version = 1'), [], {}, ['schema']],
    ['a plaintext mirror', () => plainDemoMirror(), [], {}, ['encryption']],
    ['a mirror whose key is not given: it does not open', () => demoMirror(), [], { CX_DB_KEY: '' }, ['opens', 'integrity', 'foreign_keys', 'schema', 'audit_triggers', 'audit_chain', 'lookup_paths', 'encryption']],
  ])('%s: exit 6, the failing check named', async (_what, make, args, env = {}, failing = [], now = undefined) => {
    const r = await strict(make(), args, env, now);
    expect(r.code).toBe(6);
    expect(r.ok).toBe(false);
    expect(r.checks.map((c) => c.name)).toEqual(NAMES);
    expect(r.failed).toEqual(failing);
  });

  it('the encryption check names the cipher, never the key; --allow-plaintext passes a plaintext mirror', async () => {
    const encrypted = (await strict(demoMirror())).checks.find((c) => c.name === 'encryption')!;
    expect(encrypted.ok).toBe(true);
    expect(encrypted.detail).toMatch(/^ChaCha20-Poly1305 \(SQLite3 Multiple Ciphers \d+\.\d+\.\d+\), mirror id [0-9a-f]{32}, key from CX_DB_KEY$/);
    const plain = plainDemoMirror();
    const allowed = await strict(plain, ['--allow-plaintext']);
    expect(allowed).toMatchObject({ code: 0, ok: true });
    expect(allowed.checks.find((c) => c.name === 'encryption')!.detail).toBe('plaintext: anyone with a copy of the file can read it (allowed by --allow-plaintext)');
    const human = await cxIn(['db', 'doctor'], { db: plain });
    expect(human.code).toBe(6);
    // Piped, the fields below the table go to stderr with the other lines that are not rows.
    expect(human.stderr).toMatch(/^ {2}cipher\s+none \(plaintext\)$/m);
    expect((await cxIn(['db', 'doctor'], { db: demoMirror() })).stderr).toMatch(/^ {2}cipher\s+chacha20$/m);
  });

  it('human output lists each check; without --strict a file that is not a mirror stays exit 2', async () => {
    const db = edit(demoMirror(), 'DROP TRIGGER audit_log_no_delete');
    const r = await cxIn(['db', 'doctor', '--strict'], { db });
    expect(r.code).toBe(6);
    // Piped: the checks as tab-separated rows on stdout, the failure said on stderr too.
    expect(r.stdout).toMatch(/^audit_triggers\tFAIL\tno trigger refuses DELETE on audit_log/m);
    expect(r.stderr).toMatch(/^cx: the mirror has problems:\n {2}audit_triggers: no trigger refuses DELETE on audit_log/);
    expect((await cxIn(['db', 'doctor'], { db })).code).toBe(6);
    const bad = join(tempDir(), 'x.db');
    writeFileSync(bad, 'not a database '.repeat(40));
    expect((await cxIn(['db', 'doctor'], { db: bad })).code).toBe(2);
    expect((await cxIn(['db', 'doctor', '--strict', '--max-age', 'soon'], { db })).code).toBe(2);
  });
});
