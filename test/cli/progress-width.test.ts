// Progress bars fit the terminal (issue 21, part 4), and cx notes export shows one like import, batch and
// sync (part 5). cli-progress drew a 40-column bar whatever the width, with line wrapping turned off, so on
// a narrow terminal the end of the line (the count, the time left) was lost past the edge. Every drawing of
// the bar is read back from a real terminal (script(1)) and measured.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseEnv, CX, demoMirror, tempDir } from '../helpers/cx.js';
import { barLine } from '../../src/cmdutil/progress.js';
import { displayWidth } from '../../src/render/text.js';

const hasScript = spawnSync('script', ['--version']).status === 0;
const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;

/** Each line the bar drew: what cli-progress writes between moving to column 1 and clearing the rest. */
function barDrawings(db: string, columns: number, args: string[]): { drawings: string[]; code: number | null; text: string } {
  const r = spawnSync('script', ['-qec', `stty cols ${columns} rows 40; "${process.execPath}" "${CX}" ${args.map(quote).join(' ')}`, '/dev/null'], {
    input: '',
    encoding: 'utf8',
    cwd: tempDir(),
    env: baseEnv(db, { PAGER: 'cat' }),
    timeout: 60_000,
  });
  const drawings = [...r.stdout.matchAll(/\u001b\[1G([^\u001b\r\n]*)\u001b\[0K/g)].map((m) => m[1]!).filter((s) => s.trim() !== '');
  return { drawings, code: r.status, text: r.stdout };
}

describe('the bar line is laid out to the width', () => {
  const bar = (size: number) => '█'.repeat(size);
  it('the bar takes what the text leaves (10 to 40 columns); the least needed pieces go first', () => {
    const pieces = [{ text: '1,234/20,000 tickets' }, { text: '312/s', drop: 2 }, { text: '54s left', drop: 1 }];
    const wide = barLine('batch', pieces, 200, bar);
    expect(wide).toBe(`batch [${bar(40)}] 1,234/20,000 tickets | 312/s | 54s left`);
    const at80 = barLine('batch', pieces, 79, bar);
    expect(displayWidth(at80)).toBeLessThanOrEqual(79);
    expect(at80).toMatch(/^batch \[█{10,40}\] 1,234\/20,000 tickets \| 312\/s \| 54s left$/);
    const at40 = barLine('batch', pieces, 39, bar);
    expect(displayWidth(at40)).toBeLessThanOrEqual(39);
    expect(at40).toMatch(/^batch \[█{10,}\] 1,234\/20,000 tickets$/);
    for (let width = 10; width <= 120; width++) expect(displayWidth(barLine('import', pieces, width, bar)), `${width}`).toBeLessThanOrEqual(width);
  });
});

describe.skipIf(!hasScript)(`bars in a terminal${hasScript ? '' : ': skipped, no script(1)'}`, () => {
  it('cx batch at 50 columns: every drawing of the bar fits, the count whole', () => {
    const file = join(tempDir(), 't.csv');
    writeFileSync(file, `ticket_id,type,email\n${Array.from({ length: 30 }, (_, i) => `W${i},lookup,jane.doe@gmail.com`).join('\n')}\n`);
    const { drawings, code } = barDrawings(demoMirror(), 50, ['batch', file, '--yes', '--out', join(tempDir(), 'r.csv')]);
    expect(code).toBe(0);
    expect(drawings.length).toBeGreaterThan(0);
    for (const d of drawings) expect(displayWidth(d), d).toBeLessThan(50);
    expect(drawings.at(-1)).toMatch(/^batch \[.+\] 30\/30 tickets/);
  });

  it('cx notes export shows its progress on a terminal, fitted to the width', () => {
    const { drawings, code, text } = barDrawings(demoMirror(), 60, ['notes', 'export', 'rcastellanos@lakeshorecounseling.com', '--ticket', 'T-P', '--yes', '--out', join(tempDir(), 'n.zip')]);
    expect(code, text).toBe(0);
    expect(drawings.length, text).toBeGreaterThan(0);
    for (const d of drawings) expect(displayWidth(d), d).toBeLessThan(60);
    expect(drawings.at(-1)).toMatch(/^notes \[.+\] 47\/47 notes/);
  });
});
