// Ctrl-C while a listing is in the pager (issue 21, part 6): the key goes to the whole foreground group, so
// cx died of it while less carried on, orphaned, the shell's prompt drawn over it. As git and gh do, cx now
// leaves the pager in charge until it exits, then ends with 130. Through a real terminal: a tmux pane ten
// rows high, so that less has a screen to page rather than quitting at once (-F).
import { spawnSync } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoMirror } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { hasTmux, Pane } from '../helpers/tmux.js';

const hasLess = spawnSync('sh', ['-c', 'command -v less']).status === 0;

let db = '';
beforeAll(async () => {
  db = demoMirror();
  // Enough audit rows to fill more than one screen.
  for (let i = 0; i < 15; i++) await cxIn(['lookup', 'jane.doe@gmail.com', '--ticket', `T-${i}`], { db });
  expect((await cxIn(['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'T-R', '--yes'], { db })).code).toBe(0);
});

let pane: Pane | undefined;
afterEach(() => pane?.close());

/** The commands running on the pane's terminal (the shell, cx, the pager, sleep). */
function onTerminal(p: Pane): string[] {
  const tty = p.display('#{pane_tty}').replace(/^\/dev\//, '');
  return spawnSync('ps', ['-t', tty, '-o', 'comm='], { encoding: 'utf8' }).stdout.split('\n').map((s) => s.trim()).filter(Boolean);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!hasTmux || !hasLess)(`the pager and Ctrl-C${hasTmux && hasLess ? '' : ': skipped, no tmux or less'}`, () => {
  it('Ctrl-C in less: cx waits for the pager, which stays in charge; quitting it ends cx with 130, no pager left', async () => {
    const p = (pane = new Pane(db, ['audit'], { PAGER: 'less' }, { columns: 100, rows: 10 }));
    await p.waitFor(/^ID +AT +AGENT/m);
    p.keys('C-c');
    await pause(700);
    expect(p.screen()).not.toMatch(/EXIT=/); // cx did not die under the pager
    expect(onTerminal(p)).toContain('less');
    p.type('q');
    expect(await p.exitCode()).toBe(130);
    await pause(200);
    expect(onTerminal(p)).not.toContain('less');
  });

  it('without Ctrl-C, quitting the pager ends the listing as usual (exit 0)', async () => {
    const p = (pane = new Pane(db, ['audit'], { PAGER: 'less' }, { columns: 100, rows: 10 }));
    await p.waitFor(/^ID +AT +AGENT/m);
    p.type('q');
    expect(await p.exitCode()).toBe(0);
  });
});

describe('a pager that cannot start', () => {
  it('the listing goes to the terminal instead of nowhere', async () => {
    const p = (pane = new Pane(db, ['outbox', '--limit', '1'], { PAGER: 'no-such-pager-cx' }, { columns: 120, rows: 40 }));
    expect(await p.exitCode()).toBe(0);
    expect(p.screen()).toMatch(/^ID +QUEUED +STATUS/m);
  });
});
