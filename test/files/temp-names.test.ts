// Names planted at the temporary names cx draws. The names are random (64 bits), so an attacker cannot
// guess one; to show what happens if they did, the draw is pinned here (the only stand-in in these tests):
// the first name holds a symlink to a file the agent can write, the second a file another user made and
// can read. cx follows neither, writes into neither, and uses a third name.
import { chownSync, lstatSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { openOutput } from '../../src/files/output-file.js';
import { tempDir } from '../helpers/cx.js';
import { NOBODY } from '../helpers/other-user.js';

const draws = vi.hoisted(() => ({ pinned: [] as string[] }));
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, randomBytes: (n: number) => (draws.pinned.length ? Buffer.from(draws.pinned.shift()!, 'hex') : actual.randomBytes(n)) };
});

describe('temporary names', () => {
  it('never follows a symlink or reuses a file planted at the name drawn: it draws again', () => {
    const dir = tempDir();
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, join(dir, '.cx-tmp-aaaaaaaaaaaaaaaa'));
    writeFileSync(join(dir, '.cx-tmp-bbbbbbbbbbbbbbbb'), 'theirs', { mode: 0o644 });
    if (process.getuid?.() === 0) chownSync(join(dir, '.cx-tmp-bbbbbbbbbbbbbbbb'), NOBODY, NOBODY);
    draws.pinned.push('aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb');
    const out = openOutput(join(dir, 'results.csv'), { label: '--out', force: false, protect: [] });
    out.write('ticket_id\n');
    out.publish();
    out.discard();
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(join(dir, '.cx-tmp-aaaaaaaaaaaaaaaa')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, '.cx-tmp-bbbbbbbbbbbbbbbb'), 'utf8')).toBe('theirs');
    expect(readFileSync(join(dir, 'results.csv'), 'utf8')).toBe('ticket_id\n');
    const st = statSync(join(dir, 'results.csv'));
    expect([st.mode & 0o777, st.uid]).toEqual([0o600, process.getuid?.()]);
    expect(readdirSync(dir).sort()).toEqual(['.cx-tmp-aaaaaaaaaaaaaaaa', '.cx-tmp-bbbbbbbbbbbbbbbb', 'results.csv', 'victim.txt']);
  });
});
