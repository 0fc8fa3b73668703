// A command's read of PHI, audited by the action's rule (src/actions/read-audit.ts) before anything is
// shown; when a read-only mirror kept the row out of the audit log, the agent is told here.
import { auditRead, type PhiRead, type ReadAudited } from '../actions/read-audit.js';
import type { Context } from '../context.js';
import { warn } from '../render/index.js';
import type { Db } from '../store/db.js';

type Reader = Pick<Context, 'agent' | 'ticket' | 'io' | 'json' | 'now'>;

export function auditPhiRead(ctx: Reader, db: Db, read: PhiRead): void {
  warnIfNotAudited(ctx, auditRead({ db, agent: ctx.agent, ticket: ctx.ticket, now: ctx.now() }, read));
}

/** For an action that audited its own read (cx outbox): the same warning when it could not. */
export function warnIfNotAudited(ctx: Pick<Context, 'io' | 'json'>, audited: ReadAudited): void {
  if (audited === 'not_audited') warn(ctx, 'the mirror is read-only here, so this read of patient data was NOT recorded in the audit log');
}
