import { describe, expect, it } from 'vitest';
import { chainHash, firstBrokenRow, GENESIS_HASH, type AuditFields, type AuditRow } from '../../src/rules/audit-chain.js';

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
    expect(firstBrokenRow(rows)).toBe(2);
  });

  it('names the row after a deletion', () => {
    const rows = chain([entry(1), entry(2), entry(3)]);
    expect(firstBrokenRow([rows[0]!, rows[2]!])).toBe(3);
  });

  it('a row rehashed after an edit still breaks the link of the next one', () => {
    const rows = chain([entry(1), entry(2), entry(3)]);
    const edited = { ...rows[1]!, agent: 'mallory' };
    edited.hash = chainHash(edited.prev_hash, edited);
    rows[1] = edited;
    expect(firstBrokenRow(rows)).toBe(3);
  });

  it('fields cannot bleed into each other', () => {
    const a = chainHash('', { ...entry(1), agent: 'ab', action: 'c' });
    const b = chainHash('', { ...entry(1), agent: 'a', action: 'bc' });
    expect(a).not.toBe(b);
  });
});
