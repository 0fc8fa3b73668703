// The batch's resubscribe tickets: `cx resubscribe` without --force (a bounce or a complaint is refused).
import { resubscribe } from '../../actions/resubscribe.js';
import { resubscribeAdvice } from '../../rules/guidance.js';
import { replying } from '../reply.js';

export const resubscribeTicket = replying((deps, row, ctx) => resubscribe(deps, { email: row.email, settings: ctx.email }), resubscribeAdvice);
