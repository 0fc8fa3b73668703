import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/index.js';
import type { CommandEntry } from '../../src/commands/define.js';
import { cx } from '../helpers/cx.js';

/** Help text wraps to the terminal width: compare with runs of white space folded. */
const flat = (s: string): string => s.replace(/\s+/g, ' ');

function leaves(entries: CommandEntry[], prefix = ''): Array<{ path: string; entry: CommandEntry }> {
  return entries.flatMap((e) =>
    e.children ? leaves(e.children, `${prefix}${e.name} `) : [{ path: `${prefix}${e.name}`, entry: e }],
  );
}

describe('the program', () => {
  it('lists every command in --help with its description and an example', () => {
    const r = cx(['--help']);
    expect(r.code).toBe(0);
    for (const { path, entry } of leaves(COMMANDS)) {
      expect(entry.summary.length, path).toBeGreaterThan(10);
      expect(entry.example.startsWith(`cx ${path}`), `${path} example: ${entry.example}`).toBe(true);
      expect(r.stdout, path).toContain(entry.example);
    }
    for (const top of COMMANDS) expect(flat(r.stdout)).toContain(top.summary);
  });

  it("shows each command's own help with its example", () => {
    for (const { path, entry } of leaves(COMMANDS)) {
      const r = cx([...path.split(' '), '--help']);
      expect(r.code, path).toBe(0);
      expect(flat(r.stdout), path).toContain(entry.summary);
      expect(flat(r.stdout), path).toContain(entry.example);
    }
  });

  it('prints its version', () => {
    const r = cx(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('rejects an unknown command or option with exit 2 on stderr', () => {
    const unknown = cx(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(/unknown command/i);
    const badOption = cx(['db', 'doctor', '--no-such-flag']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/unknown option/i);
  });

  it('accepts global options before or after the command', () => {
    const before = cx(['--json', 'db', 'init', '--db', '/nonexistent-folder/x.db']);
    expect(before.code).toBe(2);
    expect(before.json().outcome).toBe('invalid');
  });
});
