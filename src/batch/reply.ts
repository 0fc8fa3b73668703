// A batch row's reply (issue 21, part 5): the Tell lines of the single command's advice, and for a row that
// found no account, the addresses `cx lookup` would suggest. Shared by every ticket type's action
// (src/batch/actions/).
import type { ActionDeps, ActionResult } from '../actions/common.js';
import { suggestAddresses } from '../actions/lookup-suggest.js';
import { checkAddress } from '../rules/address.js';
import { today } from '../rules/dates.js';
import type { Advice, GuidanceContext } from '../rules/guidance.js';
import type { BatchSettings, Reply, TicketAction } from './dispatch.js';
import type { TicketRow } from './input.js';

/** The advice a single command prints for its result, read in the batch for the row's reply. */
export type AdviceFor<R> = (r: R, c: GuidanceContext) => Advice[];

/** An action whose rows carry a reply: the Tell lines of its own advice (src/rules/guidance.ts). */
export function replying<R extends ActionResult>(action: (deps: ActionDeps, row: TicketRow, ctx: BatchSettings) => R, advise: AdviceFor<R>): TicketAction {
  return (deps, row, ctx) => {
    const r = action(deps, row, ctx);
    return withReply(deps, row, r, advise(r, guidanceFor(deps, row, ctx)));
  };
}

/** The words for the person: the advice's Tell lines (a pending change's are true once the batch's changes are pushed). */
function tellText(advice: readonly Advice[]): string {
  // Each Tell is written to follow "Tell the person:"; joined, the second and later start their own sentence.
  return advice
    .filter((a) => a.kind === 'tell')
    .map((a, i) => (i === 0 ? a.text : a.text.charAt(0).toUpperCase() + a.text.slice(1)))
    .join(' ');
}

/**
 * The result with its reply; a row that found no account also gets lookup's "did you mean" in its detail
 * (never looked up in the person's place), unless the detail already names the address to use.
 */
export function withReply<R extends ActionResult>(deps: ActionDeps, row: TicketRow, r: R, advice: readonly Advice[]): R & { reply: Reply } {
  const suggestions = r.outcome === 'not_found' && r.account_id === null ? didYouMean(deps, row.email, r) : [];
  const hint = suggestions.length && !('try_address' in r) ? didYouMeanText(suggestions) : '';
  return { ...r, detail: r.detail + hint, reply: { tell: tellText(advice), suggestions } };
}

/** The +alias account's own address when the action named it; else what `cx lookup` suggests for the address. */
function didYouMean(deps: ActionDeps, typed: string, r: ActionResult & { try_address?: string }): string[] {
  if (typeof r.try_address === 'string') return [r.try_address];
  const checked = checkAddress(typed);
  return checked.ok ? suggestAddresses(deps.db, checked.parsed.address) : [];
}

function didYouMeanText(suggestions: readonly string[]): string {
  return `; did you mean ${suggestions.join(' or ')}? (check with the person; not looked up)`;
}

/** The guidance context of a row: its ticket and address, the batch's brand, window and clock. */
function guidanceFor(deps: ActionDeps, row: TicketRow, ctx: BatchSettings): GuidanceContext {
  return {
    ticket: deps.ticket,
    brand: ctx.email.brand,
    typed: row.email,
    at: ctx.clock?.at ?? ((iso) => iso),
    ago: ctx.clock?.ago ?? (() => ''),
    windowMinutes: ctx.email.resetWindowMinutes,
    today: today(deps.now),
    yes: true,
  };
}
