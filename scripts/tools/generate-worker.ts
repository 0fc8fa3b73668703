// The generator's second thread: loads the appointments (the biggest table by far) into a side file
// while the main thread generates and writes everything else, then builds their indexes there. The main
// thread copies the finished table over with one INSERT … SELECT *, which SQLite's transfer optimisation
// does record by record without decoding rows or sorting again.
import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { FAILED, FIELD_SEPARATOR, IN_FLIGHT, type WorkerReply, type WorkerRequest } from './generate-protocol.js';

const ROWS_PER_STATEMENT = 64;
const ROWS_PER_COMMIT = 50_000;

let db: Database.Database | undefined;
let many: Database.Statement | undefined;
let one: Database.Statement | undefined;
let width = 0;
let createIndexes: string[] = [];
let rows = 0;
let sinceCommit = 0;
let failed = false;
let shared: Int32Array | undefined;

function open(request: Extract<WorkerRequest, { kind: 'open' }>): void {
  db = new Database(request.path);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = OFF'); // the referenced accounts live in the other file
  db.pragma('cache_size = -128000');
  db.pragma('temp_store = MEMORY');
  db.exec(request.createTable);
  createIndexes = request.createIndexes;
  shared = request.shared;
  width = request.columns;
  const tuple = `(${Array(width).fill('?').join(',')})`;
  one = db.prepare(`INSERT INTO appointments VALUES ${tuple}`);
  many = db.prepare(`INSERT INTO appointments VALUES ${Array(ROWS_PER_STATEMENT).fill(tuple).join(',')}`);
  db.exec('BEGIN');
}

function load(text: string): void {
  const fields = text.split(FIELD_SEPARATOR);
  const step = width * ROWS_PER_STATEMENT;
  let i = 0;
  for (; i + step <= fields.length; i += step) many!.run(fields.slice(i, i + step));
  for (; i < fields.length; i += width) one!.run(fields.slice(i, i + width));
  const added = fields.length / width;
  rows += added;
  sinceCommit += added;
  if (sinceCommit >= ROWS_PER_COMMIT) {
    db!.exec('COMMIT; BEGIN');
    sinceCommit = 0;
  }
}

function finish(): void {
  db!.exec('COMMIT');
  for (const sql of createIndexes) db!.exec(sql);
  db!.close();
}

parentPort!.on('message', (request: WorkerRequest) => {
  if (failed) return; // the first failure was reported; the main thread is stopping
  try {
    if (request.kind === 'open') open(request);
    else if (request.kind === 'rows') {
      load(request.text);
      Atomics.sub(shared!, IN_FLIGHT, 1);
      Atomics.notify(shared!, IN_FLIGHT);
    }
    else {
      finish();
      parentPort!.postMessage({ kind: 'done', rows } satisfies WorkerReply);
    }
  } catch (err) {
    failed = true;
    if (shared) {
      Atomics.store(shared, FAILED, 1);
      Atomics.notify(shared, IN_FLIGHT);
    }
    if (db?.open) db.close();
    parentPort!.postMessage({ kind: 'failed', message: (err as Error).stack ?? String(err) } satisfies WorkerReply);
  }
});
