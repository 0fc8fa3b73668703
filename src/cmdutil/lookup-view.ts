// What `cx lookup` and `cx family` show people: an account card whose important facts (closed, ended,
// blocked, unverified) stand out in words and colour, short lists, suggestions as ready commands. JSON
// callers get the report objects themselves.
import type { AccountRef, LookupReport, Match } from '../actions/lookup.js';
import { plusTag } from '../rules/address.js';
import { shellWord } from '../rules/shell.js';
import { lookupAdvice, lookupSuggestionAdvice, readCommand, type CommandContext } from '../rules/guidance.js';
import { visible } from '../rules/visible-text.js';
import { adviceLines, BLANK, dayForPeople, fields, plural, span, table, timeForPeople, type Block, type Clock, type Line, type Span } from '../render/index.js';
import { displayWidth } from '../render/text.js';

const MATCHED_BY: Record<Match['matched_by'], string> = {
  email: 'its current address',
  former_email: 'a former address',
  mailbox: 'the same mailbox written another way',
  name: 'name',
  id: 'account id',
};

export interface CardContext {
  clock: Clock;
  brand: string;
  /** What the commands in the advice need to run as pasted (render/advice.ts commandContext). */
  commands: CommandContext;
  /** false: the card without its advice (the desk, about to run the action that advice would name). */
  advice?: boolean;
  /** The address the person gave first, when the agent picked this one from its suggestions (the desk). */
  pickedFrom?: string;
}

/** How the lookup was asked: what the advice after a card needs to know (src/rules/guidance.ts lookupAdvice). */
export interface Asked {
  /** The address as cx read it; null for a name or an id. */
  address: string | null;
  /** The name typed, for a name search. */
  name?: string;
  /** The name search was narrowed by a date of birth. */
  dob?: boolean;
}

export function askedOf(report: LookupReport, dob: boolean): Asked {
  const byName = report.address === null && report.matches.some((m) => m.matched_by === 'name');
  return { address: report.address, ...(byName ? { name: report.query.trim(), dob } : {}) };
}

/** "found by": for the same mailbox, which way (the dots of Gmail, a +tag dropped, the +tag of the account). */
function foundBy(m: Match, address: string | null): string {
  if (m.matched_by !== 'mailbox' || address === null) return MATCHED_BY[m.matched_by];
  const typedTag = plusTag(address);
  const accountTag = plusTag(m.email);
  if (typedTag === accountTag) return MATCHED_BY.mailbox;
  if (accountTag === null) return `the same mailbox without the +${typedTag} tag (no account uses ${address})`;
  return `the same mailbox at its +${accountTag} address (no account uses ${address})`;
}

/** The facts an agent must not miss, in capitals and colour: each one changes what they can do. */
function alerts(m: Match): Line[] {
  const out: Line[] = [];
  if (m.status === 'deactivated') {
    const kept = m.retention?.retain_until ? `; records kept until ${m.retention.retain_until}` : '';
    out.push([span('  DEACTIVATED', 'alert'), span(`: the account is closed and cannot sign in${kept}`)]);
  }
  if (m.status === 'terminated') {
    const ended = m.contract?.ends_at ? `, effective ${m.contract.ends_at}` : '';
    out.push([span('  TERMINATED', 'alert'), span(`: the provider's contract has ended${ended}; the account cannot sign in`)]);
  }
  if (m.suppression) {
    out.push([span(`  SUPPRESSED (${m.suppression.reason})`, 'alert'), span(` since ${m.suppression.since}: no email reaches this address`)]);
  }
  if (!m.verified) out.push([span('  NOT VERIFIED', 'warn'), span(': a reset sends the verification email first')]);
  if (m.disposable) out.push([span('  DISPOSABLE DOMAIN', 'warn'), span(': a throwaway-mail address (flagged, not refused)')]);
  return out;
}

export function accountCard(m: Match, c: CardContext, asked: Asked): Block[] {
  const title: Line = [span(m.name || '(no name)', 'bold'), span(` · ${m.role} ${m.id}`)];
  const status: Span[] = [span(m.status, m.status === 'active' ? 'good' : 'alert'), span(`, ${m.verified ? 'verified' : 'not verified'}`)];
  const rows: Array<[string, string | null | Span[]]> = [
    ['email', m.email],
    ['found by', c.pickedFrom ? `${MATCHED_BY[m.matched_by]}, picked from the suggestions for ${c.pickedFrom}` : foundBy(m, asked.address)],
    ['status', status],
    ['date of birth', m.dob ? `${m.dob} (as given)` : null],
    ['created', dayForPeople(m.created_at, c.clock)],
    ['last active', m.last_active_at ? dayForPeople(m.last_active_at, c.clock) : null],
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
    if (!m.providers.length) rows.push(['providers', 'none']);
    m.providers.forEach((p, i) => rows.push([i === 0 ? 'providers' : '', `${p.name} <${p.email}> (${p.source})`]));
  }
  if (m.retention) rows.push(['retained until', retentionText(m.retention)]);
  if (m.pending_email) rows.push(['email queued', pendingText(m.pending_email, c.clock)]);
  const advice = c.advice === false ? [] : adviceLines(lookupAdvice(m, { ...c.commands, ...asked, brand: c.brand, ...(c.pickedFrom ? { pickedFrom: c.pickedFrom } : {}) }));
  return [title, ...alerts(m), ...fields(rows), ...(advice.length ? [BLANK, ...advice] : [])];
}

