// Every cx command: its name, summary, examples and the global options it honours, and where its code is.
// Only the command that runs is imported. A test checks that every entry has a summary, two or three
// examples that name it, and that its help lists them.
import type { CommandEntry, GlobalHelp } from '../cmdutil/define.js';
import { EXAMPLE_DATE } from '../rules/dates.js';

const JSON_OUT: GlobalHelp = ['--json', 'machine-readable output on stdout'];
const JSON_OUTCOME: GlobalHelp = ['--json', 'the outcome object on stdout (also for a refusal or not-found)'];
const TICKET_CHANGE: GlobalHelp = ['--ticket <id>', 'the ticket the change is filed under (asked in a terminal, required elsewhere)'];
const TICKET_READ: GlobalHelp = ['--ticket <id>', 'recorded with this read of patient data in the audit log'];
const TICKET_FILTER: GlobalHelp = ['--ticket <id>', 'only the rows of this ticket'];
const YES: GlobalHelp = ['-y, --yes', 'no confirmation prompt (required without a terminal)'];
const DRY_RUN: GlobalHelp = ['--dry-run', 'say what would happen, change nothing'];

const CHANGE = [TICKET_CHANGE, YES, DRY_RUN, JSON_OUTCOME];

export const COMMANDS: CommandEntry[] = [
  {
    name: 'desk',
    summary: 'the guided desk: asks what the person needs and runs the same actions, step by step (also: cx alone in a terminal)',
    examples: ['cx desk', 'cx desk --ticket 48213', 'cx desk --dry-run'],
    globals: [
      ['--ticket <id>', 'the ticket to start with (kept for every step until changed in the menu)'],
      ['--dry-run', 'practice: every change is planned and shown, nothing changes'],
      ['-y, --yes', 'no confirmation before each change'],
    ],
    load: () => import('./desk.js'),
  },
  {
    name: 'lookup',
    args: '[email]',
    summary: 'find the accounts an address, an account id, or a name and date of birth identifies',
    examples: ['cx lookup " Jane.Doe@GoogleMail.com "', 'cx lookup --id p202', `cx lookup --name "Maria Garcia" --dob ${EXAMPLE_DATE}`],
    globals: [TICKET_READ, JSON_OUT],
    load: () => import('./lookup.js'),
  },
  {
    name: 'family',
    args: '[email]',
    summary: "list the accounts that share a mailbox, flagging any under the holder's name or date of birth; --audit: the whole mirror",
    examples: ['cx family jane.doe@gmail.com', 'cx family jane.doe@gmail.com --suggest "Max"', 'cx family --audit --out family-audit.csv'],
    globals: [TICKET_READ, JSON_OUT],
    load: () => import('./family.js'),
  },
  {
    name: 'reset',
    args: '<email>',
    summary: 'queue a password reset (client or provider flow), or the verification email for an unverified account',
    examples: ['cx reset jane.doe@gmail.com --ticket 48213', 'cx reset priya.raman@hotmail.com --resubscribe --ticket 48213', 'cx reset noah.kim@icloud.com --ticket 48213 --dry-run'],
    globals: CHANGE,
    load: () => import('./reset.js'),
  },
  {
    name: 'resubscribe',
    args: '<email>',
    summary: 'take an address off the global unsubscribe list',
    examples: ['cx resubscribe priya.raman@hotmail.com --ticket 48213', 'cx resubscribe grace.whitaker@aol.com --force --reason "address confirmed by phone" --ticket 48213'],
    globals: CHANGE,
    load: () => import('./resubscribe.js'),
  },
  {
    name: 'outbox',
    summary: 'list the emails that actions have queued',
    examples: ['cx outbox --ticket 48213', 'cx outbox --email jane.doe@gmail.com --status pending', 'cx outbox --since 2026-11-01 --limit 50'],
    globals: [TICKET_FILTER, JSON_OUT],
    load: () => import('./outbox.js'),
  },
  {
    name: 'deactivate',
    args: '<email>',
    summary: "deactivate a client's account; nothing is deleted, the record is kept until its retention date",
    examples: ['cx deactivate client@example.com --ticket 48214', 'cx deactivate client@example.com --requested-by client@example.com --ticket 48214 --dry-run'],
    globals: CHANGE,
    load: () => import('./deactivate.js'),
  },
  {
    name: 'retention',
    summary: 'list deactivated records, their retention dates and rules, and which are due',
    examples: ['cx retention --due', 'cx retention --due --as-of 2033-01-01', 'cx retention --since 2026-01-01 --limit 20'],
    globals: [TICKET_READ, JSON_OUT],
    load: () => import('./retention.js'),
  },
  {
    name: 'offboard',
    args: '<provider-email>',
    summary: "terminate a provider's contract and show which clients may leave with them and which stay",
    examples: ['cx offboard provider@example.com --ticket 48215', 'cx offboard provider@example.com --effective 2026-12-31 --out caseload.csv --ticket 48215'],
    globals: CHANGE,
    load: () => import('./offboard.js'),
  },
  {
    name: 'notes',
    summary: 'progress notes',
    examples: ['cx notes export provider@example.com --ticket 48216'],
    children: [
      {
        name: 'export',
        args: '<provider-email>',
        summary: "zip a provider's progress notes, found by current or former address",
        examples: [
          'cx notes export old.address@example.com --ticket 48216 --out notes.zip --verify',
          'cx notes export provider@example.com --client client@example.com --since 2025-01-01 --until 2025-12-31 --ticket 48216',
        ],
        globals: CHANGE,
        load: () => import('./notes/export.js'),
      },
    ],
  },
  {
    name: 'batch',
    args: '<tickets>',
    summary: 'process a CSV ticket export (or - for stdin), one result row per ticket',
    examples: ['cx batch tickets.csv --out results.csv --yes', 'cx batch tickets.csv --dry-run', 'cx batch zendesk.csv --type-column "CX action [list]" --out results.csv --yes'],
    globals: [YES, DRY_RUN, ['--json', 'the summary {"rows","by_outcome","out"} on stdout (needs --out)']],
    load: () => import('./batch.js'),
  },
  {
    name: 'audit',
    summary: 'show the audit log; --verify checks its hash chain',
    examples: ['cx audit --ticket 48213', 'cx audit --email jane.doe@gmail.com --since 2026-11-01', 'cx audit --verify'],
    globals: [TICKET_FILTER, JSON_OUT],
    load: () => import('./audit.js'),
  },
  {
    name: 'sync',
    summary: 'deliver pending changes and the audit log to the platform; show and retry them',
    examples: ['cx sync status'],
    children: [
      {
        name: 'push',
        summary: 'deliver the pending changes, then the audit log, to the platform (CX_PLATFORM_URL, signed)',
        examples: ['cx sync push', 'cx sync push --dry-run', 'cx sync push --json'],
        globals: [DRY_RUN, JSON_OUT],
        load: () => import('./sync/push.js'),
      },
      {
        name: 'status',
        summary: 'count pending, delivered and failed changes; list failures; show the audit anchor',
        examples: ['cx sync status', 'cx sync status --json'],
        globals: [JSON_OUT],
        load: () => import('./sync/status.js'),
      },
      {
        name: 'retry',
        args: '[key]',
        summary: 'make a failed change (or every one, --failed) pending again, or a waiting one (--waiting) due now, with the same key',
        examples: ['cx sync retry --failed', 'cx sync retry --waiting', 'cx sync retry 3f9a…'],
        globals: [['--ticket <id>', 'named in the audit rows of the changes retried'], DRY_RUN, JSON_OUT],
        load: () => import('./sync/retry.js'),
      },
    ],
  },
  {
    name: 'db',
    summary: 'create, load and check the local mirror',
    examples: ['cx db seed --demo'],
    children: [
      {
        name: 'init',
        summary: 'create an empty encrypted mirror (or bring an existing one to the current schema)',
        examples: ['cx db init --db data/mirror.db', 'cx db init --dry-run', 'cx db init --plaintext --db /tmp/synthetic.db'],
        globals: [DRY_RUN, JSON_OUT],
        load: () => import('./db/init.js'),
      },
      {
        name: 'seed',
        summary: 'load the demo data (fixtures/demo) into the mirror',
        examples: ['cx db seed --demo', 'cx db seed --demo --db /tmp/demo.db', 'cx db seed --demo --plaintext --db /tmp/demo.db'],
        globals: [['--ticket <id>', 'recorded with the import in the audit log'], DRY_RUN, JSON_OUT],
        load: () => import('./db/seed.js'),
      },
      {
        name: 'import',
        args: '<dir>',
        summary: 'load CSV exports (accounts.csv, former_emails.csv, ...) in one transaction',
        examples: ['cx db import exports/2026-11-27', 'cx db import exports/2026-11-27 --dry-run'],
        globals: [['--ticket <id>', 'recorded with the import in the audit log'], DRY_RUN, JSON_OUT],
        load: () => import('./db/import.js'),
      },
      {
        name: 'encrypt',
        summary: "encrypt a plaintext mirror in place, all or nothing (its key goes to the credential store, or cx's own key file)",
        examples: ['cx db encrypt', 'cx db encrypt --db ~/cx/mirror.db --dry-run'],
        globals: [['--ticket <id>', 'recorded with the conversion in the audit log'], DRY_RUN, JSON_OUT],
        load: () => import('./db/encrypt.js'),
      },
      {
        name: 'rekey',
        summary: 'give the mirror a new key, all or nothing; the old key is removed from where cx kept it',
        examples: ['cx db rekey', 'cx db rekey --new-key-file ~/keys/mirror-2026.key'],
        globals: [['--ticket <id>', 'recorded with the new key in the audit log'], DRY_RUN, JSON_OUT],
        load: () => import('./db/rekey.js'),
      },
      {
        name: 'doctor',
        summary: 'check the mirror: integrity, foreign keys, schema, audit log, policy; --strict is the CI smoke gate',
        examples: ['cx db doctor', 'cx db doctor --strict --max-age 26 --min-accounts 1000 --json'],
        globals: [JSON_OUT],
        load: () => import('./db/doctor.js'),
      },
    ],
  },
  {
    name: 'config',
    summary: 'show the effective settings and where each came from (flag, environment, config file, default)',
    examples: ['cx config', 'cx config --json'],
    globals: [JSON_OUT],
    load: () => import('./config.js'),
    children: [
      {
        name: 'get',
        args: '<key>',
        summary: 'print the value cx uses for one setting',
        examples: ['cx config get db', 'cx config get tz --json'],
        globals: [['--json', '{"name","value","source","from"} on stdout']],
        load: () => import('./config/get.js'),
      },
      {
        name: 'set',
        args: '<key> <value>',
        summary: 'write one setting into the config file (checked; the file 0600, replaced in one step)',
        examples: ['cx config set tz America/Chicago', 'cx config set db ~/cx/mirror.db', 'cx config set desk zendesk --dry-run'],
        globals: [DRY_RUN, ['--json', '{"outcome","detail","key","value","config_file"} on stdout']],
        load: () => import('./config/set.js'),
      },
      {
        name: 'unset',
        args: '<key>',
        summary: 'take one setting out of the config file',
        examples: ['cx config unset desk', 'cx config unset platform_url --dry-run'],
        globals: [DRY_RUN, ['--json', '{"outcome","detail","key","value","config_file"} on stdout']],
        load: () => import('./config/unset.js'),
      },
    ],
  },
  {
    name: 'completion',
    args: '<shell>',
    summary: 'print the shell completion script for bash, zsh or fish (commands and options only)',
    // The install lines (the folder made first) are in its help: an example must work pasted on a fresh machine.
    examples: ['cx completion bash', 'cx completion zsh', 'cx completion fish'],
    globals: [],
    load: () => import('./completion.js'),
  },
];
