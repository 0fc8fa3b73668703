// `cx lookup`: who an address (or a name) identifies, and what a support agent needs to know about them.
// HIPAA minimum necessary: name, role, status, verified, suppression, created / last active; a provider's
// contract and caseload counts; a client's providers and retention date. Never a note, never a full date of
// birth unless the agent typed it (--dob), never anything else from the row (state, verification times).
// A read: no transaction, no audit row, nothing written.
import { effectiveStatus, scheduledEnd } from '../rules/contract.js';
import { dateOf, today } from '../rules/dates.js';
import { fullName, nameOrder } from '../rules/names.js';
import { isDisposableDomain, suggestDomain } from '../rules/address.js';
import { readPasted } from '../rules/pasted-address.js';
import { clientSource, type BookedVia } from '../rules/sourcing.js';
import { accountById, accountsByName, NAME_MATCH_LIMIT, suppressionFor, type Account, type Suppression } from '../store/accounts.js';
import { intakesByClient } from '../store/caseload.js';
import { pendingEmailOf } from '../store/outbox.js';
import type { Db } from '../store/db.js';
import { clientIdsOfProvider, intakesOfPair, providersOfClient } from '../store/lookup-details.js';
import { familyOf, findByAddress, type MatchedBy } from './find-account.js';
import { nameKeyPairs } from './lookup-name.js';
import { suggestAddresses } from './lookup-suggest.js';

export interface LookupDeps {
  db: Db;
  now: Date;
}

export interface AccountRef {
  id: string;
  email: string;
  name: string;
}

export interface Retention {
  /** null until completeRetention (actions/lookup-retention.ts) fills it in from the policy. */
  retain_until: string | null;
  rule: string | null;
  /** true: the date cx recorded when it deactivated the account; false: computed now from the policy. */
  recorded: boolean;
}

/** Clients by where they came from (rules/sourcing.ts: their initial intake with this provider). */
export type CaseloadCounts = Record<BookedVia, number>;

export interface FamilyMember extends AccountRef {
  /** The base mailbox the account shares with a match (see Match.mailbox). */
  mailbox: string;
}

/** An email queued for the account that has not gone out yet: the next `cx sync push` sends it. */
export interface PendingEmail {
  outbox_id: number;
  template: string;
  subject: string;
  to: string;
  ticket: string;
  queued_at: string;
}

export interface Match {
  id: string;
  email: string;
  role: Account['role'];
  status: Account['status'];
  verified: boolean;
  matched_by: MatchedBy | 'name' | 'id';
  suppression: null | { reason: Suppression['reason']; since: string };
  name: string;
  created_at: string;
  last_active_at: string | null;
  disposable: boolean;
  /** The base mailbox of the account's address: family members with the same value belong to this match. */
  mailbox: string;
  /** The latest email queued for the account that no push has delivered yet; null when none waits. */
  pending_email: PendingEmail | null;
  /** Only when the agent gave --dob (so it is the date they typed). */
  dob?: string;
  /**
   * ends_at: the termination's effective date: ahead while it is scheduled (status still active), passed
   * once terminated; null for an active contract with no end, or one terminated before cx.
   */
  contract?: { status: 'active' | 'terminated'; ends_at: string | null };
  caseload?: CaseloadCounts;
  providers?: Array<AccountRef & { source: BookedVia }>;
  retention?: Retention;
}

export interface LookupReport {
  query: string;
  matches: Match[];
  family: FamilyMember[];
  suggestions: string[];
  /** The address as cx reads it (trimmed, lower-case, without <> or mailto:); name searches: null. */
  address: string | null;
  /** The typed address is on a throwaway-mail domain: flagged, not refused. */
  disposable: boolean;
  /** A name search that found more than NAME_MATCH_LIMIT accounts (only the first are listed). */
  truncated: boolean;
  /** The suggestions again, each with the account that uses it (null: none does, e.g. a fixed domain typo). */
  suggested: Suggested[];
  /** The display name pasted with the address (`Jane Doe <jane.doe@gmail.com>`): a hint, never used to match. */
  pasted_name: string | null;
}

export interface Suggested {
  email: string;
  account_id: string | null;
}

export type LookupOutcome = { kind: 'invalid'; query: string; reason: string } | { kind: 'report'; report: LookupReport };

export function lookupAddress(deps: LookupDeps, raw: string): LookupOutcome {
  let found = findByAddress(deps.db, raw);
  // Pasted from a mail client or a sentence: `Jane Doe <jane@…>`, `jane@…,` (only when the text as typed is no address).
  const pasted = found.kind === 'invalid' ? readPasted(raw) : null;
  if (pasted) {
    const again = findByAddress(deps.db, pasted.address);
    if (again.kind !== 'invalid') found = again;
  }
  if (found.kind === 'invalid') return { kind: 'invalid', query: raw, reason: found.reason };
  const accounts = found.kind === 'found' ? found.accounts : [];
  const suggestions = accounts.length ? [] : suggestAddresses(deps.db, found.address);
  const report: LookupReport = {
    query: raw,
    matches: accounts.map((a) => describe(deps, a, found.kind === 'found' ? found.matchedBy : 'email')),
    family: familyOf(deps.db, found.address, accounts).map(member),
    suggestions,
    address: found.address,
    // A typo of a well-known domain (gmial.com) is reported as a typo, not also as a throwaway domain.
    disposable: isDisposableDomain(found.address) && suggestDomain(found.address) === null,
    truncated: false,
    suggested: suggestions.map((email) => ({ email, account_id: accountUsing(deps.db, email) })),
    pasted_name: pasted && found.query === pasted.address ? pasted.name : null,
  };
  return { kind: 'report', report };
}

