// Every cx command: its name, summary and example, and where its code is. Only the command that runs is
// imported. A test checks that every entry has a summary and an example that names it.
import type { CommandEntry } from './define.js';

export const COMMANDS: CommandEntry[] = [
  {
    name: 'lookup',
    args: '[email]',
    summary: 'find the account(s) an address (or a name and date of birth) identifies',
    example: 'cx lookup " Jane.Doe@GoogleMail.com "',
    load: () => import('./lookup.js'),
  },
  {
    name: 'family',
    args: '<email>',
    summary: 'list the accounts that share a mailbox; --suggest proposes a unique +alias address',
    example: 'cx family jane.doe@gmail.com --suggest "Sam Doe"',
    load: () => import('./family.js'),
  },
  {
    name: 'reset',
    args: '<email>',
    summary: 'queue a password reset (client or provider flow), or the verification email for an unverified account',
    example: 'cx reset jane.doe@gmail.com --ticket 48213',
    load: () => import('./reset.js'),
  },
  {
    name: 'resubscribe',
    args: '<email>',
    summary: 'take an address off the global unsubscribe list',
    example: 'cx resubscribe jane.doe@gmail.com --ticket 48213',
    load: () => import('./resubscribe.js'),
  },
  {
    name: 'outbox',
    summary: 'list the emails that actions have queued',
    example: 'cx outbox --ticket 48213',
    load: () => import('./outbox.js'),
  },
  {
    name: 'deactivate',
    args: '<email>',
    summary: "deactivate a client's account; nothing is deleted, the record is kept until its retention date",
    example: 'cx deactivate client@example.com --ticket 48214',
    load: () => import('./deactivate.js'),
  },
  {
    name: 'retention',
    summary: 'list deactivated records, their retention dates and rules, and which are due',
    example: 'cx retention --due --as-of 2033-01-01',
    load: () => import('./retention.js'),
  },
  {
    name: 'offboard',
    args: '<provider-email>',
    summary: "terminate a provider's contract and show which clients may leave with them and which stay",
    example: 'cx offboard provider@example.com --ticket 48215 --out caseload.csv',
    load: () => import('./offboard.js'),
  },
  {
    name: 'notes',
    summary: 'progress notes',
    example: 'cx notes export provider@example.com --ticket 48216',
    children: [
      {
        name: 'export',
        args: '<provider-email>',
        summary: "zip a provider's progress notes, found by current or former address",
        example: 'cx notes export old.address@example.com --ticket 48216 --out notes.zip --verify',
        load: () => import('./notes/export.js'),
      },
    ],
  },
  {
    name: 'batch',
    args: '<tickets>',
    summary: 'process a CSV ticket export (or - for stdin), one result row per ticket',
    example: 'cx batch tickets.csv --out results.csv --yes',
    load: () => import('./batch.js'),
  },
  {
    name: 'audit',
    summary: 'show the audit log; --verify checks its hash chain',
    example: 'cx audit --ticket 48213',
    load: () => import('./audit.js'),
  },
  {
    name: 'sync',
    summary: 'deliver pending changes and the audit log to the platform; show and retry them',
    example: 'cx sync status',
    children: [
      {
        name: 'push',
        summary: 'deliver the pending changes, then the audit log, to the platform (CX_PLATFORM_URL, signed)',
        example: 'cx sync push --json',
        load: () => import('./sync/push.js'),
      },
      {
        name: 'status',
        summary: 'count pending, delivered and failed changes; list failures; show the audit anchor',
        example: 'cx sync status --json',
        load: () => import('./sync/status.js'),
      },
      {
        name: 'retry',
        args: '[key]',
        summary: 'make a failed change (or every one, --failed) pending again, with the same key',
        example: 'cx sync retry --failed',
        load: () => import('./sync/retry.js'),
      },
    ],
  },
  {
    name: 'db',
    summary: 'create, load and check the local mirror',
    example: 'cx db seed --demo',
    children: [
      {
        name: 'init',
        summary: 'create an empty mirror (or bring an existing one to the current schema)',
        example: 'cx db init --db data/mirror.db',
        load: () => import('./db/init.js'),
      },
      {
        name: 'seed',
        summary: 'load the demo data (fixtures/demo) into the mirror',
        example: 'cx db seed --demo',
        load: () => import('./db/seed.js'),
      },
      {
        name: 'import',
        args: '<dir>',
        summary: 'load CSV exports (accounts.csv, former_emails.csv, ...) in one transaction',
        example: 'cx db import exports/2026-11-27',
        load: () => import('./db/import.js'),
      },
      {
        name: 'doctor',
        summary: 'check the mirror: integrity, foreign keys, schema version, journal mode, row counts',
        example: 'cx db doctor --json',
        load: () => import('./db/doctor.js'),
      },
    ],
  },
];
