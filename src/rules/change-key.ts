// The key of a pending change (docs/platform-api.md, "Worked example"): the same for the same change from any retry,
// any run and any machine, different for a deliberate repeat. No time, row id or agent goes into it, so two
// agents processing the same ticket export make the same keys and the platform applies each change once.
import { sha256Hex } from './sha256.js';

export const CHANGE_KINDS = ['email', 'deactivate_client', 'terminate_provider', 'lift_suppression'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export interface ChangeIdentity {
  desk: string;
  ticket: string;
  /** The ticket action (batch type) that made the change: password_reset, deactivate_client, ... */
  action: string;
  accountId: string | null;
  kind: ChangeKind;
  /** Counts the same desk, ticket, action, account and kind from 1 (a second reset sent on purpose is 2). */
  n: number;
}

export function changeKey(c: ChangeIdentity): string {
  const text = `${c.desk}|${c.ticket}|${c.action}|${c.accountId ?? ''}|${c.kind}|${c.n}`;
  return sha256Hex(text);
}
