// One change on its way in a push: its request body (built once, signed afresh on each attempt), its
// attempts, and the outcome records (with their audit rows) that a settled attempt leaves in the mirror.
// Audit rows say what happened, never the secret or a signature.
import type { AuditEntry } from '../store/audit.js';
import type { ClaimedChange, Outcome } from '../store/sync-queue.js';

export interface Job {
  change: ClaimedChange;
  body: string;
  /** Attempts in all (across runs), this run's included. */
  attempts: number;
  /** This run's failed attempts, in words, for the audit row. */
  errors: string[];
  /** When a waiting job may go again (real clock, ms). */
  dueAt: number;
  /** Until when this push's lease on the change is known to be recorded in the mirror (real clock, ms). */
  leaseUntil: number;
  lastError: string;
}

/** The request body (docs/platform-api.md): `data` is stored as the JSON text sent, so it is spliced in as is. */
export function changeBody(c: ClaimedChange): string {
  const head = JSON.stringify({ key: c.key, kind: c.kind, account_id: c.account_id, ticket: c.ticket, agent: c.agent, created_at: c.created_at });
  return `${head.slice(0, -1)},"data":${c.data}}`;
}

export function newJob(change: ClaimedChange): Job {
  return { change, body: changeBody(change), attempts: change.attempts, errors: [], dueAt: 0, leaseUntil: Date.parse(change.lease_until), lastError: change.last_error ?? '' };
}

/** Builds a job's outcome records for one run: the agent of the audit rows and the attempt cap. */
export function outcomes(agent: string, maxAttempts: number) {
  const audit = (job: Job, action: string, outcome: AuditEntry['outcome'], detail: string): AuditEntry => {
    const earlier = job.errors.length ? `; earlier in this run: ${job.errors.join(', ')}` : '';
    const c = job.change;
    return { agent, action, ticket: c.ticket, account_id: c.account_id, outcome, detail: `${c.kind} change ${c.key}: ${detail} (attempt ${job.attempts} of ${maxAttempts}${earlier})` };
  };
  return {
    delivered(job: Job, status: number, receipt: string | null, before: boolean): Outcome {
      const what = before ? 'delivered before (HTTP 409, same key)' : `delivered (HTTP ${status})`;
      return { kind: 'delivered', id: job.change.id, attempts: job.attempts, receipt, audit: audit(job, 'sync.delivered', before ? 'already_done' : 'done', `${what}${receipt ? `, receipt ${receipt}` : ''}`) };
    },
    failed(job: Job, error: string, outcome: 'refused' | 'error', detail: string): Outcome {
      return { kind: 'failed', id: job.change.id, attempts: job.attempts, error, audit: audit(job, 'sync.failed', outcome, detail) };
    },
    deferred(job: Job, nextAttemptAt: string, why: string): Outcome {
      return {
        kind: 'deferred', id: job.change.id, attempts: job.attempts, error: job.lastError, nextAttemptAt,
        audit: audit(job, 'sync.deferred', 'error', `not delivered yet (${job.lastError}); ${why}; next attempt after ${nextAttemptAt}`),
      };
    },
    waiting(job: Job, error: string, nextAttemptAt: string, leaseUntil: string): Outcome {
      return { kind: 'waiting', id: job.change.id, attempts: job.attempts, error, nextAttemptAt, leaseUntil };
    },
    released(job: Job): Outcome {
      return { kind: 'released', id: job.change.id };
    },
  };
}
