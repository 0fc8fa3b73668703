// Where every outcome of the demo world goes (issue 12, "Where messages go"): data on stdout; every error,
// refusal and not-found on stderr with the one prefix `cx:` and stdout empty; each refusal names its next
// step; --json keeps the outcome object on stdout. One walk over every command and every outcome the demo
// world produces (fixtures/demo/README.md), human, and --json for every problem.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoMirror, tempDir } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';

interface Case {
  args: string[];
  code: number;
  /** Set up the mirror first (e.g. make the outcome "already done"). */
  before?: string[];
  /** A refusal that no cx command fixes (the advice is to tell the person, or to escalate). */
  noCommand?: true;
}

const T = ['--ticket', 'T-W', '--yes'];
const P201 = 'm.okafor@brightpathcounseling.com';
const P202 = 'rafael.castellanos@proton.me';

const CASES: Case[] = [
  // Data
  { args: ['lookup', 'JANE.DOE@GMAIL.COM'], code: 0 },
  { args: ['lookup', 'Jane Doe <jane.doe@gmail.com>'], code: 0 },
  { args: ['lookup', '1001'], code: 0 },
  { args: ['lookup', '--id', 'p202'], code: 0 },
  { args: ['lookup', '--name', 'maria garcia'], code: 0 },
  { args: ['family', 'jane.doe@gmail.com', '--suggest', 'Sam'], code: 0 },
  { args: ['family', 'rosa.delgado@yahoo.com', '--suggest', 'Mia'], code: 0 },
  { args: ['outbox'], code: 0, before: ['reset', 'aaliyah.johnson@gmail.com', ...T] },
  { args: ['outbox', '--status', 'failed'], code: 0 },
  { args: ['audit', '--limit', '2'], code: 0 },
  { args: ['audit', '--verify'], code: 0 },
  { args: ['retention', '--due'], code: 0 },
  { args: ['db', 'doctor'], code: 0 },
  // Changes that go through
  { args: ['reset', 'aaliyah.johnson@gmail.com', ...T], code: 0 },
  { args: ['reset', 'aaliyah.johnson@gmail.com', ...T], code: 0, before: ['reset', 'aaliyah.johnson@gmail.com', ...T] },
  { args: ['reset', 'noah.kim@icloud.com', ...T, '--dry-run'], code: 0 },
  { args: ['reset', 'priya.raman@hotmail.com', '--resubscribe', ...T], code: 0 },
  { args: ['resubscribe', 'k.asante@mindfulroots.org', ...T], code: 0 },
  { args: ['resubscribe', 'carlos.mendoza@outlook.com', ...T], code: 0 },
  { args: ['deactivate', 'hannah.schafer@gmail.com', ...T], code: 0 },
  { args: ['deactivate', 'priya.raman@hotmail.com', ...T], code: 0 },
  { args: ['deactivate', 'olivia.marsh@gmail.com', ...T], code: 0 },
  { args: ['offboard', P201, '--effective', '2026-12-31', ...T], code: 0 },
  { args: ['offboard', 'rcastellanos@lakeshorecounseling.com', ...T], code: 0 },
  // Refusals (exit 4): each names its next step
  { args: ['reset', 'priya.raman@hotmail.com', ...T], code: 4 },
  { args: ['reset', 'tyler.brooks@yahoo.com', ...T], code: 4 },
  { args: ['reset', 'tyler.brooks@yahoo.com', '--resubscribe', ...T], code: 4 },
  { args: ['reset', 'grace.whitaker@aol.com', ...T], code: 4 },
  { args: ['reset', 'olivia.marsh@gmail.com', ...T], code: 4, noCommand: true },
  { args: ['reset', P202, ...T], code: 4 },
  { args: ['resubscribe', 'grace.whitaker@aol.com', ...T], code: 4 },
  { args: ['resubscribe', 'tyler.brooks@yahoo.com', ...T], code: 4 },
  { args: ['deactivate', 'connor.obrien@hotmail.com', '--requested-by', 'someone.else@gmail.com', ...T], code: 4 },
  { args: ['deactivate', 'e.fitzgerald@cedarwellness.com', ...T], code: 4 },
  { args: ['offboard', 'jane.doe@gmail.com', ...T], code: 4 },
  { args: ['notes', 'export', 'jane.doe@gmail.com', ...T], code: 4 },
  // Not found (exit 3)
  { args: ['lookup', 'jane.doe@gmial.com'], code: 3 },
  { args: ['lookup', '--name', 'Nobody Here'], code: 3 },
  { args: ['family', 'nobody.here@example.com'], code: 3 },
  { args: ['reset', 'nobody.here@example.com', ...T], code: 3 },
  { args: ['reset', 'jane.doe+max@gmail.com', ...T], code: 3 },
  { args: ['resubscribe', 'nobody.here@example.com', ...T], code: 3 },
  { args: ['deactivate', 'nobody.here@example.com', ...T], code: 3 },
  { args: ['offboard', 'nobody.here@example.com', ...T], code: 3 },
  { args: ['notes', 'export', 't.nguyen@harborlighttherapy.com', ...T], code: 3 },
  { args: ['lookup', '--id', 'no-such-id'], code: 3 },
  // Usage errors (exit 2), commander's own among them
  { args: ['lookup', 'foo'], code: 2 },
  { args: ['lookup', 'jane.doe@gmail.com', '--bogus'], code: 2 },
  { args: ['reset'], code: 2 },
  { args: ['reset', 'jane.doe@gmail.com'], code: 2 },
  { args: ['resubscribe', 'jane.doe@gmail.com', '--reason', 'asked', ...T], code: 2 },
  { args: ['resubscribe', 'tyler.brooks@yahoo.com', '--force', '--reason', 'confirmed\tby phone\u001b[2J', ...T], code: 2 },
  { args: ['frobnicate'], code: 2 },
  { args: ['retention', '--as-of', 'tomorrow'], code: 2 },
  { args: ['audit', '--limit', '0'], code: 2 },
  { args: ['outbox', '--since', 'last week'], code: 2 },
];

