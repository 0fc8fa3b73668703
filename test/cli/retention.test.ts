import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/index.js';
import type { CommandEntry } from '../../src/cmdutil/define.js';
import { demoMirror, REPO, snapshot } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';

const MARK = '[computed now: imported as deactivated, not recorded by cx]';
const GORDON = {
  account_id: '1038',
  email: 'gordon.pike@aol.com',
  deactivated_at: null,
  retain_until: '2025-03-24',
  retention_rule: `adult: last service 2018-03-24 + 7y (default) ${MARK}`,
  due: true,
};
const OLIVIA = {
  account_id: '1012',
  email: 'olivia.marsh@gmail.com',
  deactivated_at: null,
  retain_until: '2030-10-10',
  retention_rule: `adult: last service 2023-10-10 + 7y (default) ${MARK}`,
  due: false,
};

describe('cx retention', () => {
  it('lists the deactivated records, soonest first, in exactly the promised shape; reads only', async () => {
    const db = demoMirror();
    const before = snapshot(db);
    const r = await cxIn(['retention', '--json'], { db });
    expect(r.code).toBe(0);
    expect(r.json()).toEqual([GORDON, OLIVIA]);
    for (const row of r.json()) {
      expect(Object.keys(row)).toEqual(['account_id', 'email', 'deactivated_at', 'retain_until', 'retention_rule', 'due']);
    }
    expect(snapshot(db)).toEqual(before);
  });

  it('--due keeps the records past their date; the retention day itself is not past', async () => {
    const db = demoMirror();
    expect((await cxIn(['retention', '--due', '--json'], { db })).json()).toEqual([GORDON]);
    expect((await cxIn(['retention', '--due', '--as-of', '2025-03-24', '--json'], { db })).json()).toEqual([]);
    expect((await cxIn(['retention', '--due', '--as-of', '2025-03-25', '--json'], { db })).json()).toEqual([GORDON]);
    const later = (await cxIn(['retention', '--due', '--as-of', '2030-10-11', '--json'], { db })).json();
    expect(later.map((row: { account_id: string }) => row.account_id)).toEqual(['1038', '1012']);
    const human = await cxIn(['retention', '--due', '--as-of', '2020-01-01'], { db });
    expect(human.stdout).toBe('');
    expect(human.stderr).toMatch(/No deactivated record is past its retention date as of 2020-01-01/);
  });

  it('a record deactivated by cx shows the date and rule it recorded, unmarked', async () => {
    const db = demoMirror();
    expect((await cxIn(['deactivate', 'jane.doe+sam@gmail.com', '--ticket', 'T-15', '--yes'], { db })).code).toBe(0);
    const rows = (await cxIn(['retention', '--json'], { db })).json();
    expect(rows.find((row: { account_id: string }) => row.account_id === '1002')).toEqual({
      account_id: '1002',
      email: 'jane.doe+sam@gmail.com',
      deactivated_at: '2026-11-27',
      retain_until: '2033-03-09',
      retention_rule: 'minor: age 18 + 3y (default)',
      due: false,
    });
    // A later policy does not move a recorded date; it does set the computed ones.
    const withPolicy = (await cxIn(['--policy', 'fixtures/policy/example-policy.json', 'retention', '--json'], { db })).json();
    expect(withPolicy.find((row: { account_id: string }) => row.account_id === '1002').retain_until).toBe('2033-03-09');
    expect(withPolicy.find((row: { account_id: string }) => row.account_id === '1012')).toMatchObject({
      retain_until: '2028-10-10',
      retention_rule: `adult: last service 2023-10-10 + 5y (PA, policy fixtures/policy/example-policy.json) ${MARK}`,
    });
  });

  it('human output: a table with the dates, rules and a summary', async () => {
    const db = demoMirror();
    const r = await cxIn(['retention'], { db });
    expect(r.code).toBe(0);
    // Piped: tab-separated rows under a header; the summary on stderr.
    expect(r.stdout.split('\n')[0]).toBe('account\temail\tdeactivated\tretain until\tdue\trule');
    expect(r.stdout).toMatch(/^1038\tgordon\.pike@aol\.com\tbefore cx\t2025-03-24\tyes\t/m);
    expect(r.stderr).toContain('2 deactivated records; 1 past its retention date as of 2026-11-27.');
  });

  it('a bad --as-of or a bad policy file: exit 2', async () => {
    const db = demoMirror();
    expect((await cxIn(['retention', '--as-of', '2026-02-30'], { db })).code).toBe(2);
    const bad = await cxIn(['--policy', 'fixtures/policy/bad-policy.json', 'retention', '--json'], { db });
    expect(bad.code).toBe(2);
    expect(bad.json()).toMatchObject({ outcome: 'invalid' });
    expect(bad.stderr).toContain('states.TX.minorYears');
  });
});

function leaves(entries: CommandEntry[], prefix = ''): string[] {
  return entries.flatMap((e) => (e.children ? leaves(e.children, `${prefix}${e.name} `) : [`${prefix}${e.name}`]));
}

describe('cx deletes no patient record', () => {
  it('no command or option is named for deleting', async () => {
    const words = /\b(delete|purge|erase|remove|destroy|wipe|drop)\b/i;
    const optionLines: string[] = [];
    for (const path of [...leaves(COMMANDS), '']) {
      expect(path, path).not.toMatch(words);
      const help = await cxIn([...path.split(' ').filter(Boolean), '--help']);
      expect(help.code, path).toBe(0);
      const options = help.stdout.split('\n').filter((line) => /^\s+(-\w, )?--[a-z]/.test(line));
      optionLines.push(...options);
      for (const line of options) expect(line, `${path}: ${line}`).not.toMatch(/^\s+(-\w, )?--\S*(delete|purge|erase|remove|destroy|wipe)/i);
    }
    // The check saw the options it is about (this file's commands and the global ones).
    expect(optionLines.join('\n')).toMatch(/--requested-by[\s\S]*--as-of[\s\S]*--effective[\s\S]*--dry-run/);
  });

  it('the store has no DELETE of accounts, appointments, progress notes or former addresses', async () => {
    const dir = join(REPO, 'src/store');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(dir, file), 'utf8');
      expect(text, file).not.toMatch(/DELETE\s+FROM\s+(accounts|appointments|progress_notes|former_emails)\b/i);
    }
  });
});
