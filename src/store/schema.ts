// The mirror's schema, as migrations applied in order; PRAGMA user_version holds the last one applied.
// Never edit a migration that has shipped: add the next one.

export interface Migration {
  version: number;
  sql: string;
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
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
