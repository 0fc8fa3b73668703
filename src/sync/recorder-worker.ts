// The push's writer thread (recorder.ts): its own connection to the mirror, doing the claims and recording
// the outcomes the main thread sends, one message at a time. SQLite calls block the thread they run on;
// here they block this one, while the main thread keeps the HTTP lanes busy.
import { parentPort, workerData } from 'node:worker_threads';
import { fixedKey, PLAINTEXT_ONLY } from '../store/cipher.js';
import { openMirror, type Db } from '../store/db.js';
import { leaseOwners, recordAndClaim, recordOutcomes, releaseLeasesOf, releaseLeases, renewLeases } from '../store/sync-queue.js';
import type { RecorderCall, RecorderMirror } from './recorder.js';

const { dbPath, lockWaitMs, key } = workerData as RecorderMirror;
let db: Db | undefined;

function run(call: RecorderCall): unknown {
  db ??= openMirror(dbPath, { keys: key ? fixedKey(Buffer.from(key), 'the push\'s own connection') : PLAINTEXT_ONLY, lockWaitMs });
  switch (call.op) {
    case 'leaseOwners':
      return leaseOwners(db);
    case 'releaseOwners':
      return releaseLeasesOf(db, call.owners);
    case 'record':
      return recordOutcomes(db, call.owner, call.outcomes, new Date(call.now));
    case 'recordAndClaim':
      return recordAndClaim(db, call.owner, call.outcomes, new Date(call.now), call.claim);
    case 'renew':
      return renewLeases(db, call.owner, call.ids, call.leaseUntil);
    case 'releaseMine':
      return releaseLeases(db, call.owner);
    case 'close':
      db.close();
      db = undefined;
      return null;
  }
}

parentPort!.on('message', ({ id, call }: { id: number; call: RecorderCall }) => {
  try {
    parentPort!.postMessage({ id, ok: true, value: run(call) });
  } catch (err) {
    const e = err as { message?: string; code?: unknown; name?: string; exitCode?: number; hint?: string };
    parentPort!.postMessage({ id, ok: false, error: { message: String(e?.message ?? err), code: e?.code, name: e?.name, exitCode: e?.exitCode, hint: e?.hint } });
  }
});
