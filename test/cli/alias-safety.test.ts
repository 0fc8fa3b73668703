// A +alias address is how a family shares one mailbox: a change must act on the person typed, never on a
// relative whose address only matches once a +tag is added or dropped. Lookup still shows the match.
import { describe, expect, it } from 'vitest';
import { demoMirror, snapshot } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';

describe('changes never cross a +alias', () => {
  it.each([
    ['deactivate', 'jane.doe+max@gmail.com', 'jane.doe@gmail.com'],
    ['reset', 'marcus.reyes@outlook.com', 'marcus.reyes+headway@outlook.com'],
    ['resubscribe', 'jane.doe+max@gmail.com', 'jane.doe@gmail.com'],
  ])('cx %s %s: not found (exit 3), names %s, writes nothing', async (command, typed, other) => {
    const db = demoMirror();
    const before = snapshot(db);
    const r = await cxIn([command, typed, '--ticket', 'T-ALIAS', '--yes', '--json'], { db });
    expect(r.code).toBe(3);
    expect(r.json().outcome).toBe('not_found');
    expect(r.json().detail).toContain(other);
    expect(snapshot(db)).toEqual(before);
  });

  it('lookup still finds the account at the other +alias, as the contract says', async () => {
    const db = demoMirror();
    const r = await cxIn(['lookup', 'jane.doe+max@gmail.com', '--json'], { db });
    expect(r.code).toBe(0);
    expect(r.json().matches.map((m: { email: string; matched_by: string }) => [m.email, m.matched_by])).toEqual([
      ['jane.doe@gmail.com', 'mailbox'],
    ]);
  });

  it('the same mailbox written another way (Gmail dots, googlemail) is still the same person', async () => {
    const db = demoMirror();
    const r = await cxIn(['reset', 'TomBecker@gmail.com', '--ticket', 'T-DOTS', '--yes', '--json'], { db });
    expect(r.json()).toMatchObject({ outcome: 'done', account_id: '1006' });
  });
});
