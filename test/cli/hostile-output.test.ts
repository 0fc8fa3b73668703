// Nothing from the data reaches the terminal raw (issue 10, section 4). Names, note titles, retention rules and
// outbox subjects carrying CSI, OSC (window title, OSC 52 clipboard, OSC 8 hyperlink), DCS, 8-bit C1 (U+009B),
// bidi (U+202E) and a line break go through every command's human output, piped and in a real terminal
// (script(1)): no raw control, escape or bidi byte from data may reach stdout or stderr; with FORCE_COLOR the
// only escape sequences are cx's own SGR colours.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseEnv, CX, cx, demoMirror, tempDir, type CxResult } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { openDb } from '../helpers/sqlite.js';

const HOSTILE = [
  '\u001b[2J\u001b[31m', // CSI: clear the screen, red
  '\u001b]0;pwned\u0007', // OSC: window title
  '\u001b]52;c;ZXZpbA==\u0007', // OSC 52: write the clipboard
  '\u001b]8;;http://evil.example\u001b\\click\u001b]8;;\u001b\\', // OSC 8: hyperlink
  '\u001bP1$qm\u001b\\', // DCS
  '\u009b2J', // 8-bit CSI
  '\u202emoc.liamg', // bidi override
  'two\nlines\r', // a line break and a carriage return
].join('');

/**
 * Every character that must never come raw from data: C0 but LF and TAB (the separator of piped tables, whose
 * cells write a tab as \t), DEL, C1, bidi controls.
 */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
