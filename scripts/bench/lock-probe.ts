// Another writer during an import, for the import bench: it takes the mirror's write lock every 50 ms
// (BEGIN IMMEDIATE, as every cx change does) and, when its stdin closes, prints the longest it waited.
import Database from 'better-sqlite3';

const db = new Database(process.argv[2]!);
db.pragma('busy_timeout = 600000');
let longest = 0;
let attempts = 0;
let running = true;
process.stdin.on('end', () => (running = false)).resume();
while (running) {
  const start = performance.now();
  db.exec('BEGIN IMMEDIATE');
  longest = Math.max(longest, performance.now() - start);
  db.exec('COMMIT');
  attempts += 1;
  await new Promise((r) => setTimeout(r, 50));
}
db.close();
process.stdout.write(JSON.stringify({ longestMs: longest, attempts }));
