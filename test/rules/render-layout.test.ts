// The renderer's pure parts: fitting columns, cutting cells by display width, wrapping prose, times for
// people, pasted addresses.
import { describe, expect, it } from 'vitest';
import { fit, terminalLines, tsvLines, table } from '../../src/render/tables.js';
import { NO_PAINT, renderLine, truncate } from '../../src/render/text.js';
import { ago, dayForPeople, timeForPeople } from '../../src/render/times.js';
import { readPasted } from '../../src/rules/pasted-address.js';
import { displayWidth } from '../../src/render/text.js';

describe('columns fitted to the terminal', () => {
  it('leaves a table that fits alone, and cuts the widest cut columns first', () => {
    expect(fit([4, 10, 20], [true, true, true], 40)).toEqual([4, 10, 20]);
    const cut = fit([4, 10, 50], [false, true, true], 30);
    expect(cut.reduce((a, b) => a + b)).toBeLessThanOrEqual(30);
    expect(cut[0]).toBe(4);
    expect(cut[2]).toBeGreaterThanOrEqual(cut[1]!);
  });

  it('a free-text column keeps a share; kept columns are cut last', () => {
    const widths = fit([3, 21, 10, 20, 8, 8, 26, 120], [false, false, true, true, true, true, true, true], 66, [false, false, false, false, false, false, false, true]);
    expect(widths.reduce((a, b) => a + b)).toBeLessThanOrEqual(66);
    expect(widths.slice(0, 2)).toEqual([3, 21]);
    expect(widths[7]).toBeGreaterThan(widths[3]!);
    const narrow = fit([36, 10, 10], [false, false, false], 30);
    expect(narrow.reduce((a, b) => a + b)).toBeLessThanOrEqual(30);
  });

  it('cells are cut by display width with …, never inside a character; wide characters count two', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('日本語テキスト', 5)).toBe('日本…');
    expect(displayWidth(truncate('🧘‍♀️🧘‍♀️🧘‍♀️', 5))).toBeLessThanOrEqual(5);
    const t = table([{ header: 'name', value: (r: { n: string }) => r.n }, { header: 'x', value: () => 'y' }], [{ n: 'Zoë O’Neil 日本語 and more' }]);
    for (const line of terminalLines(t, 12, NO_PAINT)) expect(displayWidth(line)).toBeLessThanOrEqual(12);
  });

  it('piped: a header row and tab-separated cells, nothing cut, tabs and line breaks written visibly', () => {
    const t = table([{ header: 'a', value: (r: { v: string }) => r.v }, { header: 'b', value: () => 1, piped: () => 2 }], [{ v: 'x\ty\nz\\\u001b' }]);
    expect(tsvLines(t)).toEqual(['a\tb', 'x\\ty\\nz\\\\\\x1b\t2']);
  });
});

describe('prose in a terminal', () => {
  it('wraps at spaces to the width, continuing two spaces further in; a long word stays whole', () => {
    const lines = renderLine('Tell the person: a password reset email is on its way to a.very.long.address@example.com today.', { paint: NO_PAINT, width: 30 });
    for (const l of lines) if (l.trim().includes(' ')) expect(displayWidth(l), l).toBeLessThanOrEqual(30);
    expect(lines.slice(1).every((l) => l.startsWith('  '))).toBe(true);
    expect(lines.join(' ').replace(/\s+/g, ' ')).toBe('Tell the person: a password reset email is on its way to a.very.long.address@example.com today.');
    expect(renderLine({ command: 'cx lookup a@b.c --ticket T-1' }, { paint: NO_PAINT, width: 10 })).toEqual(['  cx lookup a@b.c --ticket T-1']);
  });

  it('a line break or an escape inside data stays on the line, written visibly', () => {
    expect(renderLine(`Name: Eve\n\u001b]0;x\u0007`, { paint: NO_PAINT })).toEqual(['Name: Eve\\x0a\\x1b]0;x\\x07']);
  });
});

describe('times for people', () => {
  const clock = { now: new Date('2026-11-27T12:00:00Z'), tz: 'America/New_York' };
  it('in the agent zone, with how long ago', () => {
    expect(timeForPeople('2026-11-27T11:57:00Z', clock)).toBe('today 06:57, 3 min ago');
    expect(timeForPeople('2026-11-27T03:31:00Z', clock)).toBe('yesterday 22:31, 8 h ago');
    expect(timeForPeople('2026-11-02T14:05:00Z', clock)).toBe('2026-11-02 09:05, 24 days ago');
    expect(timeForPeople('not a time', clock)).toBe('not a time');
    expect(dayForPeople('2022-04-05T10:00:00Z', clock)).toBe('2022-04-05, 4 years ago');
    expect(ago(new Date('2026-11-27T12:30:00Z'), clock.now)).toBe('in 30 min');
    expect(ago(new Date('2026-11-27T11:59:31Z'), clock.now)).toBe('just now');
  });
});

describe('pasted addresses', () => {
  it('takes the address out of a mail header or a sentence, keeping the name as a hint', () => {
    expect(readPasted('Jane Doe <jane.doe@gmail.com>')).toEqual({ address: 'jane.doe@gmail.com', name: 'Jane Doe' });
    expect(readPasted('"Doe, Jane" <jane.doe@gmail.com>,')).toEqual({ address: 'jane.doe@gmail.com', name: 'Doe, Jane' });
    expect(readPasted('jane.doe@gmail.com;')).toEqual({ address: 'jane.doe@gmail.com', name: null });
    expect(readPasted('jane.doe@gmail.com.')).toEqual({ address: 'jane.doe@gmail.com', name: null });
    expect(readPasted('<jane.doe@gmail.com>')).toBeNull();
    expect(readPasted('jane.doe@gmail.com')).toBeNull();
  });
});
