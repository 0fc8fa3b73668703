// Bench section "notes": `cx notes export` of 20,000 notes (~40 MB) against Info-ZIP (`zip -r -6` over the same
// notes written out as files) and a bare archiver loop over the same rows (the floor for the library), plus the
// in-process deflate of the same bytes (the floor for any zip writer in Node), all in the same run. Each runs
// as a child process: wall time (median, runs interleaved) and peak RSS (/usr/bin/time, else the child's own
// process.resourceUsage()). This file is also the child for the two in-process baselines (`--child`).
import { spawnSync } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import zlib, { deflateRawSync } from 'node:zlib';
// @ts-ignore archiver 8 ships no type declarations
import { ZipArchive } from 'archiver';
import { noteFileHeader } from '../../src/archive/manifest.js';
import { accountsByEmailKey } from '../../src/store/accounts.js';
import { openMirror } from '../../src/store/db.js';
import { countNotes, streamNotes } from '../../src/store/notes.js';
import { median } from './measure.js';
import { CX, GENERATOR, benchKeys } from '../paths.js';

const SELF = fileURLToPath(import.meta.url);
const PROVIDER = 'departing.provider@example.com';
const NOTES = 20_000;
const RUNS = Number(process.env.BENCH_NOTES_RUNS ?? 3);
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const RSS_MARK = 'bench-max-rss-kb=';
const HAVE_ZIP = spawnSync('zip', ['-v'], { stdio: 'ignore' }).status === 0;

interface Sample { ms: number; rssMb: number | null }
interface Contender { label: string; argv: string[]; cwd?: string; env?: NodeJS.ProcessEnv; node: boolean; after?: () => void }

