// A mirror made by cx before encryption (fixtures/legacy: plaintext, with delivered and pending changes, an
// audit log anchored by the platform and a row after the anchor) converted by `cx db encrypt`: every row of
// every table kept, the audit chain still whole and still reaching its anchor, the strict doctor passing;
// and no byte of it left in clear beside the mirror.
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { examineMirrorFile } from '../../src/store/cipher.js';
import { REPO, tempDir } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { openDb } from '../helpers/sqlite.js';

const LEGACY = join(REPO, 'fixtures/legacy/mirror.db');
const TABLES = ['accounts', 'former_emails', 'suppressions', 'appointments', 'progress_notes', 'changes', 'processed_tickets', 'audit_log', 'audit_anchor', 'mirror_meta'];

function everyRow(db: string): Record<string, unknown[]> {
  const conn = openDb(db, { readonly: true });
  try {
    return Object.fromEntries(TABLES.map((t) => [t, conn.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()]));
  } finally {
    conn.close();
  }
}

describe('a mirror made before encryption', () => {
  it('cx db encrypt keeps every row, the audit chain and its anchor; the strict doctor passes', async () => {
    expect(examineMirrorFile(LEGACY).kind).toBe('plaintext');
    const dir = tempDir();
    const db = join(dir, 'mirror.db');
    copyFileSync(LEGACY, db);
    const before = everyRow(db);
    expect(before.audit_anchor).toHaveLength(1);
    expect(before.changes!.length).toBeGreaterThan(0);
    const clear = ['jane.doe@gmail.com', (before.progress_notes![0] as { body: string }).body.slice(0, 40)];
    expect(clear.every((v) => readFileSync(db).includes(Buffer.from(v)))).toBe(true);

    const r = await cxIn(['db', 'encrypt', '--json'], { db });
    expect(r.code, r.stderr).toBe(0);
    expect(examineMirrorFile(db)).toMatchObject({ kind: 'encrypted' });

    const after = everyRow(db);
    for (const t of TABLES.filter((t) => t !== 'audit_log' && t !== 'mirror_meta')) expect(after[t], t).toEqual(before[t]);
    // The migrations due ran too: migration 4 notes where the rows that keep their accounts begin (the next id).
    const lastId = Math.max(...before.audit_log!.map((r) => (r as { id: number }).id));
    expect(after.mirror_meta).toEqual([...before.mirror_meta!, expect.objectContaining({ key: 'audit_lists_from', value: String(lastId + 1) })]);
    // The log: the same rows, then the conversion's own.
    expect(after.audit_log!.slice(0, before.audit_log!.length)).toEqual(before.audit_log);
    expect(after.audit_log!.slice(before.audit_log!.length)).toEqual([expect.objectContaining({ action: 'db.encrypt', outcome: 'done' })]);

    const verify = await cxIn(['audit', '--verify', '--json'], { db });
    expect(verify.json()).toMatchObject({ ok: true, first_bad_row: null });
    const doctor = await cxIn(['db', 'doctor', '--strict', '--json'], { db });
    expect(doctor.code, doctor.stdout).toBe(0);
    expect(doctor.json().checks.find((c: { name: string }) => c.name === 'audit_chain').detail).toMatch(/anchored at row 6/);

    // Nothing beside it holds what the plaintext file did.
    for (const name of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, name));
      for (const v of clear) expect(bytes.includes(Buffer.from(v)), `${name} holds ${v}`).toBe(false);
    }
  });
});
