// The floor for the batch bench: a bare better-sqlite3 loop doing the reads and writes each ticket type
// costs cx, with none of cx's checks, messages or CSV safety: already processed? -> account by address,
// former address, mailbox -> the type's reads and writes (below) -> audit row with its hash +
// processed_tickets row, a savepoint per ticket, a commit per 1,000. Pure rules cx needs anyway (chain
// hash, mailbox keys, the retention date, "did you mean" reads for an unknown address) are cx's own.
//   lookup             suppression read
//   password_reset     suppression read, recent email read, pending email change (count for n, insert)
//   resubscribe        suppression read, delete (an unsubscribe), pending lift change
//   deactivate_client  last service, next appointment, suppression reads, account update, pending
//                      deactivation change, "next steps" email change
// An encrypted mirror is keyed as cx keys it (the run's CX_DB_KEY): the cipher is part of the floor.
// Run as a child: node build/scripts/bench/batch-floor.js <db> <tickets.csv> <out.csv>
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { decideRetention } from '../../src/actions/retention.js';
import { suggestAddresses } from '../../src/actions/lookup-suggest.js';
import { changeKey, type ChangeKind } from '../../src/rules/change-key.js';
import { chainHash, GENESIS_HASH } from '../../src/rules/audit-chain.js';
import { baseMailboxKey, mailboxKey } from '../../src/rules/address.js';
import { DEFAULT_POLICY } from '../../src/rules/policy.js';
import { examineMirrorFile, useKey } from '../../src/store/cipher.js';
import { BATCH_PRAGMAS } from '../../src/store/db.js';
import { benchKeys } from '../paths.js';

const [dbPath, ticketsPath, outPath] = process.argv.slice(2);
if (!dbPath || !ticketsPath || !outPath) throw new Error('usage: batch-floor.js <db> <tickets.csv> <out.csv>');

const db = new Database(dbPath);
const file = examineMirrorFile(dbPath);
if (file.kind === 'encrypted') useKey(db, benchKeys().keyOf(file.id, dbPath).key);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
for (const p of BATCH_PRAGMAS) db.pragma(p); // the same connection settings as cx batch
const STARTS = `COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', starts_at), starts_at)`;
const q = {
  processed: db.prepare("SELECT 1 FROM processed_tickets WHERE desk = 'cx' AND ticket_id = ? AND action = ? AND account_id = ?"),
  byEmail: db.prepare('SELECT * FROM accounts WHERE email_key = ?'),
  byFormer: db.prepare('SELECT a.* FROM former_emails f JOIN accounts a ON a.id = f.account_id WHERE f.email_key = ?'),
  byMailbox: db.prepare('SELECT * FROM accounts WHERE mailbox_key = ?'),
  suppression: db.prepare('SELECT * FROM suppressions WHERE email_key = ?'),
  unsuppress: db.prepare('DELETE FROM suppressions WHERE email_key = ?'),
  recent: db.prepare(`SELECT id FROM changes WHERE kind = 'email' AND account_id = ? AND template = ? AND created_at >= ?
    AND state IN ('pending', 'delivered') ORDER BY created_at DESC, id DESC LIMIT 1`),
  sameChanges: db.prepare(`SELECT count(*) AS n FROM changes WHERE ticket = ? AND desk = 'cx' AND action = ? AND account_id IS ? AND kind = ?`),
  change: db.prepare(`INSERT INTO changes (key, kind, account_id, desk, ticket, action, n, agent, created_at, data)
    VALUES (?, ?, ?, 'cx', ?, ?, ?, 'floor', ?, ?) RETURNING id`),
  everEmailed: db.prepare(`SELECT 1 FROM changes WHERE kind = 'email' AND account_id = ? AND template = ? LIMIT 1`),
  lastService: db.prepare(`SELECT MAX(${STARTS}) AS at FROM appointments WHERE client_id = ? AND ${STARTS} <= ?`),
  nextAppointment: db.prepare(`SELECT ${STARTS} AS at, provider_id FROM appointments WHERE client_id = ? AND ${STARTS} > ? ORDER BY at LIMIT 1`),
  deactivate: db.prepare(`UPDATE accounts SET status = 'deactivated', deactivated_at = ?, retain_until = ?, retention_rule = ?
    WHERE id = ? AND role = 'client' AND status = 'active'`),
  lastHash: db.prepare('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1'),
  audit: db.prepare(`INSERT INTO audit_log (at, agent, action, ticket, account_id, outcome, detail, prev_hash, hash)
    VALUES (@at, @agent, @action, @ticket, @account_id, @outcome, @detail, @prev_hash, @hash)`),
  record: db.prepare(`INSERT INTO processed_tickets (desk, ticket_id, action, account_id, email, outcome, detail, agent, processed_at, via)
    VALUES ('cx', ?, ?, ?, ?, ?, ?, 'floor', ?, 'batch')`),
};
const tx = { begin: db.prepare('BEGIN IMMEDIATE'), commit: db.prepare('COMMIT'), sp: db.prepare('SAVEPOINT t'), release: db.prepare('RELEASE t') };

interface Account {
  id: string;
  email: string;
  email_key: string;
  role: 'client' | 'provider';
  status: string;
  email_verified_at: string | null;
  dob: string | null;
  state: string | null;
  created_at: string;
  last_active_at: string | null;
}
type Done = { outcome: 'done' | 'already_done'; action: string; detail: string } | { outcome: 'refused' };