/** What the card calls each email, short enough that the line fits 80 columns. */
const QUEUED_EMAIL: Record<string, string> = {
  client_password_reset: 'password reset',
  provider_password_reset: 'provider reset',
  email_verification: 'verification email',
};

/** "password reset (T-20), today 13:16, 2m ago: not sent yet". */
function pendingText(e: NonNullable<Match['pending_email']>, clock: Clock): string {
  const what = QUEUED_EMAIL[e.template] ?? `"${e.subject}"`;
  return `${what}${e.ticket ? ` (${e.ticket})` : ''}, ${timeForPeople(e.queued_at, clock)}: not sent yet`;
}

function retentionText(r: NonNullable<Match['retention']>): string {
  if (!r.retain_until) return r.rule ?? 'unknown';
  const how = r.recorded ? 'recorded at deactivation' : 'computed now from the policy';
  return `${r.retain_until} (${r.rule ?? 'rule not recorded'}; ${how})`;
}

/** Accounts as aligned lines (not a table: a lookup's one table is its matches). */
export function refList(refs: AccountRef[]): Line[] {
  const w = (s: string) => displayWidth(visible(s));
  const idWidth = Math.max(...refs.map((r) => w(r.id)));
  const emailWidth = Math.max(...refs.map((r) => w(r.email)));
  const pad = (s: string, width: number) => s + ' '.repeat(width - w(s));
  return refs.map((r) => `  ${pad(r.id, idWidth)}  ${pad(r.email, emailWidth)}  ${r.name}`.trimEnd());
}

export function matchTable(matches: Match[]): Block {
  return table(
    [
      { header: 'id', value: (m: Match) => m.id, kind: 'id', priority: 3 },
      { header: 'name', value: (m) => m.name, kind: 'key' },
      { header: 'email', value: (m) => m.email, kind: 'key' },
      { header: 'role', value: (m) => m.role, kind: 'key' },
      { header: 'status', value: (m) => m.status, kind: 'key', style: (m) => (m.status === 'active' ? undefined : 'alert') },
      { header: 'suppressed', value: (m) => m.suppression?.reason ?? '', kind: 'key', style: () => 'alert' },
    ],
    matches,
  );
}

export function familyLines(report: LookupReport): Line[] {
  if (!report.family.length) return [];
  return ['Family (other accounts at the same mailbox through +alias addresses; not matches):', ...refList(report.family)];
}

/** Nothing matched: the sentence for `cx:` and the advice under it (suggestions as commands). */
export function notFound(report: LookupReport, dob: string | null, c: CommandContext): { message: string; lines: Line[] } {
  if (report.address === null) {
    const message = `no account matches the name "${report.query.trim()}"${dob ? ` born ${dob}` : ''}`;
    return {
      message,
      lines: [
        'Check the spelling with the person, or look them up by an address they use:',
        { command: 'cx lookup <their address>' },
        ...(dob ? ['Or without the date of birth:', { command: readCommand(`lookup --name ${shellWord(report.query.trim())}`, c) }] : []),
      ],
    };
  }
  const message = `no account uses ${report.address} (as a current or former address, or the same mailbox)`;
  return { message, lines: adviceLines(lookupSuggestionAdvice(report.address, report.suggested, c)) };
}

/** The name search again, with the date of birth the agent asks for. */
export function narrowByDob(report: LookupReport, c: CommandContext): Line {
  return { command: readCommand(`lookup --name ${shellWord(report.query.trim())} --dob <YYYY-MM-DD>`, c) };
}

/** The whole report for a non-interactive run: one card, or a table when several accounts match. */
export function lookupBlocks(report: LookupReport, c: CardContext, asked: Asked): Block[] {
  const blocks: Block[] = [];
  if (report.matches.length === 1) blocks.push(...accountCard(report.matches[0]!, c, asked));
  else {
    blocks.push(`${plural(report.matches.length, 'account')} match:`, matchTable(report.matches));
    if (report.truncated) blocks.push('More accounts match than are listed: ask for their date of birth and narrow the search:', narrowByDob(report, c.commands));
    else if (report.address === null && report.matches.some((m) => m.matched_by === 'name')) {
      blocks.push('Ask for their date of birth and narrow the search (or look one up by its address):', narrowByDob(report, c.commands));
    }
  }
  const family = familyLines(report);
  if (family.length) blocks.push(BLANK, ...family);
  return blocks;
}

/**
 * `cx lookup --json` (docs/reference.md#json-of-cx-lookup): the outcome object every command prints (done when an
 * account matched, not_found, exit 3, when none did; a lookup changes nothing, so there is no other), then
 * the report's keys as before. account_id is the one match's, null for none or several.
 */
export function lookupJson(report: LookupReport): { outcome: 'done' | 'not_found'; detail: string; account_id: string | null } & LookupReport {
  const n = report.matches.length;
  const [only] = report.matches;
  const what = report.address ?? report.query.trim();
  const detail = n === 0
    ? `no account matches ${what}${report.suggestions.length ? `; ${report.suggestions.length} suggested` : ''}`
    : `${n} account${n === 1 ? '' : 's'} found for ${what}${n === 1 && only ? `: ${only.id}` : ''}`;
  return { outcome: n ? 'done' : 'not_found', detail, account_id: n === 1 && only ? only.id : null, ...report };
}
