// The audit trail of a hand-over when the log or the disk fails at each step (issue 10, sections 1 and 2):
// the started row cannot be written (nothing handed over), the completing row cannot (the file taken back,
// `cx audit` shows the export started and not completed), the disk fills while a batch writes its results
// or a zip (exit 2 with the path and how many tickets are recorded; no half file).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoMirror, query, snapshot, tempDir } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { openDb } from '../helpers/sqlite.js';

const P202 = 'rafael.castellanos@proton.me';
const exportRows = (db: string) => query(db, "SELECT id, action, outcome, detail FROM audit_log WHERE action LIKE 'notes.export%' AND outcome <> 'read' ORDER BY id");

function blockAudit(db: string, actions: string[]): void {
  const conn = openDb(db);
  const list = actions.map((a) => `'${a}'`).join(', ');
  conn.exec(`CREATE TRIGGER audit_down BEFORE INSERT ON audit_log WHEN NEW.action IN (${list}) BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END`);
  conn.close();
}

describe('cx notes export: the audit log fails at each step of the hand-over', () => {
  it('the started row cannot be written: the temporary zip is removed, nothing handed over, no row', async () => {
    const db = demoMirror();
    blockAudit(db, ['notes.export.started']);
    const dir = tempDir();
    const r = await cxIn(['notes', 'export', P202, '--ticket', 'H-1', '--yes', '--out', join(dir, 'n.zip'), '--json'], { db });
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ outcome: 'error', account_id: 'p202' });
    expect(r.json().detail).toContain('audit log unavailable');
    expect(r.json().detail).toContain('nothing was handed over');
    expect(readdirSync(dir)).toEqual([]);
    expect(exportRows(db)).toEqual([]);
  });

  it('the completing row cannot be written: the zip is taken back; `cx audit` shows the export started, not completed', async () => {
    const db = demoMirror();
    blockAudit(db, ['notes.export', 'notes.export.abandoned']);
    const dir = tempDir();
    const r = await cxIn(['notes', 'export', P202, '--ticket', 'H-2', '--yes', '--out', join(dir, 'n.zip')], { db });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(dir, 'n.zip')} was removed again, nothing was handed over`);
    expect(readdirSync(dir)).toEqual([]);
    expect(exportRows(db).map((x) => [x.action, x.outcome])).toEqual([['notes.export.started', 'started']]);
    const shown = await cxIn(['audit', '--ticket', 'H-2'], { db });
    expect(shown.stdout).toMatch(/notes\.export\.started\s+│?\s*H-2.*started, not completed/);
    // The JSON rows stay as stored.
    expect((await cxIn(['audit', '--ticket', 'H-2', '--json'], { db })).json().find((row: { outcome: string }) => row.outcome !== 'read')).toMatchObject({ action: 'notes.export.started', outcome: 'started' });
  });

  it('the completing row alone fails: the zip is taken back and an abandoned row closes the started one', async () => {
    const db = demoMirror();
    blockAudit(db, ['notes.export']);
    const dir = tempDir();
    expect((await cxIn(['notes', 'export', P202, '--ticket', 'H-3', '--yes', '--out', join(dir, 'n.zip')], { db })).code).toBe(1);
    const rows = exportRows(db);
    expect(rows.map((x) => [x.action, x.outcome])).toEqual([['notes.export.started', 'started'], ['notes.export.abandoned', 'error']]);
    expect(rows[1]!.detail).toMatch(new RegExp(`^not handed over: audit log unavailable \\(started in audit row ${rows[0]!.id}\\)$`));
    const shown = await cxIn(['audit', '--ticket', 'H-3'], { db });
    expect(shown.stdout).toContain(`started, abandoned (row ${rows[1]!.id})`);
  });
});

// A small file system that fills up: tmpfs needs root and a kernel that lets this container mount.
const mounts: string[] = [];
function smallDisk(kb: number): string | null {
  const dir = tempDir();
  const at = join(dir, 'disk');
  mkdirSync(at);
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kb}k`, 'tmpfs', at]).status !== 0) return null;
  mounts.push(at);
  return at;
}
afterAll(() => {
  for (const at of mounts.splice(0)) {
    spawnSync('umount', [at]);
    rmdirSync(at);
  }
});
const probe = smallDisk(64);
const canMount = probe !== null;
const MOUNT = canMount ? 'a small tmpfs' : 'a small tmpfs: skipped, mount is not permitted here';

describe('cx batch: the disk fills up midway', () => {
  function lookups(n: number): string {
    const file = join(tempDir(), 't.csv');
    const rows = Array.from({ length: n }, (_, i) => `F-${i},lookup,${i % 2 ? 'jane.doe@gmail.com' : 'nobody.at.all@example.com'}`);
    writeFileSync(file, `ticket_id,type,email\n${rows.join('\n')}\n`);
    return file;
  }

  it.skipIf(!canMount)(`--out on ${MOUNT}: exit 2 with the path and the tickets recorded; no half results file`, async () => {
    const disk = smallDisk(64)!;
    const db = demoMirror();
    const out = join(disk, 'results.csv');
    const r = await cxIn(['batch', lookups(3000), '--yes', '--out', out], { db });
    expect(r.code, r.stderr).toBe(2);
    const m = /cx: cannot write .*results\.csv: no space left on the disk \(ENOSPC\); the batch stopped after ([\d,]+) of 3,000 rows: ([\d,]+) tickets recorded \(done or already done\) and kept; the results file .* was not written/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(Number(m![2]!.replace(/,/g, ''))).toBe(query(db, 'SELECT count(*) n FROM processed_tickets')[0].n);
    expect(readdirSync(disk)).toEqual([]);
    expect(query(db, 'PRAGMA integrity_check')[0].integrity_check).toBe('ok');
  });

  it('--out /dev/full: the same report (a device that is always full)', async () => {
    const db = demoMirror();
    const r = await cxIn(['batch', lookups(10), '--yes', '--out', '/dev/full'], { db });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write \/dev\/full: no space left on the disk \(ENOSPC\); the batch stopped after [\d,]+ of 10 rows/);
  });

  it.skipIf(!canMount)(`a notes zip on ${MOUNT}: exit 2 with the zip's path, earlier tickets kept, no file in the folder`, async () => {
    const disk = smallDisk(16)!;
    const db = demoMirror();
    const file = join(tempDir(), 't.csv');
    writeFileSync(file, `ticket_id,type,email\nZ-1,lookup,jane.doe@gmail.com\nZ-2,notes_export,${P202}\nZ-3,lookup,jane.doe@gmail.com\n`);
    const before = snapshot(db);
    const r = await cxIn(['batch', file, '--yes', '--notes-dir', disk], { db });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/cannot write .*notes-p202-Z-2-20261127\.zip: no space left on the disk \(ENOSPC\); no file was left behind; the batch stopped after 1 of 3 rows: 1 ticket recorded/);
    expect(readdirSync(disk)).toEqual([]);
    expect(query(db, 'SELECT ticket_id FROM processed_tickets')).toEqual([{ ticket_id: 'Z-1' }]);
    expect(exportRows(db)).toEqual([]); // the zip never reached its started row
    expect(snapshot(db).accounts).toEqual(before.accounts);
  });
});
