// The table rules (issue 21, part 4): on a narrow terminal a table keeps the column the agent came for.
// Identifying columns (an address, a name, an action, an outcome) are never cut; times shrink first (to
// "2m ago"), then ids (to their start); free text wraps, or goes under its row; other columns are cut, then
// left out (lowest priority first) with a line saying which; an identifier wraps only as the very last resort.
import { describe, expect, it } from 'vitest';
import { table, terminalLines, tsvLines, type Column } from '../../src/render/tables.js';
import { displayWidth, NO_PAINT } from '../../src/render/text.js';
import { testRandom } from '../helpers/seed.js';

interface Email {
  id: number;
  queued: string;
  ago: string;
  status: string;
  template: string;
  to: string;
  account: string;
  ticket: string;
  subject: string;
}

const OUTBOX: Array<Column<Email>> = [
  { header: 'id', value: (r) => r.id, kind: 'id', priority: 3 },
  { header: 'queued', value: (r) => r.queued, short: (r) => r.ago, kind: 'time', priority: 2 },
  { header: 'status', value: (r) => r.status, kind: 'key' },
  { header: 'template', value: (r) => r.template, priority: 2 },
  { header: 'to', value: (r) => r.to, kind: 'key' },
  { header: 'account', value: (r) => r.account, kind: 'id', priority: 1 },
  { header: 'ticket', value: (r) => r.ticket, kind: 'id', priority: 1 },
  { header: 'subject', value: (r) => r.subject },
];

const EMAILS: Email[] = [
  { id: 1, queued: 'today 06:00, 2m ago', ago: '2m ago', status: 'pending', template: 'client_password_reset', to: 'k.asante@mindfulroots.org', account: '1032', ticket: '48213', subject: 'Reset your Headway password' },
  { id: 2, queued: 'yesterday 22:31, 8h ago', ago: '8h ago', status: 'delivered', template: 'client_deactivation_next_steps', to: 'm.okafor@brightpathcounseling.com', account: '7c2f9e14-3b5a-4d8e-9f61-2a0b7c4d5e86', ticket: '48214', subject: 'Your Headway account has been deactivated — next steps' },
];

const lines = <Row>(columns: Array<Column<Row>>, rows: Row[], width: number) => terminalLines(table(columns, rows), width, NO_PAINT);

function expectFits(out: string[], width: number): void {
  for (const line of out) expect(displayWidth(line), `wider than ${width}: ${line}`).toBeLessThanOrEqual(width);
}

