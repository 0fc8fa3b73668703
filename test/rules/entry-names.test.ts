import { describe, it, expect } from 'vitest';
import { isSafeEntryName, isSafeSegment, safeSegment, UniqueNames } from '../../src/rules/entry-names.js';

const ALLOWED = /^[A-Za-z0-9._-]+$/;

/** Every property the "Safe names" paragraph asks for. */
function expectSafe(segment: string, maxLength = 80): void {
  expect(segment).toMatch(ALLOWED);
  expect(segment.length).toBeGreaterThan(0);
  expect(segment.length).toBeLessThanOrEqual(maxLength);
  expect(segment).not.toContain('..');
  expect(segment.startsWith('.')).toBe(false);
  expect(segment.endsWith('.')).toBe(false);
  expect(segment).not.toMatch(/^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i);
  expect(isSafeSegment(segment)).toBe(true);
}

const HOSTILE: Array<[string, string]> = [
  ['../../etc/passwd', 'etc_passwd'],
  ['..\\..\\x', 'x'],
  ['/abs', 'abs'],
  ['CON', '_CON'],
  ['nul.txt', '_nul.txt'],
  ['Com1', '_Com1'],
  ['lpt9.log', '_lpt9.log'],
  ['title. ', 'title'],
  ['  spaced  ', 'spaced'],
  ['.hidden', 'hidden'],
  ['Séance à Montréal', 'Seance_a_Montreal'],
  ['a\u0000b\u0007c\nd\re\tf', 'a_b_c_d_e_f'],
  ['invoice\u202Etxt.exe', 'invoice_txt.exe'],
  ['Session 😀 notes', 'Session_notes'],
  ['\u2025', 'untitled'], // TWO DOT LEADER folds to `..`
  ['a\u2025b', 'a_b'],
  ['\uFF0E\uFF0E\uFF0Fetc', 'etc'], // fullwidth `../`
  ['x\uFE52\uFE52y', 'x_y'], // small full stops
  ['', 'untitled'],
  ['🙂🙂', 'untitled'],
  ['-rf', 'rf'],
  ['report.v2.final', 'report.v2.final'],
];

describe('safeSegment', () => {
  it.each(HOSTILE)('makes %j safe: %j', (raw, expected) => {
    const out = safeSegment(raw);
    expect(out).toBe(expected);
    expectSafe(out);
  });

  it('bounds a 300-character title and never ends it on a dot', () => {
    const out = safeSegment(`${'a'.repeat(79)}.${'b'.repeat(220)}`);
    expect(out).toBe('a'.repeat(79));
    expectSafe(out);
    expectSafe(safeSegment('é'.repeat(300), 50), 50);
  });

  it('keeps a reserved name safe even when the prefix meets the length bound', () => {
    const out = safeSegment('con.' + 'x'.repeat(20), 8);
    expectSafe(out, 8);
    expect(out.startsWith('_')).toBe(true);
  });

  it('uses a safe fallback for names with nothing left, and rejects a silly bound', () => {
    expect(safeSegment('***', 80, 'client')).toBe('client');
    expect(safeSegment('***', 80, '../')).toBe('untitled');
    expect(safeSegment('***', 80, 'nul')).toBe('_nul');
    expect(() => safeSegment('x', 3)).toThrow(RangeError);
  });

  it('stays safe on random Unicode input', () => {
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 0x7fffffff);
    for (let i = 0; i < 2000; i++) {
      const raw = Array.from({ length: next() % 40 }, () => String.fromCodePoint(next() % 0x3000)).join('');
      expectSafe(safeSegment(raw, 30), 30);
    }
  });
});

describe('isSafeEntryName', () => {
  it.each([
    ['notes/Jane_c1/2024-01-01_x_n1.txt', true],
    ['README.txt', true],
    ['notes/../../etc/passwd', false],
    ['/abs.txt', false],
    ['notes\\x.txt', false],
    ['notes//x.txt', false],
    ['notes/CON/x.txt', false],
    ['notes/x.txt.', false],
    ['notes/.x', false],
    ['notes/caf\u00e9.txt', false],
    ['', false],
    [`notes/${'a'.repeat(300)}.txt`, false],
  ])('%j -> %s', (name, safe) => {
    expect(isSafeEntryName(name)).toBe(safe);
  });
});

describe('UniqueNames', () => {
  it('never hands out two names alike, compared without case', () => {
    const names = new UniqueNames();
    const a = names.claim('notes/jane_c1', '2024-01-01_Intake_n1', '.txt');
    const b = names.claim('notes/jane_c1', '2024-01-01_Intake_n1', '.txt');
    const c = names.claim('notes/jane_c1', '2024-01-01_INTAKE_N1', '.txt');
    const d = names.claim('notes/jane_c1', '2024-01-01_Intake_n1-2', '.txt');
    expect([a, b, c, d]).toEqual([
      'notes/jane_c1/2024-01-01_Intake_n1.txt',
      'notes/jane_c1/2024-01-01_Intake_n1-2.txt',
      'notes/jane_c1/2024-01-01_INTAKE_N1-3.txt',
      'notes/jane_c1/2024-01-01_Intake_n1-2-2.txt',
    ]);
    expect(new Set([a, b, c, d].map((n) => n.toLowerCase())).size).toBe(4);
  });

  it('gives two notes with the same title and date distinct files', () => {
    const names = new UniqueNames();
    const base = `2024-03-01_${safeSegment('Follow-up')}_${safeSegment('')}`;
    expect(names.claim('notes/x_1', base, '.txt')).not.toBe(names.claim('notes/x_1', base, '.txt'));
  });

  it('gives clients whose names and ids sanitise alike separate folders, and one client one folder', () => {
    const names = new UniqueNames();
    const f1 = names.folderFor('a/b', 'notes', `Ann_${safeSegment('a/b')}`);
    const f2 = names.folderFor('a_b', 'notes', `Ann_${safeSegment('a_b')}`);
    const f3 = names.folderFor('A_B', 'notes', `ann_${safeSegment('A_B')}`);
    expect(names.folderFor('a/b', 'notes', 'ignored')).toBe(f1);
    expect([f1, f2, f3]).toEqual(['notes/Ann_a_b', 'notes/Ann_a_b-2', 'notes/ann_A_B-3']);
  });

  it('refuses a name that was not built from safe parts', () => {
    expect(() => new UniqueNames().claim('notes/../..', 'etc', '')).toThrow(/unsafe/);
    expect(() => new UniqueNames().claim('notes', 'con', '.txt')).toThrow(/unsafe/);
  });
});
