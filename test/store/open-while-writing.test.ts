// Opening an encrypted mirror while another cx writes to it (two agents at once). Before a connection that
// would read the -wal and -shm, the key is tried on the file as it is on disk (src/store/db.ts keyOpensFile).
// A checkpoint of the other writer can show that read a half-written file: it looked damaged ("database disk
// image is malformed", exit 6) about once in fifteen opens here, and now and then like a wrong key. Here a
// real writer process checkpoints every few transactions while this process opens the mirror again and again.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openMirror } from '../../src/store/db.js';
import { REPO, tempDir } from '../helpers/cx.js';
import { TEST_KEY } from '../helpers/env.js';
import { TEST_KEYS } from '../helpers/sqlite.js';

/** A process that writes to the mirror in small transactions, checkpointing every 20 pages, until killed. */
const WRITER = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.pragma("cipher = 'chacha20'"); db.pragma('kdf_iter = 1'); db.key(Buffer.from(process.argv[2], 'hex'));
db.pragma('journal_mode = WAL'); db.pragma('wal_autocheckpoint = 20');
db.exec('CREATE TABLE IF NOT EXISTS scratch (id INTEGER PRIMARY KEY, v TEXT)');
const insert = db.prepare('INSERT INTO scratch (v) VALUES (?)');
const batch = db.transaction(() => { for (let i = 0; i < 50; i++) insert.run('x'.repeat(500)); });
batch();
process.stdout.write('writing\\n');
for (;;) batch();
`;

describe('opening the mirror while another process writes to it', () => {
  it('every open succeeds: a checkpoint under way is neither damage nor a wrong key', { timeout: 30_000 }, async () => {
    const path = join(tempDir(), 'm.db');
    openMirror(path, { keys: TEST_KEYS, create: true }).close();
    const writer = spawn(process.execPath, ['-e', WRITER, path, TEST_KEY], { cwd: REPO, env: { ...process.env, SQLITE_USE_URI: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await once(writer.stdout!, 'data');
      const failures: string[] = [];
      let opens = 0;
      const until = Date.now() + 2000;
      while (Date.now() < until || opens < 100) {
        opens += 1;
        try {
          openMirror(path, { keys: TEST_KEYS }).close();
        } catch (err) {
          failures.push(`${(err as { code?: string }).code ?? ''} ${(err as Error).message}`);
        }
      }
      expect(writer.exitCode, 'the writer wrote throughout').toBeNull();
      expect(failures.slice(0, 3), `${failures.length} of ${opens} opens failed`).toEqual([]);
    } finally {
      writer.kill('SIGKILL');
    }
  });
});