/** cx's own colours: SGR sequences only. */
const SGR = /\u001b\[[0-9;]*m/g;

function hostileMirror(): string {
  const db = demoMirror();
  const conn = openDb(db);
  const name = (id: string) => conn.prepare('UPDATE accounts SET first_name = ?, last_name = ? WHERE id = ?').run(`Eve${HOSTILE}`, `Mal${HOSTILE}`, id);
  for (const id of ['1001', '1002', '1003', '1032', '1033', 'p201', 'p202', '1012', '1038', '1008']) name(id);
  conn.prepare('UPDATE progress_notes SET title = ? WHERE provider_id = ?').run(`Title${HOSTILE}`, 'p202');
  conn.prepare(`UPDATE accounts SET retain_until = '2025-01-01', retention_rule = ? WHERE id = '1038'`).run(`rule${HOSTILE}`);
  conn.close();
  return db;
}

function clean(what: string, r: CxResult | { stdout: string; stderr: string }, colour = false): void {
  for (const [stream, text] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) {
    const rest = colour ? text.replace(SGR, '') : text;
    const bad = RAW.exec(rest);
    expect(bad, `${what}: raw U+${bad?.[0].codePointAt(0)?.toString(16).padStart(4, '0')} on ${stream} near ${JSON.stringify(rest.slice(Math.max(0, (bad?.index ?? 0) - 20), (bad?.index ?? 0) + 20))}`).toBeNull();
  }
}

const T = ['--ticket', 'T-H', '--yes'];

describe('hostile names and titles through every command', () => {
  it('piped, with and without FORCE_COLOR: lookup, family, reset, resubscribe, deactivate, offboard, notes export, audit, outbox, retention, batch, errors', async () => {
    const db = hostileMirror();
    const dir = tempDir();
    const tickets = join(dir, 't.csv');
    writeFileSync(tickets, `ticket_id,type,email\nH1,lookup,jane.doe@gmail.com\nH2,password_reset,aaliyah.johnson@gmail.com\n"H\u001b]0;x\u0007",lookup,jane.doe@gmail.com\n`);
    const runs: string[][] = [
      ['lookup', 'jane.doe@gmail.com'],
      ['lookup', 'jane.doe+sam@gmail.com'],
      ['lookup', '1001'],
      ['lookup', 'olivia.marsh@gmail.com'],
      ['family', 'jane.doe@gmail.com', '--suggest', 'Eve'],
      ['reset', 'aaliyah.johnson@gmail.com', ...T],
      ['reset', 'aaliyah.johnson@gmail.com', ...T],
      ['reset', 'priya.raman@hotmail.com', ...T],
      ['resubscribe', 'priya.raman@hotmail.com', ...T, '--dry-run'],
      ['deactivate', 'connor.obrien@hotmail.com', ...T],
      ['deactivate', 'jane.doe@gmail.com', '--requested-by', 'someone.else@gmail.com', ...T],
      ['offboard', 'm.okafor@brightpathcounseling.com', ...T],
      ['offboard', 'jane.doe@gmail.com', ...T],
      ['notes', 'export', 'rafael.castellanos@proton.me', ...T, '--out', join(dir, 'n.zip')],
      ['notes', 'export', 'rafael.castellanos@proton.me', ...T, '--out', join(dir, 'n.zip')],
      ['audit'],
      ['outbox'],
      ['retention'],
      ['batch', tickets, '--yes'],
      ['lookup', `x\u001b]0;t\u0007@gmail.com`],
      ['lookup', `\u001b[2Jnobody`],
      ['reset', 'jane.doe@gmail.com', '--ticket', `T\u001b[2J`, '--yes'],
    ];
    // Colour forced too for a few: the only escape sequences left are cx's own SGR colours.
    const coloured = new Set(['lookup', 'offboard', 'audit', 'retention']);
    for (const args of runs) {
      for (const colour of coloured.has(args[0]!) ? [false, true] : [false]) {
        // Colour is decided once per process: the coloured runs are processes of their own.
        const r = colour ? cx(args, { db, cwd: dir, env: { NO_COLOR: undefined, FORCE_COLOR: '1' } }) : await cxIn(args, { db, cwd: dir });
        // Down a pipe a batch's stdout is its results CSV, which keeps the exact values
        // (docs/reference.md#how-every-command-behaves).
        const shown = args[0] === 'batch' ? { stdout: '', stderr: r.stderr } : r;
        clean(`cx ${JSON.stringify(args)}${colour ? ' FORCE_COLOR' : ''} (exit ${r.code})`, shown, colour);
      }
    }
    // --json: the same values, parsed back exactly, but no raw C1, bidi or separator character on the wire
    // (JSON.stringify escapes C0 itself; the rest is written \u and four hex digits).
    for (const args of [['lookup', 'jane.doe@gmail.com', '--json'], ['audit', '--json'], ['notes', 'export', 'rafael.castellanos@proton.me', ...T, '--dry-run', '--json']]) {
      const r = await cxIn(args, { db, cwd: dir });
      clean(`cx ${JSON.stringify(args)}`, r);
      expect(r.stdout).toContain('\\u202e');
    }
    expect((await cxIn(['lookup', 'jane.doe@gmail.com', '--json'], { db })).json().matches[0].name).toContain(HOSTILE.slice(HOSTILE.indexOf('\u202e'), HOSTILE.indexOf('\u202e') + 3));
    // The batch's results file keeps the exact values (docs/reference.md#how-every-command-behaves).
    const out = join(dir, 'r.csv');
    expect((await cxIn(['batch', tickets, '--yes', '--out', out, '--force'], { db })).code).toBe(5);
  });

  const hasScript = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!hasScript)(`in a real terminal (script(1)), colours on: lookup, offboard, audit, batch results${hasScript ? '' : ': skipped, no script(1)'}`, async () => {
    const db = hostileMirror();
    const dir = tempDir();
    const tickets = join(dir, 't.csv');
    writeFileSync(tickets, `ticket_id,type,email\nH1,lookup,jane.doe@gmail.com\n"H\u001b]0;x\u0007",lookup,jane.doe@gmail.com\n`);
    const runs: Array<[string[], string]> = [
      [['lookup', 'jane.doe@gmail.com'], 'Eve\\x1b[2J'],
      [['offboard', 'm.okafor@brightpathcounseling.com', ...T], 'Eve\\x1b[2J'],
      [['audit'], 'Eve\\x1b[2J'],
      [['batch', tickets, '--yes'], 'H\\x1b]0;x\\x07'],
    ];
    for (const [args, shownAs] of runs) {
      const line = `stty cols 200 rows 50; "${process.execPath}" "${CX}" ${args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')}`;
      const r = spawnSync('script', ['-qec', line, '/dev/null'], {
        input: '',
        encoding: 'utf8',
        cwd: dir,
        env: baseEnv(db, { NO_COLOR: undefined, FORCE_COLOR: '1', CI: undefined, TERM: 'xterm-256color', PAGER: 'cat' }),
        timeout: 30_000,
      });
      // The terminal turns each \n into \r\n, and a progress bar hides the cursor and redraws its line: those
      // are the terminal's and cx's own, never the data's (which would show as \x1b]…, \x9b, \u202e, \x1b[2J).
      const text = r.stdout.replace(/\r\n/g, '\n').replace(/\u001b[78]|\u001b\[\?(25|7)[lh]|\u001b\[[0-9]*[GK]|\r/g, '');
      expect(text, `cx ${args[0]}`).toContain(shownAs);
      clean(`terminal: cx ${args.join(' ')}`, { stdout: text, stderr: '' }, true);
    }
  });
});
