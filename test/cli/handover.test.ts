// The audit trail of a hand-over when the log or the disk fails at each step (issue 10, sections 1 and 2):
// the started row cannot be written (nothing handed over), the completing row cannot (the file taken back,
// `cx audit` shows the export started and not completed), the disk fills while a batch writes its results
// or a zip (exit 2 with the path and how many tickets are recorded; no half file). The started row is
// committed before the first byte of a note reaches the disk (issue 20 §3).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { bulkNotes } from '../helpers/bulk.js';
import { baseEnv, CX, cx, demoMirror, query, REPO, snapshot, tempDir } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { openDb } from '../helpers/sqlite.js';

const P202 = 'rafael.castellanos@proton.me';
const exportRows = (db: string) => query(db, "SELECT id, action, outcome, detail FROM audit_log WHERE action LIKE 'notes.export%' AND outcome <> 'read' ORDER BY id");

// The first write into a zip's output, observed: what another connection sees in the log at that moment.
const firstWrite = vi.hoisted(() => ({ db: null as string | null, seen: null as null | { temp: string; bytesOnDisk: number; started: Array<{ id: number; detail: string; clients: number }> } }));
vi.mock('../../src/files/output-file.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/files/output-file.js')>();
  return {
    ...actual,
    openOutput: (raw: string, opts: Parameters<typeof actual.openOutput>[1]) => {
      const output = actual.openOutput(raw, opts);
      if (firstWrite.db === null) return output;
      const write = output.write.bind(output);
      output.write = (data) => {
        if (firstWrite.seen === null) {
          const conn = openDb(firstWrite.db!, { readonly: true });
          const started = conn.prepare(`SELECT id, detail, (SELECT count(*) FROM audit_accounts WHERE audit_id = l.id) AS clients
            FROM audit_log l WHERE action = 'notes.export.started'`).all() as Array<{ id: number; detail: string; clients: number }>;
          conn.close();
          firstWrite.seen = { temp: output.writingTo, bytesOnDisk: statSync(output.writingTo).size, started };
        }
        write(data);
      };
      return output;
    },
  };
});

function blockAudit(db: string, actions: string[]): void {
  const conn = openDb(db);
  const list = actions.map((a) => `'${a}'`).join(', ');
  conn.exec(`CREATE TRIGGER audit_down BEFORE INSERT ON audit_log WHEN NEW.action IN (${list}) BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END`);
  conn.close();
}

describe('cx notes export: the started row comes before the first byte', () => {
  it('is committed (another connection sees it), naming the provider, every client and the temporary file, while the file is still empty', async () => {
    const db = demoMirror();
    const dir = tempDir();
    firstWrite.db = db;
    firstWrite.seen = null;
    try {
      const r = await cxIn(['notes', 'export', P202, '--ticket', 'H-0', '--yes', '--out', join(dir, 'n.zip')], { db });
      expect(r.code, r.stderr).toBe(0);
    } finally {
      firstWrite.db = null;
    }
    const seen = firstWrite.seen!;
    expect(seen).not.toBeNull();
    expect(seen.bytesOnDisk).toBe(0);
    expect(seen.started).toHaveLength(1);
    expect(seen.started[0]!.clients).toBe(6);
    expect(seen.started[0]!.detail).toContain('exporting 47 progress notes of provider p202 about 6 clients: 00917, 1020, 1021, 1022, ');
    expect(seen.started[0]!.detail).toContain(` (filters: none) to ${join(dir, 'n.zip')}, written first as ${basename(seen.temp)} [account ids: 6, sha256 `);
    // It cannot know the zip's size and hash: the completing row has them, and names the started row.
    expect(seen.started[0]!.detail).not.toMatch(/bytes|sha256 [0-9a-f]{64},/);
    const rows = exportRows(db);
    expect(rows.map((x) => x.action)).toEqual(['notes.export.started', 'notes.export']);
    expect(rows[1]!.detail).toMatch(new RegExp(`, \\d+ bytes, sha256 [0-9a-f]{64} \\(started in audit row ${rows[0]!.id}\\) \\[account ids: 6, sha256 [0-9a-f]{64}\\]$`));
  });
});

describe('cx notes export killed (-9) as its first notes reach the disk', () => {
  // The fast tier's one kill; test/soak/export-kill9.test.ts kills a 20,000-note export at seeded points.
  it('the temporary file it leaves has its started row, and audit --email <client> finds it', async () => {
    const db = demoMirror();
    bulkNotes(db, 1500, 4000); // ~6 MB of zip, written in 256 KiB steps: the kill lands well inside the notes
    const dir = tempDir();
    const child = spawn(process.execPath, [CX, 'notes', 'export', P202, '--ticket', 'K-1', '--yes', '--out', join(dir, 'n.zip')], { cwd: REPO, env: baseEnv(db), stdio: 'ignore' });
    let ended = false;
    const closed = new Promise<void>((done) => child.on('close', () => ((ended = true), done())));
    let temp: string | undefined;
    while (!ended && temp === undefined) {
      temp = readdirSync(dir).find((n) => n.startsWith('.cx-tmp-') && statSync(join(dir, n)).size > 0);
      if (temp === undefined) await new Promise((r) => setTimeout(r, 2));
    }
    child.kill('SIGKILL');
    await closed;
    expect(temp, 'the export ended before its first bytes were seen').toBeDefined();
    expect(readdirSync(dir)).toEqual([temp]);
    expect(statSync(join(dir, temp!)).size).toBeGreaterThan(0);
    const rows = query(db, "SELECT id, action, account_id, detail FROM audit_log WHERE ticket = 'K-1' ORDER BY id");
    expect(rows.map((x) => [x.action, x.account_id])).toEqual([['notes.export.started', 'p202']]);
    expect(rows[0].detail).toContain(`exporting 1,547 progress notes of provider p202 about 6 clients: `);
    expect(rows[0].detail).toContain(` to ${join(dir, 'n.zip')}, written first as ${temp} [account ids: 6, sha256 `);
    const found = cx(['audit', '--email', 'jose.nunez@gmail.com', '--json'], { db });
    expect(found.code, found.stderr).toBe(0);
    expect(found.json().map((x: { id: number }) => x.id)).toContain(rows[0].id);
  });
});

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
    expect(r.stderr).toMatch(/cannot write .*notes-p202-Z-2-20261127\.zip: no space left on the disk \(ENOSPC\); no file was left behind, recorded as abandoned in the audit log; the batch stopped after 1 of 3 rows: 1 ticket recorded/);
    expect(readdirSync(disk)).toEqual([]);
    expect(query(db, 'SELECT ticket_id FROM processed_tickets')).toEqual([{ ticket_id: 'Z-1' }]);
    // The started row came before the first byte; the full disk closed it.
    expect(exportRows(db).map((x) => [x.action, x.outcome])).toEqual([['notes.export.started', 'started'], ['notes.export.abandoned', 'error']]);
    expect(snapshot(db).accounts).toEqual(before.accounts);
  });
});
