// What actions return (docs/reference.md#outcomes, #json-output): the base every result holds, and each
// change's own result, a union on `outcome` with the keys that outcome carries. Types only, no code: the
// actions build these values (their return types say so, so a key renamed in an action is renamed here),
// the commands print them, batch records them, and the advice in src/rules/guidance.ts reads them through
// type-only imports, so a reader of a renamed key stops compiling until it follows.
import type { Outcome } from '../errors.js';
import type { DirectKind } from '../files/target.js';
import type { ResetTemplate, SuppressionReason } from '../rules/outgoing-email.js';
import type { Account } from '../store/accounts.js';
import type { OutboxStatus } from '../store/outbox.js';
import type { MatchedBy } from './find-account.js';

export type { Outcome };

/** What every action returns: the outcome, one sentence saying it, and the account it is about (or null). */
export interface ActionResult {
  outcome: Outcome;
  detail: string;
  account_id: string | null;
}

/** The base with one outcome; a union of outcomes gives one variant each (`Result<'planned' | 'done'>`). */
export type Result<O extends Outcome> = O extends Outcome ? { outcome: O; detail: string; account_id: string | null } : never;

/** A result about a known account. */
export interface About {
  account_id: string;
}

/** One of several accounts an address identifies (the agent is asked for the exact address). */
export interface Candidate {
  id: string;
  email: string;
}

/**
 * Why a change has no single account to act on (src/actions/common.ts, changeAccountOf): an unusable
 * address (with `try_address` when it was an address pasted with a name: `Jane Doe <jane.doe@gmail.com>`);
 * no account; no account but a +alias sibling in the same mailbox (`try_address`, if it is this person); or
 * several accounts. account_id is null, except where an action names the account it was
 * about (notes export's --client: the provider's).
 */
export type NoSingleAccount =
  | Result<'invalid'>
  | (Result<'invalid'> & { try_address: string })
  | Result<'not_found'>
  | (Result<'not_found'> & { try_address: string })
  | (Result<'refused'> & { candidates: Candidate[] });

/** The account as a preview or a JSON reader needs it (src/actions/summaries.ts). */
export interface AccountSummary {
  id: string;
  email: string;
  name: string;
  role: Account['role'];
  status: Account['status'];
  verified: boolean;
}

/** Why and since when an address gets no email. */
export interface SuppressionSummary {
  reason: SuppressionReason;
  since: string;
}

/** A ticket a batch recorded before (src/batch/ledger.ts): never done twice. */
export type AlreadyRecorded = Result<'already_done'> & { processed_at: string };

/**
 * A hand-over of a file that did not happen (src/actions/handover.ts): the detail says why; invalid when a
 * file appeared at the path meanwhile (an existing --out is a usage error, exit 2).
 */
export type HandoverFailure = Result<'error' | 'invalid'>;

// ---- cx reset -------------------------------------------------------------------------------------

/** The email a reset queues (or would): `template` and `to` are promised then (docs/reference.md#json-of-cx-reset). */
export interface ResetEmail {
  account: AccountSummary;
  template: ResetTemplate;
  to: string;
  subject: string;
  /** An unsubscribe lifted first (--resubscribe). */
  resubscribed: boolean;
}

export type ResetResult =
  | NoSingleAccount
  /** A deactivated client or a terminated provider: it cannot sign in. */
  | (Result<'refused'> & About & { account: AccountSummary; deactivated_at: string | null })
  | (Result<'refused'> & About & { account: AccountSummary; contract_ends_at: string | null })
  /** A suppressed address: `fix` lifts it (for an unsubscribe, together with the reset). */
  | (Result<'refused'> & About & { account: AccountSummary; suppression: SuppressionSummary; fix: string })
  /**
   * The same email is in the outbox from a moment ago (`queued_at`); `email_status` says whether a push has
   * delivered it to the platform yet (pending: it has not gone out).
   */
  | (Result<'already_done'> & About & { account: AccountSummary; template: string; to: string; subject: string; outbox_id: number; queued_at: string; email_status: OutboxStatus })
  | (Result<'planned'> & About & ResetEmail)
  | (Result<'done'> & About & ResetEmail & { outbox_id: number });

// ---- cx resubscribe -------------------------------------------------------------------------------

/** An address on the list: the account using it, when one does (an address no account uses may be lifted too). */
interface Listed {
  address: string;
  suppression: SuppressionSummary;
  account?: AccountSummary;
}

export type ResubscribeResult =
  /** --force without a reason, or an unusable address. */
  | Result<'invalid'>
  | (Result<'refused'> & { candidates: Candidate[] })
  /** No account uses the address, and it is not on the list. */
  | (Result<'not_found'> & { address: string; suppression: null })
  /** The account's address is not on the list. */
  | (Result<'already_done'> & About & { address: string; suppression: null; account: AccountSummary })
  /** A bounce or a complaint without --force: `fix` is the forced command. */
  | (Result<'refused'> & Listed & { fix: string })
  | (Result<'planned' | 'done'> & Listed & { forced: boolean });

// ---- cx deactivate --------------------------------------------------------------------------------

