// Help text flows to the terminal (issue 21, part 4): it was hard-wrapped at 100-125 columns and broke
// mid-word at 80 ("same m / ailbox"). Every help page fits its width, piped (100 columns) and in a real
// terminal at 80 and 120; only a command to paste (an example, an install line) is left whole.
import { afterEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/index.js';
import type { CommandEntry } from '../../src/cmdutil/define.js';
import { demoMirror } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { hasTmux, Pane } from '../helpers/tmux.js';
import { displayWidth } from '../../src/render/text.js';

function paths(entries: CommandEntry[], prefix: string[] = []): string[][] {
  return entries.flatMap((e) => [[...prefix, e.name], ...(e.children ? paths(e.children, [...prefix, e.name]) : [])]);
}

/** A line of help that may be wider than the page: a command to paste, kept whole. */
const pasteable = (line: string) => /^ {2,}(cx|mkdir|source|\$) /.test(line) || /^ {2}(bash|zsh|fish) +(mkdir|cx) /.test(line);

function expectFits(text: string, width: number, what: string): void {
  for (const line of text.split('\n')) {
    if (pasteable(line)) continue;
    expect(displayWidth(line), `${what} at ${width}: ${line}`).toBeLessThanOrEqual(width);
  }
}

describe('help flows to the width', () => {
  it('piped (100 columns): every help page, every line', async () => {
    for (const path of [[], ...paths(COMMANDS)]) {
      const r = await cxIn([...path, '--help']);
      expect(r.code, path.join(' ')).toBe(0);
      expectFits(r.stdout, 100, `cx ${path.join(' ')} --help`);
    }
  });

});

let pane: Pane | undefined;
afterEach(() => pane?.close());

describe.skipIf(!hasTmux)(`help in a tmux pane${hasTmux ? '' : ': skipped, no tmux'}`, () => {
  it.each([80, 120])('cx --help, cx batch --help and cx completion --help at %i columns: no word broken', async (columns) => {
    for (const args of [['--help'], ['batch', '--help'], ['completion', '--help']]) {
      pane = new Pane(demoMirror(), args, {}, { columns, rows: 100 });
      await pane.exitCode();
      const screen = pane.screen();
      pane.close();
      pane = undefined;
      expect(screen, args.join(' ')).toMatch(/^Usage: cx/m);
      // capture-pane -J joins what the terminal wrapped: a line wider than the pane is a broken word.
      expectFits(screen, columns, `cx ${args.join(' ')}`);
      // A paragraph flows: at 120 columns it fills the line rather than stopping where it was typed.
      if (columns === 120 && args[0] === 'batch') expect(screen).toMatch(/^Each ticket id is applied once: .* reports already_done\. Rows/m);
    }
  });
});
