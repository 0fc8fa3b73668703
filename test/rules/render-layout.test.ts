// The renderer's pure parts: fitting columns, cutting cells by display width, wrapping prose, times for
// people, pasted addresses.
import { describe, expect, it } from 'vitest';
import { layout, terminalLines, tsvLines, table, type ColumnFit } from '../../src/render/tables.js';
import { NO_PAINT, renderLine, truncate, wrapCell } from '../../src/render/text.js';
import { ago, agoShort, dayForPeople, localTimesIn, shortTimeForPeople, timeForPeople } from '../../src/render/times.js';
import { readPasted } from '../../src/rules/pasted-address.js';
import { displayWidth } from '../../src/render/text.js';

describe('columns fitted to the terminal', () => {
  const col = (kind: ColumnFit['kind'], natural: number, more: Partial<ColumnFit> = {}): ColumnFit => ({ kind, natural, header: 2, priority: 0, ...more });
  const used = (cols: ColumnFit[], room: number) => {
    const placed = layout(cols, room).filter((p) => p.place === 'row');
    return placed.reduce((a, p) => a + p.width, 0) + 2 * (placed.length - 1);
  };

  it('gives way in order: times short, ids to their start, text under the row, info cut, then left out', () => {
    const cols = [col('id', 36), col('time', 21, { short: 6 }), col('key', 30), col('info', 30), col('text', 80)];
    expect(layout(cols, 300).map((p) => [p.place, p.width, p.short])).toEqual([['row', 36, false], ['row', 21, false], ['row', 30, false], ['row', 30, false], ['row', 80, false]]);
    // 36+21+30+30+40 (the least room text keeps in the row) + 8 = 165: 160 needs only the short time.
    expect(layout(cols, 160).map((p) => p.short)).toEqual([false, true, false, false, false]);
    expect(layout(cols, 160)[0]!.width).toBe(36);
    // 9+6+30+30+40+8 = 123: the id cut to its start, the text still in the row.
    const ids = layout(cols, 124);
    expect(ids[0]!.width).toBeLessThan(36);
    expect(ids[4]!.place).toBe('row');
    // Less: the text goes under the row before the info column is cut.
    const under = layout(cols, 100);
    expect(under[4]!.place).toBe('under');
    expect(under[3]!.width).toBe(30);
    const cut = layout(cols, 70);
    expect(cut[3]!.width).toBeLessThan(30);
    expect(cut[2]!.width).toBe(30);
    // Then the lowest priority goes first (of equals, the rightmost): here the info, then the time.
    expect(layout(cols, 50).map((p) => p.place)).toEqual(['row', 'row', 'row', 'gone', 'under']);
    const gone = layout(cols, 45);
    expect(gone.map((p) => p.place)).toEqual(['row', 'gone', 'row', 'gone', 'under']);
    expect(gone[2]!.width).toBe(30);
    // A column with nothing in it goes first, before the time is shortened.
    const empty = layout([...cols, col('info', 10, { empty: true })], 170);
    expect(empty.map((p) => p.place)).toEqual(['row', 'row', 'row', 'row', 'row', 'gone']);
    expect(empty[1]!.short).toBe(false);
    for (const room of [300, 160, 124, 100, 70, 50, 40, 20]) expect(used(cols, room), `${room}`).toBeLessThanOrEqual(room);
  });

  it('an identifier wraps, every character kept: after an @ or a dot where one is near', () => {
    expect(wrapCell('m.okafor@brightpathcounseling.com', 12)).toEqual(['m.okafor@', 'brightpathco', 'unseling.com']);
    expect(wrapCell('m.okafor@brightpath.counseling.com', 14)).toEqual(['m.okafor@', 'brightpath.', 'counseling.com']);
    expect(wrapCell('Siobhán McCarthy', 10)).toEqual(['Siobhán', 'McCarthy']);
    expect(wrapCell('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapCell('short', 10)).toEqual(['short']);
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
    expect(timeForPeople('2026-11-27T11:57:00Z', clock)).toBe('today 06:57, 3m ago');
    expect(timeForPeople('2026-11-27T03:31:00Z', clock)).toBe('yesterday 22:31, 8h ago');
    expect(timeForPeople('2026-11-02T14:05:00Z', clock)).toBe('2026-11-02 09:05, 24d ago');
    expect(shortTimeForPeople('2026-11-27T11:57:00Z', clock)).toBe('3m ago');
    expect(timeForPeople('not a time', clock)).toBe('not a time');
    expect(dayForPeople('2022-04-05T10:00:00Z', clock)).toBe('2022-04-05, 4 years ago');
    expect(ago(new Date('2026-11-27T12:30:00Z'), clock.now)).toBe('in 30 min');
    expect(ago(new Date('2026-11-27T11:59:31Z'), clock.now)).toBe('just now');
  });

  it('compact in tables: 2m ago, 3h ago, 5d ago, 4mo ago, 2y ago, in 2h', () => {
    const at = (iso: string) => agoShort(new Date(iso), clock.now);
    expect(at('2026-11-27T11:58:00Z')).toBe('2m ago');
    expect(at('2026-11-27T08:30:00Z')).toBe('3h ago');
    expect(at('2026-11-22T12:00:00Z')).toBe('5d ago');
    expect(at('2026-07-20T12:00:00Z')).toBe('4mo ago');
    expect(at('2024-11-01T12:00:00Z')).toBe('2y ago');
    expect(at('2026-11-27T14:00:00Z')).toBe('in 2h');
    expect(at('2026-11-27T11:59:59Z')).toBe('just now');
  });

  it('an ISO UTC time inside a sentence is written in the agent zone; other numbers are left alone', () => {
    const tz = () => 'America/New_York';
    expect(localTimesIn('already queued at 2026-12-06T03:40:23Z (outbox 1)', tz)).toBe('already queued at 2026-12-05 22:40 (outbox 1)');
    expect(localTimesIn('on 2026-11-27T12:00:00.000Z by agent; 2026-11-02T14:05Z', tz)).toBe('on 2026-11-27 07:00 by agent; 2026-11-02 09:05');
    expect(localTimesIn('ticket 48213, dates 2026-11-27 and T12', () => { throw new Error('no zone needed'); })).toBe('ticket 48213, dates 2026-11-27 and T12');
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
