// What `cx lookup` and `cx family` print for people: an account card, short lists, suggestions.
// JSON callers get the report objects themselves (render.printData).
import type { AccountRef, LookupReport, Match } from '../actions/lookup.js';
import { dateOf } from '../rules/dates.js';
import { fields, table } from '../render.js';

const MATCHED_BY: Record<Match['matched_by'], string> = {
  email: 'its current address',
  former_email: 'a former address',
  mailbox: 'the same mailbox written another way',
  name: 'name',
};

const day = (t: string | null): string | null => (t ? dateOf(t) : null);

export function accountCard(m: Match): string {
  const title = `${m.name || '(no name)'} · ${m.role} ${m.id}`;
  const rows: Array<[string, string | number | null | undefined]> = [
    ['email', m.email],
    ['found by', MATCHED_BY[m.matched_by]],
    ['status', `${m.status}, ${m.verified ? 'verified' : 'NOT verified'}`],
    ['suppressed', m.suppression ? `${m.suppression.reason} since ${m.suppression.since}: no email reaches this address` : 'no'],
    ['disposable', m.disposable ? 'yes: a throwaway-mail domain (flagged, not refused)' : null],
    ['date of birth', m.dob ? `${m.dob} (as given)` : null],
    ['created', day(m.created_at)],
    ['last active', day(m.last_active_at)],
  ];
  if (m.contract) {
    const { status, ends_at } = m.contract;
    const when =
      status === 'terminated'
        ? ends_at ? `, effective ${ends_at}` : ' (before cx: no date recorded)'
        : ends_at ? `; contract ends on ${ends_at} (termination scheduled: terminated from that day)` : '';
    rows.push(['contract', `${status}${when}`]);
  }
  if (m.caseload) rows.push(['caseload', `${m.caseload.search} from search, ${m.caseload.provider} added by the provider`]);
  if (m.providers) {
    rows.push(['providers', m.providers.length ? m.providers.map((p) => `${p.name} <${p.email}> (${p.source})`).join('; ') : 'none']);
  }
  if (m.retention) rows.push(['retained until', retentionText(m.retention)]);
  return `${title}\n${indent(fields(rows))}`;
}

function retentionText(r: NonNullable<Match['retention']>): string {
  if (!r.retain_until) return r.rule ?? 'unknown';
  const how = r.recorded ? 'recorded at deactivation' : 'computed now from the policy';
  return `${r.retain_until} (${r.rule ?? 'rule not recorded'}; ${how})`;
}

export function refList(refs: AccountRef[]): string {
  const idWidth = Math.max(...refs.map((r) => r.id.length));
  const emailWidth = Math.max(...refs.map((r) => r.email.length));
  return refs.map((r) => `  ${r.id.padEnd(idWidth)}  ${r.email.padEnd(emailWidth)}  ${r.name}`.trimEnd()).join('\n');
}

export function matchTable(matches: Match[]): string {
  return table(
    [
      { header: 'id', value: (m: Match) => m.id },
      { header: 'name', value: (m) => m.name },
      { header: 'email', value: (m) => m.email },
      { header: 'role', value: (m) => m.role },
      { header: 'status', value: (m) => m.status },
    ],
    matches,
  );
}

export function familyText(report: LookupReport): string {
  if (!report.family.length) return '';
  return `Family (other accounts at the same mailbox through +alias addresses; not matches):\n${refList(report.family)}`;
}

export function notFoundText(report: LookupReport, dob: string | null): string {
  const what = report.address !== null
    ? `No account uses ${report.address} (as a current or former address, or the same mailbox).`
    : `No account matches the name "${report.query}"${dob ? ` born ${dob}` : ''}.`;
  const lines = [what];
  if (report.suggestions.length) {
    lines.push('Did you mean (check with the person; nothing was looked up under these):', ...report.suggestions.map((s) => `  ${s}`));
  }
  return lines.join('\n');
}

/** The whole report for a non-interactive run: one card, or a table when several accounts match. */
export function lookupText(report: LookupReport, dob: string | null = null): string {
  const parts: string[] = [];
  if (!report.matches.length) parts.push(notFoundText(report, dob));
  else if (report.matches.length === 1) parts.push(accountCard(report.matches[0]!));
  else {
    parts.push(`${report.matches.length} accounts match:`, matchTable(report.matches));
    if (report.truncated) parts.push('More accounts match than are listed: add --dob to narrow the search.');
    else if (report.address === null) parts.push('Add --dob to narrow the search, or look one up by its address.');
  }
  const family = familyText(report);
  if (family) parts.push(family);
  return parts.join('\n\n');
}

function indent(s: string): string {
  return s.split('\n').map((l) => `  ${l}`).join('\n');
}
