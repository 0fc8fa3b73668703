import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoMirror, query, tempDir } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';

describe('edges found in review', () => {
  it('a batch lookup by name and date of birth, as cx lookup --name', async () => {
    const db = demoMirror();
    const file = join(tempDir(), 'names.csv');
    writeFileSync(file, 'ticket_id,type,email,first_name,last_name,dob\nN1,lookup,,maria,garcia,\nN2,lookup,,María,García,1991-07-30\nN3,lookup,,Nobody,Here,\n');
    const out = join(tempDir(), 'r.csv');
    const r = await cxIn(['batch', file, '--yes', '--out', out, '--json'], { db });
    expect(r.code).toBe(5);
    expect(r.json().by_outcome).toMatchObject({ done: 2, not_found: 1 });
    const rows = query(db, 'SELECT ticket_id, account_id FROM processed_tickets ORDER BY ticket_id');
    expect(rows).toEqual([{ ticket_id: 'N1', account_id: '' }, { ticket_id: 'N2', account_id: '' }]);
    // Minimum necessary: the date of birth typed is never written down (ledger, audit log, results).
    const written = JSON.stringify([query(db, 'SELECT * FROM processed_tickets'), query(db, 'SELECT * FROM audit_log')]) + readFileSync(out, 'utf8');
    expect(written).not.toContain('1991-07-30');
  });

  it('an empty batch file is refused (exit 2): it has no header row', async () => {
    const db = demoMirror();
    const file = join(tempDir(), 'empty.csv');
    writeFileSync(file, '');
    const r = await cxIn(['batch', file, '--yes', '--dry-run'], { db });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the file is empty/);
  });

  it('a usage error from argument parsing still gives an outcome under --json', async () => {
    const r = await cxIn(['--json', 'reset']);
    expect(r.code).toBe(2);
    expect(r.json()).toMatchObject({ outcome: 'invalid', account_id: null });
  });

  it('every outcome shows the promised keys, refusals included', async () => {
    const db = demoMirror();
    const deactivate = await cxIn(['deactivate', 'm.okafor@brightpathcounseling.com', '--ticket', 'T', '--yes', '--json'], { db });
    expect(deactivate.json()).toMatchObject({ outcome: 'refused', retain_until: null, retention_rule: null });
    const offboard = await cxIn(['offboard', 'jane.doe@gmail.com', '--ticket', 'T', '--yes', '--json'], { db });
    expect(offboard.json()).toMatchObject({ outcome: 'refused', clients: [] });
    const notes = await cxIn(['notes', 'export', 'rafael.castellanos@proton.me', '--client', 'jane.doe@gmail.com', '--ticket', 'T', '--yes', '--json'], { db });
    expect(notes.json()).toMatchObject({ outcome: 'not_found', path: null, sha256: null });
    expect(notes.json()).toHaveProperty('notes');
  });

  it('an agent name with a line break is refused before anything happens', async () => {
    const db = demoMirror();
    const r = await cxIn(['lookup', 'jane.doe@gmail.com', '--agent', 'evil\nagent'], { db });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--agent/);
  });

  it('an empty --db falls back to $CX_DB', async () => {
    const db = demoMirror();
    expect((await cxIn(['--db', '', 'lookup', 'jane.doe@gmail.com', '--json'], { db })).code).toBe(0);
  });
});