export async function benchNotes(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cx-bench-notes-'));
  try {
    const db = mirror(dir);
    const files = join(dir, 'files');
    const mb = writeNotesAsFiles(db, files);
    const out = (name: string) => join(dir, name);
    const env = { ...process.env, CX_DB: db, CX_AGENT: 'bench', NO_COLOR: '1' };
    let run = 0;
    const all: Contender[] = [
      { label: 'Info-ZIP zip -r -6 (files on disk)', argv: ['zip', '-q', '-r', '-6', out('infozip.zip'), 'notes'], cwd: files, node: false, after: () => rmSync(out('infozip.zip'), { force: true }) },
      { label: 'bare archiver loop (same rows)', argv: [process.execPath, SELF, '--child', 'bare', db, out('bare.zip')], node: true, after: () => rmSync(out('bare.zip'), { force: true }) },
      { label: 'deflateRawSync + crc32, same bytes (no zip)', argv: [process.execPath, SELF, '--child', 'deflate', db, ''], node: true },
      {
        label: 'cx notes export',
        get argv() {
          return [process.execPath, CX, 'notes', 'export', PROVIDER, '--ticket', `BENCH-${++run}`, '--yes', '--out', out('cx.zip')];
        },
        env,
        node: true,
        after: () => rmSync(out('cx.zip'), { force: true }),
      },
    ];
    // Without Info-ZIP installed the section still runs; its column says n/a.
    const contenders = all.filter((c) => HAVE_ZIP || c.node);
    const samples = new Map<string, Sample[]>(contenders.map((c) => [c.label, []]));
    for (let i = 0; i <= RUNS; i++) {
      for (const c of contenders) {
        const s = measure(c);
        c.after?.();
        if (i > 0) samples.get(c.label)!.push(s); // run 0 warms the page cache
      }
    }
    printReport(contenders.map((c) => c.label), samples, mb);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A copy of the generated mirror (cx writes audit rows): $BENCH_NOTES_DB, $BENCH_BIG_DB, /tmp/big.db, or a fresh one. */
function mirror(dir: string): string {
  const copy = join(dir, 'mirror.db');
  const source = process.env.BENCH_NOTES_DB ?? process.env.BENCH_BIG_DB ?? '/tmp/big.db';
  if (existsSync(source) && departingNotes(source) === NOTES) {
    copyFileSync(source, copy);
    return copy;
  }
  const gen = spawnSync(process.execPath, [GENERATOR, '--accounts', '20000', '--departing-notes', String(NOTES), '--out', copy], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (gen.status !== 0) throw new Error('generating the bench mirror failed');
  return copy;
}

function departingNotes(path: string): number {
  const db = openMirror(path, { keys: benchKeys(), readonly: true });
  try {
    const provider = accountsByEmailKey(db, PROVIDER)[0];
    return provider ? countNotes(db, { providerId: provider.id }) : 0;
  } finally {
    db.close();
  }
}

/** The same bytes cx puts in the zip (header + body), one file per note, for Info-ZIP. Returns MB. */
function writeNotesAsFiles(dbPath: string, root: string): number {
  let bytes = 0;
  forEachNote(dbPath, (name, content) => {
    const path = join(root, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
    bytes += content.length;
  });
  return bytes / 1e6;
}

function forEachNote(dbPath: string, each: (name: string, content: Buffer) => void): void {
  const db = openMirror(dbPath, { keys: benchKeys(), readonly: true });
  try {
    const provider = accountsByEmailKey(db, PROVIDER)[0];
    if (!provider) throw new Error(`no ${PROVIDER} in ${dbPath}`);
    for (const note of streamNotes(db, { providerId: provider.id })) {
      each(`notes/${note.clientId}/${note.id}.txt`, Buffer.from(noteFileHeader(note) + note.body, 'utf8'));
    }
  } finally {
    db.close();
  }
}

function measure(c: Contender): Sample {
  const argv = TIME ? [TIME, '-f', `${RSS_MARK}%M`, ...c.argv] : c.node ? [c.argv[0]!, '--import', RSS_HOOK, ...c.argv.slice(1)] : c.argv;
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: c.cwd, env: c.env ?? process.env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${c.label} failed (${r.status ?? r.signal}): ${r.stderr}${r.error?.message ?? ''}`);
  const kb = r.stderr.match(new RegExp(`${RSS_MARK}(\\d+)`))?.[1];
  return { ms, rssMb: kb === undefined ? null : Number(kb) / 1024 };
}

const RSS_HOOK = `data:text/javascript,process.on('exit',()=>process.stderr.write('${RSS_MARK}'+process.resourceUsage().maxRSS+'\\n'))`;

function printReport(labels: string[], samples: Map<string, Sample[]>, mb: number): void {
  const row = (label: string) => {
    const s = samples.get(label)!;
    const rss = s.map((x) => x.rssMb).filter((x): x is number => x !== null);
    return { label, ms: median(s.map((x) => x.ms)), rss: rss.length ? Math.max(...rss) : null };
  };
  const rows = labels.map(row);
  const bare = rows.find((r) => r.label.startsWith('bare'))!;
  const info = rows.find((r) => r.label.startsWith('Info-ZIP'));
  console.log(`\n## notes export (${NOTES.toLocaleString('en-US')} notes, ${mb.toFixed(1)} MB of text)`);
  console.log(`${'what'.padEnd(44)} ${'median'.padStart(9)} ${'vs bare'.padStart(8)} ${'vs zip'.padStart(8)} ${'peak RSS'.padStart(9)}`);
  for (const r of rows) {
    const rss = r.rss === null ? 'n/a' : `${r.rss.toFixed(0)} MB`;
    console.log(`${r.label.padEnd(44)} ${`${(r.ms / 1000).toFixed(2)} s`.padStart(9)} ${`${(r.ms / bare.ms).toFixed(2)}x`.padStart(8)} ${(info ? `${(r.ms / info.ms).toFixed(2)}x` : 'n/a').padStart(8)} ${rss.padStart(9)}`);
  }
  console.log(`(${RUNS} runs each after a warm-up, interleaved; medians; peak RSS is the largest of the runs${TIME ? ', from /usr/bin/time' : ''})`);
  console.log('aim: cx within 1.2x of the bare archiver loop and under 320 MB');
}

// ---- the child processes ----

/** archiver fed the way its README shows: every entry appended up front, then finalize. */
async function bareArchiverLoop(dbPath: string, out: string): Promise<void> {
  const archive = new ZipArchive({ zlib: { level: 6 } });
  const written = pipeline(archive, createWriteStream(out));
  forEachNote(dbPath, (name, content) => archive.append(content, { name }));
  await Promise.all([archive.finalize(), written]);
}

/** What any zip writer must do per entry: CRC-32 and deflate (zlib.crc32: Node 20.15+; skipped before). */
function deflateOnly(dbPath: string): void {
  let out = 0;
  let crc = 0;
  forEachNote(dbPath, (_name, content) => {
    out += deflateRawSync(content, { level: 6 }).length;
    if (typeof zlib.crc32 === 'function') crc ^= zlib.crc32(content);
  });
  if (out === 0) throw new Error(`nothing deflated (crc ${crc})`);
}

if (process.argv[1] === SELF && process.argv[2] === '--child') {
  const [mode, db, out] = process.argv.slice(3);
  if (mode === 'bare') await bareArchiverLoop(db!, out!);
  else if (mode === 'deflate') deflateOnly(db!);
  else throw new Error(`unknown child mode ${mode}`);
}
