// The sync bench's floor (bench/sync.ts), in its own process like cx: the pending changes' request bodies
// read from a mirror, each signed (by cx's signer, src/sync/signer.ts) and POSTed to the receiver, 8 in flight over an undici
// Pool, every answer read. Nothing else: no claims, no outcomes, no audit rows. With `fetch` as the last
// argument the same loop uses fetch() instead: the floor as issue 11 words it ("a bare loop of signed fetch
// requests"); the Pool is the stronger floor, since cx itself sends over a Pool.
//   node build/scripts/bench/sync-floor.js <mirror.db> <receiver url> <secret file> [pool|fetch]
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Pool } from 'undici';
import { examineMirrorFile, useKey } from '../../src/store/cipher.js';
import type { ClaimedChange } from '../../src/store/sync-queue.js';
import { changeBody } from '../../src/sync/job.js';
import { signer } from '../../src/sync/signer.js';
import { benchKeys } from '../paths.js';

const LANES = 8;
const [dbPath, url, secretFile, mode = 'pool'] = process.argv.slice(2);
if (!dbPath || !url || !secretFile) throw new Error('usage: sync-floor <mirror.db> <receiver url> <secret file>');

const db = new Database(dbPath, { readonly: true });
const file = examineMirrorFile(dbPath);
if (file.kind === 'encrypted') useKey(db, benchKeys().keyOf(file.id, dbPath).key); // an encrypted copy, keyed as cx keys it
const bodies = (db.prepare(`SELECT * FROM changes WHERE state = 'pending' ORDER BY id`).all() as ClaimedChange[]).map((c) => ({ key: c.key, body: changeBody(c) }));
db.close();
const sign = signer(readFileSync(secretFile, 'utf8').trim()); // cx's own signer: the floor signs as cx does
const pool = new Pool(url, { connections: LANES });
let next = 0;
const lane = async () => {
  while (next < bodies.length) {
    const { key, body } = bodies[next++]!;
    const at = new Date();
    const headers = { 'content-type': 'application/json', 'idempotency-key': key, ...sign(key, body, at) };
    if (mode === 'fetch') {
      const res = await fetch(new URL('/cx/v1/changes', url), { method: 'POST', headers, body });
      const text = await res.text();
      if (res.status !== 201) throw new Error(`the floor got ${res.status}: ${text}`);
      continue;
    }
    const res = await pool.request({ path: '/cx/v1/changes', method: 'POST', headers, body });
    const text = await res.body.text();
    if (res.statusCode !== 201) throw new Error(`the floor got ${res.statusCode}: ${text}`);
  }
};
await Promise.all(Array.from({ length: LANES }, lane));
await pool.close();
