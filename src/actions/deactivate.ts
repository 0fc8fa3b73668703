// A client's request to close their account (issue 5). The platform is a HIPAA covered entity: nothing is
// deleted. The account becomes `deactivated`, the day and the retention date (with the rule that set it)
// are recorded, and a "next steps" email is queued unless the address is suppressed; then the agent
// follows up another way. Providers leave by contract termination (`cx offboard`), never here.
import { isoTime, today } from '../rules/dates.js';
import { describeSuppression, NEXT_STEPS_TEMPLATE, nextStepsSubject } from '../rules/outgoing-email.js';
import { commandFor } from '../rules/guidance.js';
import { checkAddress } from '../rules/address.js';
import { requesterRelation } from '../rules/identity.js';
import type { RetentionPolicy } from '../rules/policy.js';
import { RetentionInputError } from '../rules/retention.js';
import { suppressionFor, type Account, type Suppression } from '../store/accounts.js';
import { lastServiceAt, nextAppointment } from '../store/caseload.js';
import { writeTransaction } from '../store/db.js';
import type { EmailSettings } from '../config/email.js';
import { formerEmailKeys, recordDeactivation } from '../store/deactivation.js';
import { enqueueEmail, everEmailed } from '../store/outbox.js';
import {
  accountForChange,
  accountLabel,
  audit,
  emailContext,
  recordChangeFor,
  recordTicket,
  result,
  type ActionDeps,
} from './common.js';
import type { DeactivateResult } from './result.js';
import { decideRetention } from './retention.js';
import { suppressionSummary } from './summaries.js';

export interface DeactivateInput {
  email: string;
  /** Where the request came from: the account's current or a former address (or the same mailbox). */
  requestedBy?: string;
  policy: RetentionPolicy;
  /** The brand in the email's subject (CX_BRAND, resolved with the other settings). */
  settings: EmailSettings;
}

interface Plan {
  account: Account;
  who: string;
  retention: ReturnType<typeof decideRetention>;
  suppression: Suppression | undefined;
  next: { at: string; provider_id: string } | undefined;
}

type Stop = Exclude<DeactivateResult, { outcome: 'planned' | 'done' }>;

type Decision = { stop: Stop } | { go: Plan };

const stop = (r: Stop): Decision => ({ stop: r });

export function deactivateClient(deps: ActionDeps, input: DeactivateInput): DeactivateResult {
  if (deps.dryRun) {
    const d = decide(deps, input);
    return 'stop' in d ? d.stop : planned(d.go);
  }
  // For real, decide again inside the write lock: what the plan saw may have changed since.
  return writeTransaction(deps.db, () => {
    const d = decide(deps, input);
    if ('stop' in d) return d.stop;
    const { account, who, retention, suppression } = d.go;
    const deactivatedAt = today(deps.now);
    const { brand } = input.settings;
    const changed = recordDeactivation(deps.db, {
      accountId: account.id,
      deactivatedAt,
      retainUntil: retention.retainUntil,
      retentionRule: retention.rule,
    });
    if (!changed) throw new Error(`the deactivation of ${account.id} changed no row inside its own transaction`);
    recordChangeFor(deps, 'deactivate_client', 'deactivate_client', account.id, {
      deactivated_at: deactivatedAt,
      retain_until: retention.retainUntil,
      retention_rule: retention.rule,
    });
    // One "next steps" email per account, ever: a second deactivation of the same account (reactivated on
    // the platform in between) queues none, which the result reports.
    const emailQueued = !suppression && !everEmailed(deps.db, account.id, NEXT_STEPS_TEMPLATE);
    if (emailQueued) {
      enqueueEmail(deps.db, {
        to: account.email,
        template: NEXT_STEPS_TEMPLATE,
        subject: nextStepsSubject(brand),
        accountId: account.id,
        ...emailContext(deps, 'deactivate_client'),
      });
    }
    const mail = suppression
      ? `no email: the address is suppressed (${suppression.reason}); follow up another way`
      : emailQueued
        ? `"next steps" email queued to ${account.email}`
        : 'no email: a "next steps" email was already queued for this account by an earlier deactivation';
    const done = withFacts(d.go, 'done', `deactivated ${who}; records kept until ${retention.retainUntil}; ${mail}`, emailQueued);
    const r: DeactivateResult = { ...done, deactivated_at: deactivatedAt };
    audit(deps, 'deactivate', r);
    recordTicket(deps, 'deactivate_client', input.email, r);
    return r;
  });
}

function planned(p: Plan): DeactivateResult {
  const mail = p.suppression
    ? `no email: ${p.account.email} is suppressed (${describeSuppression(p.suppression)})`
    : `queue the "next steps" email to ${p.account.email}`;
  return withFacts(p, 'planned', `would deactivate ${p.who}; records kept until ${p.retention.retainUntil}; ${mail}`, !p.suppression);
}

