// A command cx prints for the agent to paste runs as pasted (issue 21, part 6): the whole command line, with
// the ticket and --yes where a run without a terminal needs them, and placeholders only where the agent must
// supply a value. Each test runs the printed command itself (in-process, on a demo mirror).
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoMirror, tempDir } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';

const P201 = 'm.okafor@brightpathcounseling.com';

/** The commands printed on lines of their own (two spaces, then `cx …`). */
const commandsIn = (text: string) => text.split('\n').filter((l) => l.startsWith('  cx ')).map((l) => l.trim());

/** Split a printed command into its words (single quotes as shellWord writes them). */
function words(command: string): string[] {
  const out: string[] = [];
  for (const m of command.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)) out.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]!);
  return out;
}

describe('a fix line is the whole command', () => {
  it('no ticket and no --yes without a terminal: the same command with a dry run, and with both', async () => {
    const db = demoMirror();
    const r = await cxIn(['reset', 'jane.doe@gmail.com'], { db });
    expect(r.code).toBe(2);
    expect(commandsIn(r.stderr)).toEqual(['cx reset jane.doe@gmail.com --dry-run', 'cx reset jane.doe@gmail.com --ticket <ticket> --yes']);
    const noYes = await cxIn(['reset', 'jane.doe@gmail.com', '--ticket', 'T-6'], { db });
    expect(noYes.code).toBe(2);
    expect(commandsIn(noYes.stderr)).toEqual(['cx reset jane.doe@gmail.com --ticket T-6 --dry-run', 'cx reset jane.doe@gmail.com --ticket T-6 --yes']);
    const [, pasted] = commandsIn(noYes.stderr);
    expect((await cxIn(words(pasted!).slice(1), { db })).code).toBe(0);
    const noTicket = await cxIn(['reset', 'jane.doe@gmail.com', '--yes'], { db });
    expect(commandsIn(noTicket.stderr)).toEqual(['cx reset jane.doe@gmail.com --yes --ticket <ticket>']);
  });

  it('--out - names the same command with /dev/stdout', async () => {
    const r = await cxIn(['offboard', P201, '--ticket', 'T-6', '--yes', '--out', '-'], { db: demoMirror() });
    expect(r.code).toBe(2);
    expect(commandsIn(r.stderr)).toEqual([`cx offboard ${P201} --ticket T-6 --yes --out /dev/stdout`]);
  });

  it("a provider sent to cx deactivate: the offboarding with its ticket, also in the JSON's next_command", async () => {
    const db = demoMirror();
    const r = await cxIn(['deactivate', P201, '--ticket', 'T-6', '--yes'], { db });
    expect(r.code).toBe(4);
    expect(commandsIn(r.stderr)).toEqual([`cx offboard ${P201} --ticket T-6 --yes`]);
    const json = await cxIn(['deactivate', P201, '--ticket', 'T-6', '--yes', '--json'], { db });
    expect(json.json().next_command).toBe(`cx offboard ${P201} --ticket T-6`);
  });

  it("the offboarding's notes export: --yes, and the zip name cx gives the file by default", async () => {
    const db = demoMirror();
    const r = await cxIn(['offboard', P201, '--ticket', 'T-6', '--yes'], { db });
    expect(r.code, r.stderr).toBe(0);
    // Down a pipe the caseload table is stdout's alone: the advice is on stderr.
    const suggested = commandsIn(r.stderr).find((c) => c.startsWith('cx notes export'));
    expect(suggested).toBe(`cx notes export ${P201} --out notes-p201-T-6-20261127.zip --ticket T-6 --yes`);
    // Pasted as it is, it writes that file; without --out, cx picks the very same name.
    const dir = tempDir();
    expect((await cxIn(words(suggested!).slice(1), { db, cwd: dir })).code).toBe(0);
    const other = tempDir();
    expect((await cxIn(['notes', 'export', P201, '--ticket', 'T-6', '--yes'], { db: demoMirror(), cwd: other })).code).toBe(0);
    expect(readdirSync(dir)).toEqual(['notes-p201-T-6-20261127.zip']);
    expect(readdirSync(other)).toEqual(['notes-p201-T-6-20261127.zip']);
  });

  it('an --out that exists: the same command with --force (exit 2, nothing applied)', async () => {
    const dir = tempDir();
    const out = join(dir, 'results.csv');
    writeFileSync(out, 'older');
    const r = await cxIn(['batch', '-', '--yes', '--out', out], { db: demoMirror(), input: 'ticket_id,type,email\nO1,lookup,jane.doe@gmail.com\n' });
    expect(r.code).toBe(2);
    expect(commandsIn(r.stderr)).toEqual([`cx batch - --yes --out ${out} --force`]);
  });

  it("a batch to run again keeps the run's own options (--notes-dir, --desk, --type-column)", async () => {
    const dir = tempDir();
    const file = join(dir, 't.csv');
    writeFileSync(file, 'ticket_id,type,email\nR1,password_reset,tyler.brooks@yahoo.com\n');
    const notes = join(dir, 'zips');
    const r = await cxIn(['batch', file, '--yes', '--notes-dir', notes, '--desk', 'zendesk', '--out', join(dir, 'r.csv')], { db: demoMirror() });
    expect(r.code).toBe(5);
    expect(commandsIn(r.stderr)).toEqual([`cx batch ${file} --yes --notes-dir ${notes} --desk zendesk --out ${join(dir, 'r.csv')} --force`]);
    expect(existsSync(join(dir, 'r.csv'))).toBe(true);
  });
});
