// A plain `cx batch <file | ->` runs without commander (src/cli-words.ts plainRun, issue 22). Commander's path
// is the reference: the same batch written so that commander must parse it (`--` before the file) prints
// the same, exits the same, records and audits the same, on two copies of the same mirror.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { plainRun } from '../../src/cli-words.js';
import { copyMirror, DEMO, demoMirror, query, tempDir } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { loadsPackage, modulesLoaded } from '../helpers/modules-loaded.js';

const CANONICAL = join(DEMO, 'tickets', 'canonical.csv');
const ZENDESK = join(DEMO, 'tickets', 'zendesk.csv');

let plainDb: string;
let commanderDb: string;
let cwd: string;
beforeEach(() => {
  plainDb = copyMirror(demoMirror(), 'plain.db');
  commanderDb = copyMirror(demoMirror(), 'commander.db');
  cwd = tempDir(); // the default --notes-dir (exports) is made here, the same folder for both runs
});

/**
 * What a run left in its mirror, without times, hashes and ids (which differ between the two mirrors). The
 * reads of shown results are audited once per chunk, and chunks end on time (src/batch/run.ts): the
 * accounts they name are compared, not how they were split into rows.
 */
function recorded(db: string) {
  const audit = query(db, 'SELECT agent, action, ticket, account_id, outcome, detail FROM audit_log ORDER BY id');
  const shownReads = audit.filter((a) => a.action === 'batch.read');
  return {
    tickets: query(db, 'SELECT desk, ticket_id, action, account_id, email, outcome, detail, agent, via FROM processed_tickets ORDER BY ticket_id, action'),
    // A notes export names its temporary file, a random name each run: compared as the same placeholder.
    audit: audit.filter((a) => a.action !== 'batch.read').map((a) => ({ ...a, detail: String(a.detail).replace(/\.cx-tmp-[0-9a-f]+/g, '.cx-tmp-…') })),
    shown: [...new Set(shownReads.flatMap((a) => String(a.detail).replace(/^[^:]*: showed [\d,]+ accounts?: /, '').split(', ')))].sort(),
    changes: query(db, 'SELECT kind, account_id, desk, ticket, action, n, state FROM changes ORDER BY id'),
  };
}

