import { describe, expect, it } from 'vitest';
import { chainHash, firstBrokenRow, GENESIS_HASH, notBefore, type AuditFields, type AuditRow } from '../../src/rules/audit-chain.js';

function chain(entries: AuditFields[]): AuditRow[] {
  let prev = GENESIS_HASH;
  return entries.map((f, i) => {
    const hash = chainHash(prev, f);
    const row = { ...f, id: i + 1, prev_hash: prev, hash };
    prev = hash;
    return row;
  });
}

const entry = (n: number): AuditFields => ({
  at: `2026-11-27T10:00:0${n}.000Z`,
  agent: 'ana',
  action: 'reset',
  ticket: `T-${n}`,
  account_id: `a${n}`,
  outcome: 'done',
  detail: `row ${n}`,
});

describe('audit hash chain', () => {
  it('an untouched chain holds', () => {
    expect(firstBrokenRow(chain([entry(1), entry(2), entry(3)]))).toBeNull();
    expect(firstBrokenRow([])).toBeNull();
  });

  it('names the edited row', () => {
    const rows = chain([entry(1), entry(2), entry(3)]);
    rows[1] = { ...rows[1]!, detail: 'edited' };
    expect(firstBrokenRow(rows)).toEqual({ id: 2, problem: 'chain' });
  });

  it('names the row after a deletion', () => {
    const rows = chain([entry(1), entry(2), entry(3)]);
    expect(firstBrokenRow([rows[0]!, rows[2]!])).toEqual({ id: 3, problem: 'chain' });
  });

  it('a row rehashed after an edit still breaks the link of the next one', () => {
    const rows = chain([entry(1), entry(2), entry(3)]);
    const edited = { ...rows[1]!, agent: 'mallory' };
    edited.hash = chainHash(edited.prev_hash, edited);
    rows[1] = edited;
    expect(firstBrokenRow(rows)).toEqual({ id: 3, problem: 'chain' });
  });

  it('a row dated before the row it follows breaks the chain, though every hash holds', () => {
    const rows = chain([entry(1), entry(3), entry(2)]);
    expect(firstBrokenRow(rows)).toEqual({ id: 3, problem: 'time_order' });
    // The same moment twice is in order (a clock that went back takes the previous row's time).
    expect(firstBrokenRow(chain([entry(1), entry(3), { ...entry(4), at: entry(3).at }]))).toBeNull();
    // Times written with and without milliseconds compare as times, not as text.
    expect(firstBrokenRow(chain([{ ...entry(1), at: '2026-11-27T10:00:01Z' }, { ...entry(2), at: '2026-11-27T10:00:01.500Z' }]))).toBeNull();
  });

  it('a new row is never dated before the row it follows', () => {
    const now = new Date('2026-11-27T12:00:00.000Z');
    expect(notBefore(now, '2026-11-27T11:00:00.000Z')).toBe('2026-11-27T12:00:00.000Z');
    expect(notBefore(now, '2026-11-27T13:00:00.000Z')).toBe('2026-11-27T13:00:00.000Z');
    expect(notBefore(now, '2026-11-27T13:00:00Z')).toBe('2026-11-27T13:00:00.000Z');
    expect(notBefore(now, undefined)).toBe('2026-11-27T12:00:00.000Z');
    expect(notBefore(now, 'not a time')).toBe('2026-11-27T12:00:00.000Z');
  });

  it('fields cannot bleed into each other', () => {
    const a = chainHash('', { ...entry(1), agent: 'ab', action: 'c' });
    const b = chainHash('', { ...entry(1), agent: 'a', action: 'bc' });
    expect(a).not.toBe(b);
  });
});
