// The notes zip engine in tests: a header, the engine wrapped as the notes export action wraps it, and the
// outside readers (unzip, Python) that must accept what it writes.
import { spawnSync } from 'node:child_process';
import { writeNotesZip, type ExportHeader } from '../../src/archive/notes-zip.js';
import { openOutput } from '../../src/files/output-file.js';

export const HEADER: ExportHeader = {
  providerName: 'Dr Ana Reyes',
  providerEmail: 'ana@old-clinic.example',
  providerId: 'p201',
  ticket: 'ZD-4242',
  exportedAt: '2025-02-03T10:00:00.000Z',
  agent: 'sam',
  filters: 'since 2024-01-01',
};

export function run(cmd: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.error ? -1 : r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error?.message ?? ''}` };
}
export const HAVE_UNZIP = run('unzip', ['-v']).status === 0;
export const UNZIP = HAVE_UNZIP ? 'unzip -t' : 'unzip -t (SKIPPED: unzip not installed)';
export const PY_OPEN = 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(len(z.namelist()))';

/** What the notes export action does around the engine, minus the audit rows: open, zip, put in place. */
export async function zipTo(target: string, force: boolean, opts: Omit<Parameters<typeof writeNotesZip>[1], 'signal'>) {
  const output = openOutput(target, { label: 'target', force, protect: [] });
  try {
    const written = await writeNotesZip(output, opts);
    output.publish();
    return { path: output.path, ...written };
  } finally {
    output.discard();
  }
}