/** A run's messages without the commands it suggests, which repeat the words typed (the forms differ by `--`). */
const messages = (text: string) => text.split('\n').filter((line) => !line.startsWith('  cx ') && !/^ {2}"fix": "cx /.test(line)).join('\n');

/** `before` and `after` are the words around the file; both forms run on their own mirror. */
async function bothWays(before: string[], source: string, after: string[], opts: { input?: string; env?: Record<string, string> } = {}) {
  const run = { cwd, input: opts.input, env: opts.env };
  const plain = await cxIn([...before, 'batch', source, ...after], { ...run, db: plainDb });
  const viaCommander = await cxIn([...before, 'batch', ...after, '--', source], { ...run, db: commanderDb });
  return { plain, viaCommander };
}

describe('cx batch <file>: the plain path equals commander’s', () => {
  it.each([
    ['the canonical export, results on stdout', [], CANONICAL, ['--yes']],
    ['a dry run', ['--dry-run'], CANONICAL, []],
    ['--out and --json: the summary', ['--json'], CANONICAL, ['-y', '--out', 'OUT']],
    ['a Zendesk export with --type-column and --desk', [], ZENDESK, ['--yes', '--type-column', 'CX action [list]', '--desk', 'zendesk']],
    ['--notes-dir and the global options after the file', [], CANONICAL, ['--notes-dir', 'zips', '--agent', 'sam', '--yes']],
    ['without --yes and no terminal: exit 2', [], CANONICAL, []],
    ['--json without --out: exit 2', [], CANONICAL, ['--json', '--yes']],
    ['--ticket: exit 2', ['--ticket', 'ZD-1'], CANONICAL, ['--yes']],
    ['a file that is not there: exit 2', [], 'nope.csv', ['--yes']],
    ['a bad --desk: exit 2', [], CANONICAL, ['--yes', '--desk', 'a desk']],
    ['--out naming the input: exit 2', [], CANONICAL, ['--yes', '--out', CANONICAL]],
  ])('%s', async (_what, before, source, after) => {
    const out = (words: string[], name: string) => words.map((w) => (w === 'OUT' ? join(cwd, name) : w));
    const plain = await cxIn([...before, 'batch', source, ...out(after, 'plain.csv')], { cwd, db: plainDb });
    const viaCommander = await cxIn([...before, 'batch', ...out(after, 'commander.csv'), '--', source], { cwd, db: commanderDb });
    expect(plain.code, plain.stderr).toBe(viaCommander.code);
    expect(messages(plain.stdout).replaceAll('plain.csv', 'OUT')).toBe(messages(viaCommander.stdout).replaceAll('commander.csv', 'OUT'));
    expect(messages(plain.stderr).replaceAll('plain.csv', 'OUT')).toBe(messages(viaCommander.stderr).replaceAll('commander.csv', 'OUT'));
    expect(recorded(plainDb)).toEqual(recorded(commanderDb));
  });

  it('the file on stdin (-)', async () => {
    const csv = 'ticket_id,type,email\nP-1,lookup,jane.doe@gmail.com\nP-2,password_reset,m.okafor@brightpathcounseling.com\nP-3,lookup,nobody@example.com\n';
    const { plain, viaCommander } = await bothWays([], '-', ['--yes'], { input: csv });
    expect(plain.code, plain.stderr).toBe(5);
    expect(plain.stdout).toBe(viaCommander.stdout);
    expect(messages(plain.stderr)).toBe(messages(viaCommander.stderr));
    expect(recorded(plainDb)).toEqual(recorded(commanderDb));
  });

  it('the commands it suggests repeat the words typed, as through commander', async () => {
    const file = join(cwd, 'tickets.csv');
    writeFileSync(file, 'ticket_id,type,email\nA-1,password_reset,nobody@example.com\n');
    const { plain, viaCommander } = await bothWays(['--db', plainDb], file, ['--yes']);
    expect(plain.stderr).toContain(`\n  cx --db ${plainDb} batch ${file} --yes\n`);
    expect(viaCommander.stderr).toContain(`\n  cx --db ${plainDb} batch --yes -- ${file}\n`);
    const noYes = await cxIn(['batch', file], { cwd, db: plainDb });
    expect(noYes.stderr).toContain(`\n  cx batch ${file} --yes\n`);
  });
});

describe('which batch runs take the plain path', () => {
  it('a plain batch loads no commander; one it leaves to commander does (the check sees it)', () => {
    const input = 'ticket_id,type,email\nQ-1,lookup,jane.doe@gmail.com\n';
    expect(loadsPackage(modulesLoaded(['batch', '-', '--yes'], { db: plainDb, input }), 'commander')).toBe(false);
    expect(loadsPackage(modulesLoaded(['batch', '--yes', '--', '-'], { db: plainDb, input }), 'commander')).toBe(true);
  });

  it.each([
    [['batch', 't.csv'], { command: 'batch', source: 't.csv', options: {}, flags: {} }],
    [['batch', '-', '-y', '--dry-run', '--json'], { command: 'batch', source: '-', options: {}, flags: { yes: true, dryRun: true, json: true } }],
    [
      ['--db', 'm.db', 'batch', 't.csv', '--out', 'r.csv', '--force', '--type-column', 'CX action [list]', '--notes-dir', 'z', '--desk', 'zendesk', '--agent', 'sam'],
      { command: 'batch', source: 't.csv', options: { out: 'r.csv', force: true, typeColumn: 'CX action [list]', notesDir: 'z', desk: 'zendesk' }, flags: { db: 'm.db', agent: 'sam' } },
    ],
  ])('%j is plain', (args, expected) => {
    expect(plainRun(args)).toEqual(expected);
  });

  it.each([
    [['batch']],
    [['batch', 'a.csv', 'b.csv']],
    [['batch', 'a.csv', '--help']],
    [['batch', 'a.csv', '--yes', '-y']],
    [['batch', 'a.csv', '--out=r.csv']],
    [['batch', 'a.csv', '--out', '-']],
    [['batch', 'a.csv', '--out']],
    [['batch', 'a.csv', '--name', 'x']],
    [['--out', 'r.csv', 'batch', 'a.csv']],
    [['--force', 'batch', 'a.csv']],
    [['batch', '--', 'a.csv']],
    [['batch', 'a.csv', '-yq']],
  ])('%j is not', (args) => {
    expect(plainRun(args)).toBeUndefined();
  });
});
