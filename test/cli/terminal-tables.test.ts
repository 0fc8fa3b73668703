// Tables through a real terminal (issue 21, part 4): a tmux pane 80 and 120 columns wide, read back with
// capture-pane (wrapped lines joined, so a line the terminal had to wrap shows up wider than the pane). At
// 80 columns cx outbox showed TO as `k.asan…`, cx audit ACTION as `offbo…` and OUTCOME as `alrea…`, the
// caseload NAME as `Fatim…`; batch results cut DETAIL. What the agent came for is now whole.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoMirror, tempDir } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { hasTmux, Pane } from '../helpers/tmux.js';
import { displayWidth } from '../../src/render/text.js';

let db = '';
let tickets = '';
beforeAll(async () => {
  db = demoMirror();
  for (const args of [
    ['reset', 'aaliyah.johnson@gmail.com', '--ticket', '48213'],
    ['reset', 'm.okafor@brightpathcounseling.com', '--ticket', '48213'],
    ['offboard', 'aaron.blum@fastmail.com', '--ticket', '48215'],
    ['notes', 'export', 'rcastellanos@lakeshorecounseling.com', '--ticket', '48216', '--out', join(tempDir(), 'notes.zip')],
  ]) expect((await cxIn([...args, '--yes'], { db })).code, args.join(' ')).toBe(0);
  // A row already done: the audit's OUTCOME column says so.
  expect((await cxIn(['batch', '-', '--yes'], { db, input: 'ticket_id,type,email\n48219,resubscribe,aaliyah.johnson@gmail.com\n' })).code).toBe(0);
  tickets = join(tempDir(), 'tickets.csv');
  writeFileSync(tickets, 'ticket_id,type,email\n48220,password_reset,marco.dangelo@gmail.com\n48221,deactivate_client,jane.doe+sam@gmail.com\n48222,password_reset,tyler.brooks@yahoo.com\n');
});

let pane: Pane | undefined;
afterEach(() => pane?.close());

/** cx in a pane `columns` wide, run to its end: the screen's lines (wrapped lines joined). */
async function shown(columns: number, args: string[]): Promise<string[]> {
  pane = new Pane(db, args, { TZ: 'America/Chicago' }, { columns, rows: 60 });
  await pane.exitCode();
  const lines = pane.screen().split('\n');
  return lines.slice(0, lines.findIndex((l) => l.startsWith('EXIT='))).map((l) => l.trimEnd());
}

function fitsAndNothingCut(lines: string[], columns: number, what: string): void {
  for (const line of lines) {
    if (/^ {2}cx /.test(line)) continue; // a command to paste stays whole
    expect(displayWidth(line), `${what} at ${columns}: ${line}`).toBeLessThanOrEqual(columns);
  }
}

/** Only an id may be cut to its start ("7c2f9e14…"): no name, address, action, outcome or detail. */
function onlyIdsCut(lines: string[]): void {
  for (const [, cut] of flat(lines).matchAll(/(\S*)…/g)) expect(cut, 'cut').toMatch(/^[0-9a-f-]{8,}$/);
}

/** The text with its line breaks and indents folded: what a wrapped cell says, read through. */
const flat = (lines: string[]) => lines.join(' ').replace(/\s+/g, ' ');

describe.skipIf(!hasTmux)(`tables in a tmux pane${hasTmux ? '' : ': skipped, no tmux'}`, () => {
  it.each([80, 120])('cx outbox at %i columns: every address whole, the status whole', async (columns) => {
    const lines = await shown(columns, ['outbox']);
    fitsAndNothingCut(lines, columns, 'outbox');
    expect(lines[0]).toMatch(/^ID {2,}QUEUED {2,}STATUS {2,}TEMPLATE {2,}TO {2,}/);
    expect(lines.some((l) => /\baaliyah\.johnson@gmail\.com\b/.test(l))).toBe(true);
    expect(lines.some((l) => /\bm\.okafor@brightpathcounseling\.com\b/.test(l))).toBe(true);
    expect(lines.filter((l) => /\bpending\b/.test(l)).length).toBe(2);
    // Only the template and the subject (what the email is called) may be cut.
    expect(flat(lines)).not.toMatch(/(@\S*|\bpendin?g?)…/);
    // What did not fit is said, not silently dropped.
    if (columns === 80) expect(flat(lines)).toMatch(/Left out at 80 columns: .*SUBJECT/);
  });

  it.each([80, 120])('cx audit at %i columns: ACTION and OUTCOME whole, the detail read through, never cut', async (columns) => {
    const lines = await shown(columns, ['audit']);
    fitsAndNothingCut(lines, columns, 'audit');
    const rows = lines.filter((l) => /^\d+ /.test(l));
    expect(rows.some((l) => /\boffboard\b.*\bdone\b/.test(l))).toBe(true);
    expect(rows.some((l) => /\bbatch\.resubscribe\b.*\balready_done\b/.test(l))).toBe(true);
    expect(rows.some((l) => /\bnotes\.export\.started\b.*started, completed \(row \d+\)/.test(l))).toBe(true);
    expect(flat(lines)).toContain('queued the provider password-reset email ("Please Verify Your Headway Account") to m.okafor@brightpathcounseling.com');
    onlyIdsCut(lines);
  });

  it.each([80, 120])('batch results at %i columns: type, address and outcome whole, the detail whole', async (columns) => {
    const lines = await shown(columns, ['batch', tickets, '--yes', '--dry-run']);
    fitsAndNothingCut(lines, columns, 'batch');
    expect(lines.some((l) => /^48220 +password_reset +marco\.dangelo@gmail\.com +planned/.test(l))).toBe(true);
    expect(lines.some((l) => /^48221 +deactivate_client +jane\.doe\+sam@gmail\.com +planned/.test(l))).toBe(true);
    expect(lines.some((l) => /^48222 +password_reset +tyler\.brooks@yahoo\.com +refused/.test(l))).toBe(true);
    expect(flat(lines)).toContain('tyler.brooks@yahoo.com reported a Headway email as spam (2026-10-30): every email to it is blocked, so the reset email would never arrive');
    onlyIdsCut(lines);
  });

  it.each([80, 120])('the caseload at %i columns: names and addresses whole, what may leave', async (columns) => {
    const lines = await shown(columns, ['offboard', 'aaron.blum@fastmail.com', '--ticket', '48215', '--yes']);
    fitsAndNothingCut(lines, columns, 'caseload');
    expect(lines.some((l) => /^ID {2,}NAME {2,}EMAIL {2,}GOES\b/.test(l))).toBe(true);
    expect(lines.some((l) => /^1036 +Siobhán McCarthy +siobhan\.mccarthy@gmail\.com +may leave/.test(l))).toBe(true);
    expect(lines.some((l) => /^1007 +Marcus Reyes +marcus\.reyes\+headway@outlook\.com +stays/.test(l))).toBe(true);
  });
});