function find(key: string): Account | undefined {
  let found = q.byEmail.all(key) as Account[];
  if (!found.length) found = q.byFormer.all(key) as Account[];
  if (!found.length) found = q.byMailbox.all(mailboxKey(key)) as Account[];
  if (!found.length && baseMailboxKey(key) !== mailboxKey(key)) found = q.byMailbox.all(baseMailboxKey(key)) as Account[];
  return found[0];
}

/** A pending change, keyed as cx keys it (rules/change-key.ts). */
function change(ticket: string, action: string, accountId: string, kind: ChangeKind, now: Date, data: object): void {
  const n = (q.sameChanges.get(ticket, action, accountId, kind) as { n: number }).n + 1;
  const key = changeKey({ desk: 'cx', ticket, action, accountId, kind, n });
  q.change.get(key, kind, accountId, ticket, action, n, now.toISOString(), JSON.stringify(data));
}

function reset(a: Account, ticket: string, now: Date): Done {
  if (a.status !== 'active' || q.suppression.get(a.email_key)) return { outcome: 'refused' };
  const template = !a.email_verified_at ? 'email_verification' : a.role === 'provider' ? 'provider_password_reset' : 'client_password_reset';
  if (q.recent.get(a.id, template, new Date(now.getTime() - 15 * 60_000).toISOString())) return { outcome: 'already_done', action: 'batch.password_reset', detail: 'queued a moment ago' };
  change(ticket, 'password_reset', a.id, 'email', now, { template, to: a.email, subject: 'Reset your password' });
  return { outcome: 'done', action: 'reset', detail: `queued ${template} to ${a.email}` };
}

function resubscribe(a: Account, ticket: string, now: Date): Done {
  const s = q.suppression.get(a.email_key) as { reason: string } | undefined;
  if (!s) return { outcome: 'already_done', action: 'batch.resubscribe', detail: `${a.email} is not on the suppression list` };
  if (s.reason !== 'unsubscribe') return { outcome: 'refused' };
  q.unsuppress.run(a.email_key);
  change(ticket, 'resubscribe', a.id, 'lift_suppression', now, { email: a.email, reason: s.reason, forced: false });
  return { outcome: 'done', action: 'resubscribe', detail: `took ${a.email} off the suppression list` };
}

function deactivate(a: Account, ticket: string, now: Date): Done {
  if (a.role !== 'client' || a.status === 'terminated') return { outcome: 'refused' };
  const nowIso = now.toISOString();
  const lastService = (q.lastService.get(a.id, nowIso) as { at: string | null }).at;
  const retention = decideRetention({ ...a, last_service_at: lastService }, DEFAULT_POLICY);
  if (a.status === 'deactivated') return { outcome: 'already_done', action: 'batch.deactivate_client', detail: `${a.id} was already deactivated` };
  q.nextAppointment.get(a.id, nowIso);
  const suppressed = q.suppression.get(a.email_key);
  q.deactivate.run(nowIso.slice(0, 10), retention.retainUntil, retention.rule, a.id);
  change(ticket, 'deactivate_client', a.id, 'deactivate_client', now, { deactivated_at: nowIso.slice(0, 10), retain_until: retention.retainUntil, retention_rule: retention.rule });
  if (!suppressed && !q.everEmailed.get(a.id, 'client_deactivation_next_steps')) {
    change(ticket, 'deactivate_client', a.id, 'email', now, { template: 'client_deactivation_next_steps', to: a.email, subject: 'Next steps' });
  }
  return { outcome: 'done', action: 'deactivate', detail: `deactivated ${a.id}; records kept until ${retention.retainUntil}` };
}

const rows = parse(readFileSync(ticketsPath), { columns: true, bom: true }) as Array<{ ticket_id: string; type: string; email: string }>;
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
  if (!key.includes('@') || key.endsWith('@')) {
    lines.push(`${row.ticket_id},skipped,`);
    continue;
  }
  const account = find(key);
  if (account && q.processed.get(row.ticket_id, row.type, account.id)) {
    lines.push(`${row.ticket_id},already_done,${account.id}`);
    continue;
  }
  if (!account) {
    if (row.type === 'lookup') suggestAddresses(db, key);
    lines.push(`${row.ticket_id},not_found,`);
    continue;
  }
  const now = new Date();
  tx.sp.run();
  let r: Done;
  if (row.type === 'password_reset') r = reset(account, row.ticket_id, now);
  else if (row.type === 'resubscribe') r = resubscribe(account, row.ticket_id, now);
  else if (row.type === 'deactivate_client') r = deactivate(account, row.ticket_id, now);
  else {
    q.suppression.get(account.email_key);
    r = { outcome: 'done', action: 'batch.lookup', detail: `found ${account.id} <${account.email}>` };
  }
  if (r.outcome === 'refused') {
    tx.release.run(); // nothing was written
    lines.push(`${row.ticket_id},refused,${account.id}`);
    continue;
  }
  const fields = { at: now.toISOString(), agent: 'floor', action: r.action, ticket: row.ticket_id, account_id: account.id, outcome: r.outcome, detail: r.detail };
  const prev = (q.lastHash.get() as { hash: string } | undefined)?.hash ?? GENESIS_HASH;
  q.audit.run({ ...fields, prev_hash: prev, hash: chainHash(prev, fields) });
  q.record.run(row.ticket_id, row.type, account.id, row.email, r.outcome, r.detail, fields.at);
  tx.release.run();
  lines.push(`${row.ticket_id},${r.outcome},${account.id}`);
}
tx.commit.run();
writeSync(out, `${lines.join('\n')}\n`);
closeSync(out);
db.close();