/** A deactivation that goes ahead (planned or done): the dates kept and what the agent needs next. */
export interface Deactivation {
  email: string;
  retain_until: string;
  retention_rule: string;
  retention_recorded: true;
  last_service: string;
  /** The "next steps" email, when one is queued. */
  template?: string;
  to?: string;
  /** A suppressed address gets no email: the agent follows up another way. */
  suppression?: SuppressionSummary;
  follow_up?: string;
  /** An appointment still booked, to be cancelled on the platform. */
  next_appointment?: { at: string; provider_id: string };
}

export type DeactivateResult =
  | NoSingleAccount
  /** An unusable --requested-by (account_id null), or a record whose retention date cannot be computed. */
  | Result<'invalid'>
  /** A provider: they leave by contract termination (`next_command`). */
  | (Result<'refused'> & About & { email: string; role: Account['role']; next_command: string })
  /** The request did not come from the account's own address. */
  | (Result<'refused'> & About & { email: string; requester_refused: true })
  /** A client account with status terminated. */
  | (Result<'refused'> & About)
  /** Deactivated before: the recorded dates, or for an imported one the date computed now (not recorded). */
  | (Result<'already_done'> &
      About & { email: string; deactivated_at: string | null; retain_until: string | null; retention_rule: string | null; retention_recorded: boolean })
  | (Result<'planned'> & About & Deactivation)
  | (Result<'done'> & About & Deactivation & { deactivated_at: string });

// ---- cx offboard ----------------------------------------------------------------------------------

/** One caseload row: the JSON `clients` entries and the caseload CSV have exactly these columns. */
export interface CaseloadEntry {
  id: string;
  email: string;
  name: string;
  status: string;
  source: 'search' | 'provider';
  may_leave: boolean;
  /** YYYY-MM-DD of the initial intake; null when there is none (then the client stays, pending a check). */
  intake_date: string | null;
  /** YYYY-MM-DD of the last appointment at or before now, and of the next one after now. */
  last_appointment: string | null;
  next_appointment: string | null;
}

/** The provider's caseload split, reported whenever there is a contract to end or that ended. */
export interface CaseloadReport {
  email: string;
  name: string;
  clients: CaseloadEntry[];
  may_leave_count: number;
  stay_count: number;
  progress_notes: number;
}

/** A termination with its day: planned, done, or already scheduled. */
interface Termination extends CaseloadReport {
  contract_ends_at: string;
  /** The day is ahead: the provider stays active until then. */
  scheduled: boolean;
}

export type OffboardResult =
  | NoSingleAccount
  /** The effective date is not a date, or one the contract cannot end on. */
  | Result<'invalid'>
  /** A client: they close their account with `next_command`. */
  | (Result<'refused'> & About & { email: string; role: Account['role']; next_command: string })
  /** A deactivated account, not an active contract. */
  | (Result<'refused'> & About)
  /** An effective date far back: `fix` is the command with --allow-past. */
  | (Result<'refused'> & About & { fix: string })
  /** Terminated before (no date when it came so from the import). */
  | (Result<'already_done'> & About & CaseloadReport & { contract_ends_at: string | null })
  /** Already scheduled: for that day (already done), or another (refused: it is moved on the platform). */
  | (Result<'already_done' | 'refused'> & About & Termination & { scheduled: true })
  | (Result<'planned' | 'done'> & About & Termination);

// ---- cx notes export ------------------------------------------------------------------------------

/** The zip of an export: where, how many notes, with which filters; sha256 once written. */
export interface NotesZip {
  email: string;
  matched_by: MatchedBy;
  path: string;
  notes: number;
  /** The clients whose notes the zip holds (or would), by id: each is named by the export's audit rows. */
  client_ids: string[];
  sha256: string | null;
  filters: { client_id: string | null; since: string | null; until: string | null };
}

/** What was written: bytes, and where they went (a file cx made 0600, or a device, pipe or stdout file). */
export interface Written {
  bytes: number | null;
  written_to: 'file' | 'standard output' | Exclude<DirectKind, 'file'>;
}

export type NotesExportResult =
  /** The provider's address (with --client, the client's: then account_id is the provider's). */
  | NoSingleAccount
  /** Bad filters, a path that cannot be written, --verify to a device or a pipe. */
  | Result<'invalid'>
  /** A client: only a provider's notes are exported. */
  | (Result<'refused'> & About & { role: Account['role'] })
  /** No notes about that client. */
  | (Result<'not_found'> & About)
  /** No notes in the filter: no file. */
  | (Result<'not_found'> & About & Omit<NotesZip, 'path'> & { path: null })
  /** The file exists and --force was not given: a usage error (exit 2), as for every --out. */
  | (Result<'invalid'> & About & NotesZip & { exists: true })
  | (Result<'planned'> & About & NotesZip)
  /** Handed over; with --verify, read back and checked. */
  | (Result<'done'> & About & NotesZip & Written & { verified?: true; verified_entries?: number })
  /** Handed over, but it does not verify: do not send it. */
  | (Result<'error'> & About & NotesZip & Written & { verified: false; problems: string[] })
  /** The zip could not be written. */
  | (Result<'error'> & About & NotesZip)
  | HandoverFailure
  | AlreadyRecorded;

// ---- cx batch -------------------------------------------------------------------------------------

/** A lookup ticket: found (planned in a dry run), not found, or an unusable row. */
export type LookupTicketResult = Result<'invalid' | 'not_found' | 'planned' | 'done'>;
