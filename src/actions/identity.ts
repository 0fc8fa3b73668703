// The guided desk's check of who is asking, before a change to an account found by name or id (the rules:
// src/rules/identity.ts). The agent types what the person says; cx answers match or no match and shows
// nothing of the account's own date of birth. Each answer compared is a read of the account's data, so it is
// audited: the row says what was compared and whether it matched, never a date of birth.
import { checkAddress } from '../rules/address.js';
import { dobMatches, requesterRelation } from '../rules/identity.js';
import { accountById } from '../store/accounts.js';
import { appendAudit } from '../store/audit.js';
import { writeTransaction } from '../store/db.js';
import { formerEmailKeys } from '../store/deactivation.js';
import type { ReadAuditDeps } from './read-audit.js';

/** What the person gave: their date of birth (YYYY-MM-DD), or the address the request came from. */
export type IdentityAnswer = { dob: string } | { address: string };

export type IdentityCheck =
  | { kind: 'match' | 'no_match'; accountId: string; address?: string }
  | { kind: 'invalid'; reason: string };

export function checkIdentity(deps: ReadAuditDeps, accountId: string, answer: IdentityAnswer): IdentityCheck {
  const account = accountById(deps.db, accountId);
  if (!account) return { kind: 'invalid', reason: `no account has the id ${accountId}` };
  let matched: boolean;
  let what: string;
  let address: string | undefined;
  if ('dob' in answer) {
    matched = dobMatches(account.dob, answer.dob);
    what = 'date of birth given at the desk';
  } else {
    const checked = checkAddress(answer.address);
    if (!checked.ok) return { kind: 'invalid', reason: checked.reason };
    address = checked.parsed.address;
    matched = requesterRelation([account.email_key, ...formerEmailKeys(deps.db, account.id)], address) === 'own';
    // The address is the requester's, from the ticket: recorded, as --requested-by is in a deactivation's row.
    what = `address the request came from (${address})`;
  }
  const kind = matched ? 'match' : 'no_match';
  writeTransaction(deps.db, () =>
    appendAudit(deps.db, { agent: deps.agent, action: 'identity.check', ticket: deps.ticket ?? null, account_id: account.id, outcome: kind, detail: `${what}: ${matched ? 'match' : 'no match'}` }, deps.now),
  );
  return { kind, accountId: account.id, ...(address ? { address } : {}) };
}
