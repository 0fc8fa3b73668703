// The batch's password_reset tickets: `cx reset`'s action, with its advice's Tell lines as the reply.
import { resetPassword } from '../../actions/reset.js';
import { resetAdvice } from '../../rules/guidance.js';
import { replying } from '../reply.js';

export const passwordResetTicket = replying((deps, row, ctx) => resetPassword(deps, { email: row.email, settings: ctx.email }), resetAdvice);