const label = (c: Case) => `cx ${c.args.join(' ')} (exit ${c.code})`;

describe('every outcome of the demo world: where it goes', () => {
  it.each(CASES)('$args.0: %#', async (c) => {
    const run = async (json: boolean) => {
      const db = demoMirror();
      if (c.before) expect((await cxIn(c.before, { db, cwd: tempDir() })).code, `before ${label(c)}`).toBe(0);
      return await cxIn(json ? [...c.args, '--json'] : c.args, { db, cwd: tempDir() });
    };
    const human = await run(false);
    expect(human.code, `${label(c)}\n${human.stdout}\n${human.stderr}`).toBe(c.code);
    if (c.code === 0) {
      expect(human.stdout.length + human.stderr.length, label(c)).toBeGreaterThan(0);
      expect(human.stderr, label(c)).not.toMatch(/^cx:/m);
    } else {
      expect(human.stdout, `${label(c)}: stdout stays empty`).toBe('');
      expect(human.stderr, label(c)).toMatch(/^cx: \S/);
      expect(human.stderr, label(c)).not.toMatch(/^error:/m);
    }
    if (c.code === 4) {
      // The next step: what to tell the person and/or a command on a line of its own, ready to paste.
      expect(human.stderr, label(c)).toMatch(/^Next: /m);
      if (!c.noCommand) expect(human.stderr, label(c)).toMatch(/^ {2}cx [a-z]/m);
    }
    if (c.code === 0) return; // the JSON of outcomes that went through is each command's own test
    // Under --json a problem is still an outcome object on stdout (and nothing but JSON there).
    const json = await run(true);
    expect(json.code, label(c)).toBe(c.code);
    const parsed = json.json();
    if (!Array.isArray(parsed) && 'outcome' in parsed) expect(parsed.outcome, label(c)).toMatch(/^(not_found|refused|invalid)$/);
  });
});

describe('a batch with problems', () => {
  it('results on stdout (the exact CSV down a pipe), the summary and the advice on stderr, exit 5', async () => {
    const db = demoMirror();
    const file = join(tempDir(), 't.csv');
    writeFileSync(file, 'ticket_id,type,email\nB1,lookup,jane.doe@gmail.com\nB2,password_reset,tyler.brooks@yahoo.com\n');
    const r = await cxIn(['batch', file, '--yes'], { db });
    expect(r.code).toBe(5);
    expect(r.stdout.split('\n')[0]).toBe('ticket_id,type,email,outcome,account_id,detail,processed_at,tell,suggestions');
    expect(r.stderr).toMatch(/^Batch finished: 2 rows \(1 done, 1 refused\)\./m);
  });
});
