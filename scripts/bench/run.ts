// `npm run bench [-- section ...]`: benchmarks, not tests. Each section prints medians and ratios
// against a baseline measured in the same run. Without arguments every section runs; name sections to
// run only those: `npm run bench -- startup lookup`.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { report, timeProcess } from './measure.js';
import { benchBatch } from './batch.js';
import { benchEncryption } from './encryption.js';
import { benchImport } from './import.js';
import { benchLookup } from './lookup.js';
import { benchNotes } from './notes.js';
import { benchSync } from './sync.js';
import { CX } from '../paths.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 21);

// Every mirror a bench section makes is encrypted with this run's own key (a section that compares with a
// tool that reads plaintext makes its mirrors with --plaintext): none of their keys goes to the
// developer's credential store or key folder.
process.env.CX_DB_KEY ??= randomBytes(32).toString('hex');

function startup(): void {
  const dir = mkdtempSync(join(tmpdir(), 'cx-bench-'));
  try {
    const db = join(dir, 'demo.db');
    const env = { ...process.env, CX_DB: db, NO_COLOR: '1' };
    const seeded = spawnSync(process.execPath, [CX, 'db', 'seed', '--demo'], { env, stdio: 'ignore' });
    if (seeded.status !== 0) throw new Error('cx db seed --demo failed');
    const base = timeProcess('node -e 0', [process.execPath, '-e', '0'], RUNS);
    report('start-up', base, [
      timeProcess('cx --version', [process.execPath, CX, '--version'], RUNS),
      timeProcess('cx --help', [process.execPath, CX, '--help'], RUNS),
      timeProcess('cx db doctor (demo mirror)', [process.execPath, CX, 'db', 'doctor'], RUNS, env),
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SECTIONS: Record<string, () => void | Promise<void>> = {
  startup,
  lookup: benchLookup,
  notes: benchNotes,
  batch: benchBatch,
  import: benchImport,
  sync: benchSync,
  encryption: benchEncryption,
};

const wanted = process.argv.slice(2);
for (const name of wanted.length ? wanted : Object.keys(SECTIONS)) {
  const section = SECTIONS[name];
  if (!section) {
    console.error(`unknown bench section ${name}; sections: ${Object.keys(SECTIONS).join(', ')}`);
    process.exit(2);
  }
  await section();
}