/** The result of a deactivation that goes ahead (planned or done), with what the agent needs next. */
function withFacts<O extends 'planned' | 'done'>(p: Plan, outcome: O, detail: string, emailed: boolean) {
  const { account, retention, suppression, next } = p;
  return result(outcome, detail, account.id, {
    email: account.email,
    retain_until: retention.retainUntil,
    retention_rule: retention.rule,
    retention_recorded: true as const,
    last_service: retention.lastService,
    ...(emailed ? { template: NEXT_STEPS_TEMPLATE, to: account.email } : {}),
    ...(suppression
      ? {
          suppression: suppressionSummary(suppression),
          follow_up: `${account.email} is on the suppression list (${suppression.reason}): tell the client the next steps another way (phone, or a reply on the ticket)`,
        }
      : {}),
    ...(next ? { next_appointment: next } : {}),
  });
}

function decide(deps: ActionDeps, input: DeactivateInput): Decision {
  const requester = input.requestedBy === undefined ? null : checkAddress(input.requestedBy);
  if (requester && !requester.ok) return stop(result('invalid', `--requested-by is not a usable address: ${requester.reason}`, null));
  const found = accountForChange(deps.db, input.email);
  if ('refusal' in found) return stop(found.refusal);
  const account = found.account;
  const who = accountLabel(account);

  if (account.role !== 'client') {
    return stop(
      result('refused', `${who} is a provider: a provider leaves by contract termination, not deactivation`, account.id, {
        email: account.email,
        role: account.role,
        next_command: commandFor('offboard', account.email, { ticket: deps.ticket || undefined }),
      }),
    );
  }
  if (requester) {
    const refusal = requesterRefusal(deps, account, requester.parsed.address);
    if (refusal) return stop(refusal);
  }
  if (account.status === 'terminated') {
    return stop(result('refused', `${who} has status "terminated", which a client account should not have; check it on the platform`, account.id));
  }
  const nowIso = isoTime(deps.now);
  const facts = { ...account, last_service_at: lastServiceAt(deps.db, account.id, nowIso) };
  if (account.status === 'deactivated') return stop(alreadyDeactivated(account, who, () => decideRetention(facts, input.policy)));

  let retention: Plan['retention'];
  try {
    retention = decideRetention(facts, input.policy);
  } catch (err) {
    if (!(err instanceof RetentionInputError)) throw err;
    return stop(result('invalid', `cannot compute the retention date of ${who}: ${err.message}; correct the record on the platform first`, account.id));
  }
  const suppression = suppressionFor(deps.db, account.email_key);
  return { go: { account, who, retention, suppression, next: nextAppointment(deps.db, account.id, nowIso) } };
}

/**
 * Already deactivated: the dates cx recorded, or for an account that arrived deactivated from the import,
 * the date computed now (shown, not written: see src/actions/retention.ts).
 */
function alreadyDeactivated(account: Account, who: string, compute: () => { retainUntil: string; rule: string }): Stop {
  const since = account.deactivated_at ? `on ${account.deactivated_at}` : 'before cx (imported as deactivated, no date recorded)';
  let dates: { retain_until: string | null; retention_rule: string | null; retention_recorded: boolean };
  let kept: string;
  if (account.retain_until) {
    dates = { retain_until: account.retain_until, retention_rule: account.retention_rule, retention_recorded: true };
    kept = `records kept until ${account.retain_until}`;
  } else {
    try {
      const d = compute();
      dates = { retain_until: d.retainUntil, retention_rule: d.rule, retention_recorded: false };
      kept = `records kept until ${d.retainUntil} (computed now; cx has not recorded a retention date for this account)`;
    } catch (err) {
      if (!(err instanceof RetentionInputError)) throw err;
      dates = { retain_until: null, retention_rule: `cannot be computed: ${err.message}`, retention_recorded: false };
      kept = `its retention date cannot be computed (${err.message})`;
    }
  }
  return result('already_done', `${who} was already deactivated ${since}; ${kept}`, account.id, {
    email: account.email,
    deactivated_at: account.deactivated_at,
    ...dates,
  });
}

/**
 * The person asking must show the account is theirs: the request comes from its current or a former
 * address, or the same mailbox written another way (src/rules/identity.ts). A +alias sibling (a family
 * member's account in the same mailbox) is another person: refused.
 */
function requesterRefusal(deps: ActionDeps, account: Account, requester: string): Stop | null {
  const relation = requesterRelation([account.email_key, ...formerEmailKeys(deps.db, account.id)], requester);
  if (relation === 'own') return null;
  const who = `${account.id} <${account.email}>`;
  const why = relation === 'family_alias'
    ? `${requester} shares a mailbox with ${who} through a +alias, but it is not this account's address`
    : `${requester} is neither the current nor a former address of ${who}`;
  return result('refused', `${why}: the requester has not shown that the account is theirs; confirm the request from the account's own address`, account.id, {
    email: account.email,
    requester_refused: true as const,
  });
}
