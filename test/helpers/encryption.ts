// What the encryption tests share: every byte of a folder digested (to prove a refused run changed nothing,
// -wal and -shm included), a mirror as a killed writer leaves it (a -wal with a committed row the file does
// not have yet), a page altered on disk, and the search of files for values that must not be in clear.
import { createHash } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { query, tempDir } from './cx.js';
import { openDb } from './sqlite.js';

/** Another key: opens no test mirror. */
export const OTHER_KEY = 'a'.repeat(64);

/** sha256 of every file in `dir` (not in its sub-folders), by name. */
export function folderDigest(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isFile()) out[name] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return out;
}

/**
 * A copy of `mirror` as a writer killed with kill -9 leaves it: `mirror.db` plus a -wal holding a committed,
 * not yet checkpointed row (a suppression of `marker`), and its -shm. Returns the new mirror's path.
 */
export function withStaleWal(mirror: string, marker = 'wal-only@example.com'): string {
  const writer = openDb(mirror);
  writer.pragma('journal_mode = WAL');
  writer.pragma('wal_autocheckpoint = 0');
  writer.prepare("INSERT INTO suppressions (email_key, email, reason, created_at) VALUES (?, ?, 'bounce', '2026-11-01T00:00:00Z')").run(marker, marker);
  const dir = tempDir();
  for (const suffix of ['', '-wal', '-shm']) copyFileSync(mirror + suffix, join(dir, `mirror.db${suffix}`));
  writer.close();
  return join(dir, 'mirror.db');
}

/** Alter one byte of a leaf page of `table` (never page 1) on disk, as a careless edit or a bad disk would. */
export function alterPageOf(mirror: string, table: string): number {
  const leaves = query<{ pageno: number }>(mirror, "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' AND pageno > 1 ORDER BY path", table);
  const page = leaves[0]!.pageno;
  const file = readFileSync(mirror);
  const at = (page - 1) * 4096 + 200;
  file.writeUInt8(file.readUInt8(at) ^ 0xff, at);
  writeFileSync(mirror, file);
  return page;
}

/** The files under `dirs` (recursively) whose bytes hold any of `values`, each with what it holds. */
export function filesHolding(dirs: string[], values: string[], skip: (path: string) => boolean = () => false): string[] {
  const found: string[] = [];
  const visit = (path: string) => {
    if (skip(path)) return;
    let st;
    try {
      st = statSync(path);
    } catch {
      return; // removed meanwhile
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(path)) visit(join(path, name));
      return;
    }
    if (!st.isFile()) return;
    const bytes = readFileSync(path);
    const held = values.filter((v) => bytes.includes(Buffer.from(v, 'utf8')));
    if (held.length) found.push(`${path}: ${held.slice(0, 3).join(', ')}${held.length > 3 ? ` (+${held.length - 3})` : ''}`);
  };
  for (const dir of dirs) visit(dir);
  return found;
}

/**
 * The files under `dir` a running process holds open, polled every few milliseconds until it exits:
 * SQLite's own temporary files are unlinked as soon as they are made, so only a look through
 * /proc/<pid>/fd sees them. Each is read through the descriptor, and reported with the values it holds.
 */
export async function openedUnder(child: ChildProcess, dir: string, values: string[]): Promise<string[]> {
  const seen = new Map<string, string[]>();
  const look = () => {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${child.pid}/fd`);
    } catch {
      return;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${child.pid}/fd/${fd}`);
        if (!target.startsWith(`${dir}/`)) continue;
        const bytes = readFileSync(`/proc/${child.pid}/fd/${fd}`);
        const held = values.filter((v) => bytes.includes(Buffer.from(v, 'utf8')));
        seen.set(target, [...new Set([...(seen.get(target) ?? []), ...held])]);
      } catch {
        // closed meanwhile
      }
    }
  };
  const timer = setInterval(look, 5);
  await new Promise((done) => child.on('close', done));
  clearInterval(timer);
  return [...seen].map(([path, held]) => `${path}${held.length ? `: ${held.slice(0, 3).join(', ')}` : ''}`);
}
