// Terminal output through a real terminal (script(1) and tmux) at 80 and 200 columns (issue 12, "Tables that
// fit"): no line wider than the terminal (a command to paste is never broken, so it may be), no box rules,
// headers in capitals; long listings through the pager only on a terminal; --limit cuts with "showing N of M";
// batch results as a table after the progress bar, never mixed with it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, CX, demoMirror, tempDir } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { displayWidth } from '../../src/render/text.js';

const hasScript = spawnSync('script', ['--version']).status === 0;
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
const BOX = /[┌┐└┘├┤┬┴┼─│]/;

const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;

/** cx under script(1) with a terminal `cols` wide; the screen's text without colours. */
function atWidth(db: string, cols: number, args: string[], env: Record<string, string | undefined> = {}): { text: string; code: number | null } {
  const r = spawnSync('script', ['-qec', `stty cols ${cols} rows 60; "${process.execPath}" "${CX}" ${args.map(quote).join(' ')}`, '/dev/null'], {
    input: '',
    encoding: 'utf8',
    cwd: tempDir(),
    env: baseEnv(db, { PAGER: 'cat', ...env }),
    timeout: 60_000,
  });
  return { text: r.stdout.replace(/\r\n/g, '\n').replace(ANSI, '').replace(/\r/g, ''), code: r.status };
}

let db = '';
beforeAll(async () => {
  db = demoMirror();
  for (const args of [
    ['reset', 'aaliyah.johnson@gmail.com'],
    ['reset', 'm.okafor@brightpathcounseling.com'],
    ['deactivate', 'jane.doe+sam@gmail.com'],
  ]) expect((await cxIn([...args, '--ticket', 'T-LAYOUT', '--yes'], { db })).code).toBe(0);
});

const LISTINGS: string[][] = [
  ['audit'],
  ['outbox'],
  ['retention'],
  ['offboard', 'aaron.blum@fastmail.com', '--ticket', 'T-L', '--yes', '--dry-run'],
  ['lookup', 'jane.doe@gmail.com'],
  ['family', 'jane.doe@gmail.com', '--suggest', 'Sam'],
  ['reset', 'priya.raman@hotmail.com', '--ticket', 'T-L', '--yes'],
];

