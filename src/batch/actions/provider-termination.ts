// The batch's provider_termination tickets: `cx offboard`'s action; `until` is the effective date (see
// src/batch/dispatch.ts for the rules).
import { offboardProvider } from '../../actions/offboard.js';
import { offboardAdvice } from '../../rules/guidance.js';
import { replying } from '../reply.js';

export const providerTerminationTicket = replying((deps, row) => offboardProvider(deps, { email: row.email, effective: row.fields.until }), offboardAdvice);