/** The account an address identifies (as cx lookup would find it), or null. */
function accountUsing(db: Db, address: string): string | null {
  const found = findByAddress(db, address);
  return found.kind === 'found' ? found.accounts.map((a) => a.id).join(', ') : null;
}

/** `--id`, or a bare argument without `@` that is an account id; null when no account has the id. */
export function lookupId(deps: LookupDeps, raw: string): LookupOutcome | null {
  const account = accountById(deps.db, raw.trim());
  if (!account) return null;
  const report: LookupReport = {
    query: raw,
    matches: [describe(deps, account, 'id')],
    family: familyOf(deps.db, '', [account]).map(member),
    suggestions: [],
    address: null,
    disposable: false,
    truncated: false,
    suggested: [],
    pasted_name: null,
  };
  return { kind: 'report', report };
}

/** `--name "first last"` (either order) and optionally `--dob`: exact on the folded names, via the name index. */
export function lookupName(deps: LookupDeps, fullNameTyped: string, dob: string | null): LookupOutcome {
  const pairs = nameKeyPairs(fullNameTyped);
  if (!pairs.length) {
    return { kind: 'invalid', query: fullNameTyped, reason: 'give a first and a last name, e.g. --name "Zoe Oneil"' };
  }
  const byId = new Map<string, Account>();
  for (const { first, last } of pairs) {
    for (const a of accountsByName(deps.db, first, last, dob)) byId.set(a.id, a);
  }
  const all = [...byId.values()];
  const listed = all.slice(0, NAME_MATCH_LIMIT);
  const byName = nameOrder(listed.map(fullName));
  // Namesakes by id, compared as text (localeCompare would make the collator for them after all).
  const accounts = listed.sort((a, b) => byName(fullName(a), fullName(b)) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const matches = accounts.map((a) => ({ ...describe(deps, a, 'name'), ...(dob ? { dob } : {}) }));
  const report: LookupReport = {
    query: fullNameTyped,
    matches,
    family: familyOf(deps.db, '', accounts).map(member),
    suggestions: [],
    address: null,
    disposable: false,
    truncated: all.length > NAME_MATCH_LIMIT,
    suggested: [],
    pasted_name: null,
  };
  return { kind: 'report', report };
}


export function ref(a: Pick<Account, 'id' | 'email' | 'first_name' | 'last_name'>): AccountRef {
  return { id: a.id, email: a.email, name: fullName(a) };
}

function member(a: Account): FamilyMember {
  return { ...ref(a), mailbox: a.base_key };
}

/** Whether a deactivated client's retention date must still be computed (actions/lookup-retention.ts). */
export function needsRetention(report: LookupReport): boolean {
  return report.matches.some((m) => m.retention && !m.retention.recorded && m.retention.retain_until === null);
}

function describe(deps: LookupDeps, a: Account, matchedBy: Match['matched_by']): Match {
  const suppressed = suppressionFor(deps.db, a.email_key);
  const match: Match = {
    id: a.id,
    email: a.email,
    role: a.role,
    status: effectiveStatus(a, today(deps.now)),
    verified: a.email_verified_at !== null,
    matched_by: matchedBy,
    suppression: suppressed ? { reason: suppressed.reason, since: dateOf(suppressed.created_at) } : null,
    name: fullName(a),
    created_at: a.created_at,
    last_active_at: a.last_active_at,
    disposable: isDisposableDomain(a.email_key),
    mailbox: a.base_key,
    pending_email: pendingEmail(deps.db, a.id),
  };
  if (a.role === 'provider') {
    match.contract = contractOf(a, today(deps.now));
    match.caseload = caseloadCounts(deps.db, a.id);
  } else {
    match.providers = providersOfClient(deps.db, a.id).map((p) => ({
      ...ref(p),
      source: clientSource(intakesOfPair(deps.db, p.id, a.id)).source,
    }));
    if (a.status === 'deactivated') {
      // A date cx recorded at deactivation; else computed from the policy (completeRetention), never stored.
      match.retention = a.retain_until
        ? { retain_until: a.retain_until, rule: a.retention_rule, recorded: true }
        : { retain_until: null, rule: null, recorded: false };
    }
  }
  return match;
}

function pendingEmail(db: Db, accountId: string): PendingEmail | null {
  const row = pendingEmailOf(db, accountId);
  if (!row) return null;
  return { outbox_id: row.id, template: row.template, subject: row.subject, to: row.to, ticket: row.ticket, queued_at: row.created_at };
}

export function caseloadCounts(db: Db, providerId: string): CaseloadCounts {
  const intakes = intakesByClient(db, providerId);
  const counts: CaseloadCounts = { search: 0, provider: 0 };
  for (const id of clientIdsOfProvider(db, providerId)) counts[clientSource(intakes.get(id) ?? []).source]++;
  return counts;
}

/** The contract as of today (src/rules/contract.ts): a scheduled termination shows its day, still active. */
function contractOf(a: Account, now: string): NonNullable<Match['contract']> {
  const ends = a.contract_ends_at ? dateOf(a.contract_ends_at) : null;
  if (effectiveStatus(a, now) === 'terminated') return { status: 'terminated', ends_at: ends };
  return { status: 'active', ends_at: scheduledEnd(a, now) };
}