describe('a table on a narrow terminal keeps the column the agent came for', () => {
  it('a table that fits is left as it is: full times, whole ids', () => {
    const out = lines(OUTBOX, EMAILS, 250);
    expect(out[0]).toMatch(/^ID {2}QUEUED {2,}STATUS {2,}TEMPLATE {2,}TO {2,}ACCOUNT {2,}TICKET {2,}SUBJECT$/);
    expect(out[1]).toContain('today 06:00, 2m ago');
    expect(out[2]).toContain('7c2f9e14-3b5a-4d8e-9f61-2a0b7c4d5e86');
    expect(out.join('\n')).not.toContain('…');
  });

  it('times shrink first, to the compact "2m ago"; then ids, to their start', () => {
    // Just too wide for the full times: only the times change.
    const natural = Math.max(...lines(OUTBOX, EMAILS, 250).map(displayWidth));
    const timesOnly = lines(OUTBOX, EMAILS, natural - 5);
    expect(timesOnly[1]).toMatch(/^1 {3}2m ago {2}/);
    expect(timesOnly.join('\n')).toContain('7c2f9e14-3b5a-4d8e-9f61-2a0b7c4d5e86');
    expect(timesOnly.join('\n')).not.toContain('…');
    const idsToo = lines(OUTBOX, EMAILS, natural - 30);
    expect(idsToo.join('\n')).toMatch(/ 7c2f9e14[0-9a-f-]*… /);
    expect(idsToo.join('\n')).toContain('Your Headway account has been deactivated — next steps');
  });

  it('at 80 columns the addresses stay whole; lower-priority columns are left out, and a line says which', () => {
    const out = lines(OUTBOX, EMAILS, 80);
    expectFits(out, 80);
    const text = out.join('\n');
    expect(text).toContain('k.asante@mindfulroots.org');
    expect(text).toContain('m.okafor@brightpathcounseling.com');
    expect(text).toMatch(/\bpending\b/);
    expect(text).toMatch(/\bdelivered\b/);
    expect(out[0]).not.toContain('SUBJECT');
    const footer = out.slice(out.findIndex((l) => l.startsWith('Left out'))).join(' ');
    expect(footer).toMatch(/^Left out at 80 columns: .*SUBJECT\b.*--json/);
    // The template, cut, is still there: it outranks the ticket, which went first.
    expect(out[0]).toMatch(/TEMPLATE/);
    expect(out[0]).not.toMatch(/TICKET/);
    expect(footer).toMatch(/: TICKET, SUBJECT \(/);
  });

  it('an identifier is never cut: at a width too narrow for it, it wraps, every character kept', () => {
    const out = lines(OUTBOX, EMAILS, 30);
    expectFits(out, 30);
    const joined = out.map((l) => l.trim()).join('');
    expect(joined.replace(/\s+/g, '')).toContain('m.okafor@brightpathcounseling.com');
    expect(out.join('\n')).not.toMatch(/m\.okafor[^\n]*…/);
  });

  interface Audit {
    id: number;
    at: string;
    agent: string;
    action: string;
    ticket: string;
    account: string;
    outcome: string;
    detail: string;
  }
  const AUDIT: Array<Column<Audit>> = [
    { header: 'id', value: (r) => r.id, kind: 'id', priority: 3 },
    { header: 'at', value: (r) => r.at, short: () => 'just now', kind: 'time', priority: 2 },
    { header: 'agent', value: (r) => r.agent, priority: 1 },
    { header: 'action', value: (r) => r.action, kind: 'key' },
    { header: 'ticket', value: (r) => r.ticket, kind: 'id', priority: 1 },
    { header: 'account', value: (r) => r.account, kind: 'id', priority: 2 },
    { header: 'outcome', value: (r) => r.outcome, kind: 'key' },
    { header: 'detail', value: (r) => r.detail, kind: 'text' },
  ];
  const DETAIL = 'already processed by batch on 2026-12-06 03:40 by agent.smith: queued the client password-reset email to aaliyah.johnson@gmail.com';
  const ROWS: Audit[] = [
    { id: 7, at: 'today 06:00, just now', agent: 'agent.smith', action: 'offboard', ticket: '48213', account: 'p201', outcome: 'already_done', detail: DETAIL },
    { id: 8, at: 'today 06:00, just now', agent: 'agent.smith', action: 'notes.export.started', ticket: '48216', account: 'p202', outcome: 'started, completed (row 9)', detail: 'exporting 47 progress notes' },
  ];

  it('free text is never cut: it wraps in its column, or goes under its row when the row leaves it too little', () => {
    for (const width of [80, 120, 160]) {
      const out = lines(AUDIT, ROWS, width);
      expectFits(out, width);
      const text = out.join('\n');
      expect(text, `${width}`).toMatch(/\boffboard\b/);
      expect(text, `${width}`).toMatch(/\balready_done\b/);
      expect(text, `${width}`).toContain('notes.export.started');
      expect(text, `${width}`).toContain('started, completed (row 9)');
      expect(text.replace(/\s+/g, ' '), `${width}`).toContain(DETAIL);
      expect(text, `${width}`).not.toContain('…');
    }
    // At 80 the detail goes under its row, under a header of its own.
    const narrow = lines(AUDIT, ROWS, 80);
    expect(narrow[0]).not.toContain('DETAIL');
    expect(narrow[1]).toMatch(/^ {4}DETAIL$/);
    expect(narrow.find((l) => l.startsWith('7 '))).toBeDefined();
    expect(narrow[narrow.findIndex((l) => l.startsWith('7 ')) + 1]).toMatch(/^ {4}already processed/);
    // At 160 it stays in the row, wrapped in its column.
    const wide = lines(AUDIT, ROWS, 160);
    expect(wide[0]).toMatch(/OUTCOME {2,}DETAIL$/);
  });

  it('piped, nothing changes: every column, whole, in the order of the header', () => {
    expect(tsvLines(table(OUTBOX, EMAILS))[0]).toBe('id\tqueued\tstatus\ttemplate\tto\taccount\tticket\tsubject');
    expect(tsvLines(table(OUTBOX, EMAILS))[2]).toContain('7c2f9e14-3b5a-4d8e-9f61-2a0b7c4d5e86\t48214\tYour Headway account');
  });

  it('at any width from 20 to 200 columns, no line is wider, and no identifier loses a character', () => {
    const { random } = testRandom();
    for (let i = 0; i < 60; i++) {
      const width = 20 + Math.floor(random() * 181);
      const out = lines(OUTBOX, EMAILS, width);
      expectFits(out, width);
      const flat = out.join('\n').replace(/\s+/g, '');
      for (const e of EMAILS) expect(flat, `${width}`).toContain(e.to);
    }
  });
});
