// The batch's deactivate_client tickets: `cx deactivate`'s action; `requested_by` is the address the request
// came from (checked by the action), the policy the batch's (--policy, $CX_POLICY, else the defaults).
import { deactivateClient } from '../../actions/deactivate.js';
import { deactivateAdvice } from '../../rules/guidance.js';
import { replying } from '../reply.js';

export const deactivateClientTicket = replying(
  (deps, row, ctx) => deactivateClient(deps, { email: row.email, requestedBy: row.fields.requestedBy, policy: ctx.policy, settings: ctx.email }),
  deactivateAdvice,
);