describe.skipIf(!hasScript)(`in a terminal (script(1))${hasScript ? '' : ': skipped, no script(1)'}`, () => {
  it.each([80, 200])('at %i columns: no line wider than the terminal, no box rules, headers in capitals', async (cols) => {
    for (const args of LISTINGS) {
      const { text } = atWidth(db, cols, args);
      expect(text.trim().length, args.join(' ')).toBeGreaterThan(0);
      expect(text, args.join(' ')).not.toMatch(BOX);
      for (const line of text.split('\n')) {
        if (/^ {2}cx /.test(line)) continue; // a command to paste stays whole
        expect(displayWidth(line), `cx ${args.join(' ')} at ${cols}: ${line}`).toBeLessThanOrEqual(cols);
      }
    }
    expect(atWidth(db, cols, ['audit']).text).toMatch(/^ID {2,}AT {2,}AGENT {2,}ACTION/m);
    // At 200 columns nothing in the demo's outbox needs cutting.
    if (cols === 200) expect(atWidth(db, cols, ['outbox']).text).not.toContain('…');
  });

  it('times in the agent zone with how long ago; JSON keeps UTC', async () => {
    const { text } = atWidth(db, 200, ['outbox'], { TZ: 'Asia/Tokyo' });
    expect(text).toMatch(/today 21:00, just now/);
    expect((await cxIn(['outbox', '--json'], { db })).json()[0].created_at).toBe('2026-11-27T12:00:00.000Z');
  });

  it('long listings go through $PAGER on a terminal only; --no-pager prints straight', async () => {
    const file = join(tempDir(), 'paged.txt');
    const paged = atWidth(db, 120, ['audit'], { PAGER: `cat > ${file}` });
    expect(paged.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/ID +AT +AGENT/);
    expect(paged.text).not.toMatch(/ID +AT +AGENT/);
    const other = join(tempDir(), 'not-paged.txt');
    const straight = atWidth(db, 120, ['audit', '--no-pager'], { PAGER: `cat > ${other}` });
    expect(straight.text).toMatch(/ID +AT +AGENT/);
    expect(existsSync(other)).toBe(false);
    await cxIn(['audit'], { db, env: { PAGER: `cat > ${other}` } });
    expect(existsSync(other)).toBe(false); // piped: never paged
  });

  it('batch results on a terminal: a table after the progress bar, values visible, never the raw CSV', async () => {
    const file = join(tempDir(), 't.csv');
    writeFileSync(file, 'ticket_id,type,email\nL1,lookup,jane.doe@gmail.com\nL2,password_reset,tyler.brooks@yahoo.com\n');
    const { text, code } = atWidth(demoMirror(), 100, ['batch', file, '--yes']);
    expect(code).toBe(5);
    expect(text).not.toContain('ticket_id,type,email');
    const header = text.indexOf('TICKET  TYPE');
    expect(header).toBeGreaterThanOrEqual(0);
    expect(text.slice(header)).not.toMatch(/batch \[/); // the bar is gone before the results start
    expect(text).toMatch(/^L2 +password_reset +tyler\.brooks@yahoo\S* +refused/m);
  });
});

describe.skipIf(!hasTmux)(`in a tmux pane${hasTmux ? '' : ': skipped, no tmux'}`, () => {
  it('cx audit at 80 columns: wrapped lines joined back (-J), none is wider than the pane', async () => {
    const name = `cx-layout-${process.pid}`;
    const env = baseEnv(db, { PAGER: 'cat' });
    const envArgs = ['CX_DB', 'CX_DB_KEY', 'NODE_OPTIONS', 'CX_AGENT', 'NO_COLOR'].flatMap((k) => ['-e', `${k}=${env[k] ?? ''}`]);
    const started = spawnSync('tmux', ['new-session', '-d', '-x', '80', '-y', '50', '-s', name, ...envArgs, `"${process.execPath}" "${CX}" audit; sleep 30`], { encoding: 'utf8' });
    expect(started.status, started.stderr).toBe(0);
    try {
      let screen = '';
      for (let i = 0; i < 100 && !/^ID +AT/m.test(screen); i++) {
        spawnSync('sleep', ['0.05']);
        screen = spawnSync('tmux', ['capture-pane', '-p', '-J', '-t', name], { encoding: 'utf8' }).stdout;
      }
      expect(screen).toMatch(/^ID +AT +AGENT/m);
      for (const line of screen.split('\n')) expect(displayWidth(line.trimEnd()), line).toBeLessThanOrEqual(80);
    } finally {
      spawnSync('tmux', ['kill-session', '-t', name]);
    }
  });
});

describe('piped listings and limits', () => {
  it('audit, outbox and retention piped: tab-separated with a header row, nothing cut, parsed by columns', async () => {
    for (const [args, header] of [
      [['audit'], ['id', 'at', 'agent', 'action', 'ticket', 'account', 'outcome', 'detail']],
      [['outbox'], ['id', 'queued', 'status', 'template', 'to', 'account', 'ticket', 'subject']],
      [['retention'], ['account', 'email', 'deactivated', 'retain until', 'due', 'rule']],
    ] as const) {
      const r = await cxIn([...args], { db });
      const rows = r.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
      expect(rows[0], args[0]).toEqual(header);
      for (const row of rows) expect(row, args[0]).toHaveLength(header.length);
      expect(r.stdout).not.toContain('…');
    }
    const audit = (await cxIn(['audit'], { db })).stdout.split('\n')[1]!.split('\t');
    expect(audit[1]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/); // piped times stay ISO UTC
  });

  it('--limit cuts people\'s output with "showing N of M" (stderr when piped); --json has every row unless --limit is given', async () => {
    const limited = await cxIn(['outbox', '--limit', '1'], { db });
    expect(limited.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(limited.stderr).toMatch(/^Showing 1 of 3 emails \(the latest\)/m);
    expect((await cxIn(['outbox', '--json'], { db })).json()).toHaveLength(3);
    expect((await cxIn(['outbox', '--json', '--limit', '1'], { db })).json().map((r: { template: string }) => r.template)).toEqual(['client_deactivation_next_steps']);
    expect((await cxIn(['retention', '--limit', '1'], { db })).stderr).toMatch(/^Showing 1 of 3 records \(the soonest retention dates\)/m);
    expect((await cxIn(['audit', '--limit', '2', '--json'], { db })).json()).toHaveLength(2);
    expect((await cxIn(['audit', '--json'], { db })).json().length).toBeGreaterThan(2);
  });

  it('--since on outbox (when queued) and retention (the deactivation date)', async () => {
    expect((await cxIn(['outbox', '--since', '2026-11-27', '--json'], { db })).json()).toHaveLength(3);
    expect((await cxIn(['outbox', '--since', '2026-11-28', '--json'], { db })).json()).toEqual([]);
    expect((await cxIn(['retention', '--since', '2026-11-27', '--json'], { db })).json().map((r: { account_id: string }) => r.account_id)).toEqual(['1002']);
    expect((await cxIn(['retention', '--since', '2026-11-28', '--json'], { db })).json()).toEqual([]);
    expect((await cxIn(['retention', '--since', 'yesterday'], { db })).code).toBe(2);
  });
});
