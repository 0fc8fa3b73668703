// The mirror's schema, as migrations applied in order; PRAGMA user_version holds the last one applied.
// Never edit a migration that has shipped: add the next one.

import type { Db } from './db.js';
import { moveOutboxIntoChanges } from './migration-2.js';

export interface Migration {
  version: number;
  sql: string;
  /** A step SQL alone cannot do (hashing keys), run after `sql` in the same transaction. */
  after?: (db: Db) => void;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    sql: `
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,                    -- opaque, as the platform gives it
  email TEXT NOT NULL,                    -- as imported
  email_key TEXT NOT NULL,                -- trimmed, lower-case: the current address
  mailbox_key TEXT NOT NULL,              -- the same mailbox written another way (Gmail dots, googlemail), +tag kept
  base_key TEXT NOT NULL,                 -- the mailbox with the +tag dropped where the provider does plus-addressing
  email_rev TEXT NOT NULL,                -- email_key reversed: suffix searches for typo suggestions
  role TEXT NOT NULL CHECK (role IN ('client', 'provider')),
  first_name TEXT NOT NULL DEFAULT '',
  last_name TEXT NOT NULL DEFAULT '',
  first_key TEXT NOT NULL DEFAULT '',     -- accent-, case- and punctuation-folded
  last_key TEXT NOT NULL DEFAULT '',
  dob TEXT,
  status TEXT NOT NULL CHECK (status IN ('active', 'deactivated', 'terminated')),
  email_verified_at TEXT,
  created_at TEXT NOT NULL,
  last_active_at TEXT,
  state TEXT,
  -- written by cx, never by an import:
  deactivated_at TEXT,
  retain_until TEXT,
  retention_rule TEXT,
  contract_ends_at TEXT                   -- a provider's termination, effective date
) STRICT;
CREATE UNIQUE INDEX accounts_by_email ON accounts (email_key);
CREATE INDEX accounts_by_mailbox ON accounts (mailbox_key);
CREATE INDEX accounts_by_base ON accounts (base_key);
CREATE INDEX accounts_by_email_rev ON accounts (email_rev);
CREATE INDEX accounts_by_name ON accounts (last_key, first_key);
CREATE INDEX accounts_deactivated ON accounts (retain_until) WHERE status = 'deactivated';

CREATE TABLE former_emails (
  account_id TEXT NOT NULL REFERENCES accounts (id),
  email TEXT NOT NULL,
  email_key TEXT NOT NULL,
  changed_at TEXT,
  PRIMARY KEY (account_id, email_key)
) STRICT;
CREATE INDEX former_emails_by_email ON former_emails (email_key);

CREATE TABLE suppressions (
  email_key TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  reason TEXT NOT NULL CHECK (reason IN ('unsubscribe', 'bounce', 'complaint')),
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE appointments (
  id TEXT PRIMARY KEY,
  provider_id TEXT NOT NULL REFERENCES accounts (id),
  client_id TEXT NOT NULL REFERENCES accounts (id),
  starts_at TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('intake', 'session')),
  booked_via TEXT NOT NULL CHECK (booked_via IN ('search', 'provider'))
) STRICT;
CREATE INDEX appointments_by_provider ON appointments (provider_id, client_id, starts_at);
CREATE INDEX appointments_by_client ON appointments (client_id, starts_at);

CREATE TABLE progress_notes (
  id TEXT PRIMARY KEY,
  provider_id TEXT NOT NULL REFERENCES accounts (id),
  client_id TEXT NOT NULL REFERENCES accounts (id),
  session_date TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT '',
  signed_at TEXT
) STRICT;
CREATE INDEX progress_notes_by_provider ON progress_notes (provider_id, client_id, session_date);

-- Emails that actions asked for; the platform's mail service drains it and mints any token itself.
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  to_email TEXT NOT NULL,
  template TEXT NOT NULL,
  subject TEXT NOT NULL,
  account_id TEXT REFERENCES accounts (id),
  ticket TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed', 'cancelled'))
) STRICT;
CREATE INDEX outbox_by_account ON outbox (account_id, template, created_at);
CREATE INDEX outbox_by_ticket ON outbox (ticket);
CREATE INDEX outbox_by_to ON outbox (to_email);
CREATE INDEX outbox_by_status ON outbox (status, created_at);

-- Batch tickets applied, so that a ticket is never applied twice (same run, later run, other agent).
CREATE TABLE processed_tickets (
  ticket_id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  email TEXT NOT NULL,
  outcome TEXT NOT NULL,
  account_id TEXT,
  detail TEXT NOT NULL,
  agent TEXT NOT NULL,
  processed_at TEXT NOT NULL
) STRICT;

-- Append-only and hash-chained: each row's hash covers its fields and the previous row's hash.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  agent TEXT NOT NULL,
  action TEXT NOT NULL,
  ticket TEXT,
  account_id TEXT,
  outcome TEXT NOT NULL,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
) STRICT;
CREATE INDEX audit_by_ticket ON audit_log (ticket);
CREATE INDEX audit_by_account ON audit_log (account_id);
CREATE INDEX audit_by_time ON audit_log (at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`,
  },
  {
    // Changes cx makes become pending changes that `cx sync push` delivers (the outbox becomes a view of
    // the email ones); the ticket ledger is keyed by (help desk, ticket, action, account); every mirror
    // gets an id, and keeps the audit anchor the platform returns.
    version: 2,
    sql: `
CREATE TABLE mirror_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
INSERT INTO mirror_meta (key, value) VALUES ('mirror_id', lower(hex(randomblob(16))));

CREATE TABLE changes (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,               -- hex SHA-256 of desk|ticket|action|account|kind|n (docs/platform-api.md)
  kind TEXT NOT NULL CHECK (kind IN ('email', 'deactivate_client', 'terminate_provider', 'lift_suppression')),
  account_id TEXT REFERENCES accounts (id),
  desk TEXT NOT NULL,
  ticket TEXT NOT NULL,
  action TEXT NOT NULL,                   -- the ticket action (batch type) that made it
  n INTEGER NOT NULL CHECK (n >= 1),      -- the same desk, ticket, action, account and kind counted from 1
  agent TEXT NOT NULL,
  created_at TEXT NOT NULL,
  data TEXT NOT NULL CHECK (json_valid(data)),
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,                   -- not before this time (a Retry-After, a backoff); null: now
  last_error TEXT,
  receipt TEXT,
  delivered_at TEXT,
  lease_owner TEXT,                       -- the push run that claimed it, until lease_until
  lease_until TEXT,
  reconciled_at TEXT,                     -- an import compared the platform's value with it after delivery
  template TEXT GENERATED ALWAYS AS (json_extract(data, '$.template')) VIRTUAL,
  to_email TEXT GENERATED ALWAYS AS (json_extract(data, '$.to')) VIRTUAL
) STRICT;
CREATE INDEX changes_queue ON changes (state, id);
CREATE INDEX changes_by_account ON changes (account_id, id);
CREATE INDEX changes_by_ticket ON changes (ticket, desk, action, account_id, kind);
CREATE INDEX changes_emails_by_account ON changes (account_id, template, created_at) WHERE kind = 'email';
CREATE INDEX changes_emails_by_to ON changes (to_email) WHERE kind = 'email';

CREATE TABLE processed_tickets_v2 (
  desk TEXT NOT NULL,
  ticket_id TEXT NOT NULL,
  action TEXT NOT NULL,
  account_id TEXT NOT NULL DEFAULT '',    -- '' when the ticket named no single account
  email TEXT NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT NOT NULL,
  agent TEXT NOT NULL,
  processed_at TEXT NOT NULL,
  via TEXT NOT NULL CHECK (via IN ('batch', 'command')),
  PRIMARY KEY (desk, ticket_id, action, account_id)
) STRICT;

CREATE TABLE audit_anchor (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  anchored_id INTEGER NOT NULL,
  anchored_hash TEXT NOT NULL,
  anchored_at TEXT NOT NULL
) STRICT;
`,
    after: moveOutboxIntoChanges,
  },
  {
    // Two indexes on changes that every insert paid for and no query needs (issue 14: a batch writes a
    // change for most tickets). An account has a handful of changes, so its recent or earlier emails are
    // found through changes_by_account (account_id, id) as fast; and the outbox's filter by address reads
    // lower(to_email), which the partial index on to_email never served (it was scanned whole). Without
    // them the VIRTUAL template and to_email columns are computed only when read.
    version: 3,
    sql: `
DROP INDEX changes_emails_by_account;
DROP INDEX changes_emails_by_to;
`,
  },
  {
    // audit_accounts (issue 20 §2): every account an audit row is about beyond its account_id (every account
    // a read showed, every client whose notes a zip held), however many, in the order the row lists them.
    // The row's detail ends with their count and SHA-256 (src/rules/audit-accounts.ts), so the chain covers
    // them; append-only like the log. Searched by account for `cx audit --email`: the first 1,000 ids of a
    // row through audit_accounts_by_account; the rest of a longer list (a listing of thousands of accounts)
    // is read when searched, its rows found through audit_accounts_long. An index entry per account lands in
    // a page of its own, so indexing every id of a 12,000-account read would rewrite up to 12,000 pages of
    // the index (tens of MB) on every such read; past 1,000 its ids are written in order, a few dozen pages.
    // Rows before this migration name their accounts in their detail only: audit_lists_from is the first
    // row that keeps its list here.
    version: 4,
    sql: `
CREATE TABLE audit_accounts (
  audit_id INTEGER NOT NULL REFERENCES audit_log (id),
  position INTEGER NOT NULL,
  account_id TEXT NOT NULL,
  PRIMARY KEY (audit_id, position)
) STRICT, WITHOUT ROWID;
CREATE INDEX audit_accounts_by_account ON audit_accounts (account_id, audit_id) WHERE position < 1000;
CREATE INDEX audit_accounts_long ON audit_accounts (audit_id) WHERE position = 1000;
CREATE TRIGGER audit_accounts_no_update BEFORE UPDATE ON audit_accounts
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_accounts_no_delete BEFORE DELETE ON audit_accounts
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
INSERT INTO mirror_meta (key, value) VALUES ('audit_lists_from', (SELECT CAST(coalesce(max(id), 0) + 1 AS TEXT) FROM audit_log));
`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
