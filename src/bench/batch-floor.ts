// The floor for the batch bench: a bare better-sqlite3 loop doing the reads and writes a lookup ticket
// costs cx (already processed? -> account by address, former address, mailbox -> suppression -> audit row
// with its hash + processed_tickets row, a savepoint per ticket, a commit per 1,000), with none of cx's
// checks, messages or CSV safety. Run as a child: node dist/bench/batch-floor.js <db> <tickets.csv> <out.csv>
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { chainHash, GENESIS_HASH } from '../rules/audit-chain.js';
import { baseMailboxKey, mailboxKey } from '../rules/email.js';

const [dbPath, ticketsPath, outPath] = process.argv.slice(2);
if (!dbPath || !ticketsPath || !outPath) throw new Error('usage: batch-floor.js <db> <tickets.csv> <out.csv>');

const db = new Database(dbPath);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
const q = {
  processed: db.prepare('SELECT ticket_id FROM processed_tickets WHERE ticket_id = ?'),
  byEmail: db.prepare('SELECT * FROM accounts WHERE email_key = ?'),
  byFormer: db.prepare('SELECT a.* FROM former_emails f JOIN accounts a ON a.id = f.account_id WHERE f.email_key = ?'),
  byMailbox: db.prepare('SELECT * FROM accounts WHERE mailbox_key = ?'),
  suppression: db.prepare('SELECT * FROM suppressions WHERE email_key = ?'),
  lastHash: db.prepare('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1'),
  audit: db.prepare(`INSERT INTO audit_log (at, agent, action, ticket, account_id, outcome, detail, prev_hash, hash)
    VALUES (@at, @agent, @action, @ticket, @account_id, @outcome, @detail, @prev_hash, @hash)`),
  record: db.prepare(`INSERT INTO processed_tickets (ticket_id, type, email, outcome, account_id, detail, agent, processed_at)
    VALUES (?, 'lookup', ?, 'done', ?, ?, 'floor', ?)`),
};
const tx = { begin: db.prepare('BEGIN IMMEDIATE'), commit: db.prepare('COMMIT'), sp: db.prepare('SAVEPOINT t'), release: db.prepare('RELEASE t') };

type Account = { id: string; email: string; email_key: string };
const rows = parse(readFileSync(ticketsPath), { columns: true, bom: true }) as Array<{ ticket_id: string; email: string }>;
const out = openSync(outPath, 'w');
let lines: string[] = ['ticket_id,outcome,account_id'];
tx.begin.run();
for (const [i, row] of rows.entries()) {
  if (i > 0 && i % 1000 === 0) {
    tx.commit.run();
    writeSync(out, `${lines.join('\n')}\n`);
    lines = [];
    tx.begin.run();
  }
  const key = row.email.trim().toLowerCase();
  if (!key.includes('@') || q.processed.get(row.ticket_id)) {
    lines.push(`${row.ticket_id},skipped,`);
    continue;
  }
  let found = q.byEmail.all(key) as Account[];
  if (!found.length) found = q.byFormer.all(key) as Account[];
  if (!found.length) found = q.byMailbox.all(mailboxKey(key)) as Account[];
  if (!found.length && baseMailboxKey(key) !== mailboxKey(key)) found = q.byMailbox.all(baseMailboxKey(key)) as Account[];
  const account = found[0];
  if (!account) {
    lines.push(`${row.ticket_id},not_found,`);
    continue;
  }
  q.suppression.get(account.email_key);
  const now = new Date().toISOString();
  const detail = `found ${account.id} <${account.email}>`;
  tx.sp.run();
  const fields = { at: now, agent: 'floor', action: 'batch.lookup', ticket: row.ticket_id, account_id: account.id, outcome: 'done', detail };
  const prev = (q.lastHash.get() as { hash: string } | undefined)?.hash ?? GENESIS_HASH;
  q.audit.run({ ...fields, prev_hash: prev, hash: chainHash(prev, fields) });
  q.record.run(row.ticket_id, row.email, account.id, detail, now);
  tx.release.run();
  lines.push(`${row.ticket_id},done,${account.id}`);
}
tx.commit.run();
writeSync(out, `${lines.join('\n')}\n`);
closeSync(out);
db.close();
