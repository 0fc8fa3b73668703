import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../src/commands/index.js';
import type { CommandEntry } from '../../src/cmdutil/define.js';
import { VERSION } from '../../src/cli-words.js';
import { helpAsFlag } from '../../src/index.js';
import { cx } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';

/** Help text wraps to the terminal width: compare with runs of white space folded. */
const flat = (s: string): string => s.replace(/\s+/g, ' ');

function leaves(entries: CommandEntry[], prefix = ''): Array<{ path: string; entry: CommandEntry }> {
  return entries.flatMap((e) =>
    e.children ? leaves(e.children, `${prefix}${e.name} `) : [{ path: `${prefix}${e.name}`, entry: e }],
  );
}

describe('the program', () => {
  it('lists every command in --help with its description and an example', async () => {
    const r = await cxIn(['--help']);
    expect(r.code).toBe(0);
    for (const { path, entry } of leaves(COMMANDS)) {
      expect(entry.summary.length, path).toBeGreaterThan(10);
      expect(entry.examples.length, `${path}: two or three examples`).toBeGreaterThanOrEqual(2);
      expect(entry.examples.length, path).toBeLessThanOrEqual(3);
      for (const example of entry.examples) expect(example.startsWith(`cx ${path}`), `${path} example: ${example}`).toBe(true);
      expect(r.stdout, path).toContain(entry.examples[0]);
    }
    for (const top of COMMANDS) expect(flat(r.stdout)).toContain(top.summary);
  });

  it("shows each command's own help with its examples and the global options it honours", async () => {
    for (const { path, entry } of leaves(COMMANDS)) {
      const r = await cxIn([...path.split(' '), '--help']);
      expect(r.code, path).toBe(0);
      expect(flat(r.stdout), path).toContain(entry.summary);
      for (const example of entry.examples) expect(flat(r.stdout), path).toContain(example);
      expect(entry.globals, `${path} names its global options (an empty list: it honours none)`).toBeDefined();
      for (const [flag] of entry.globals ?? []) expect(r.stdout, `${path} lists ${flag}`).toMatch(new RegExp(`^ {2}${flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `, 'm'));
    }
  });

  it('cx help <cmd> prints exactly cx <cmd> --help and exits 0, nested commands too', async () => {
    for (const path of ['lookup', 'batch', 'db doctor']) {
      const flag = await cxIn([...path.split(' '), '--help']);
      const help = await cxIn(['help', ...path.split(' ')]);
      expect(help.code, `cx help ${path}`).toBe(0);
      expect(help.stdout, `cx help ${path}`).toBe(flag.stdout);
    }
    const nested = await cxIn(['notes', 'help', 'export']);
    expect(nested.code).toBe(0);
    expect(nested.stdout).toBe((await cxIn(['notes', 'export', '--help'])).stdout);
    expect(nested.stdout).toContain('--client <email>');
    expect((await cxIn(['help', 'lookup'])).stdout).toMatch(/--name <full name>[\s\S]*--dob <YYYY-MM-DD>/);
    expect(helpAsFlag(['--db', 'x.db', 'help', 'db', 'doctor'])).toEqual(['--db', 'x.db', 'db', 'doctor', '--help']);
    expect(helpAsFlag(['lookup', 'help'])).toEqual(['lookup', 'help']);
  });

  it('cx alone without a terminal: the help on stdout, exit 0', async () => {
    const r = await cxIn([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: cx [options] [command]');
    expect(r.stderr).toBe('');
    expect((await cxIn(['help'])).stdout).toBe(r.stdout);
  });

  it('prints its version (bin/cx.js: the built program is the sources as they are)', () => {
    const r = cx(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    // dist/ was built from these sources (test/helpers/global-setup.ts): a stale build prints another.
    expect(r.stdout).toBe(`${VERSION}\n`);
  });

  it("rejects an unknown command or option with exit 2 on stderr, prefixed cx: like every other error", async () => {
    const unknown = await cxIn(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(/^cx: unknown command 'frobnicate'/);
    const badOption = await cxIn(['db', 'doctor', '--no-such-flag']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/^cx: unknown option '--no-such-flag'/);
    expect(badOption.stderr).toMatch(/^ {2}cx db doctor --help$/m);
    const missing = await cxIn(['reset']);
    expect(missing.stderr).toMatch(/^cx: missing required argument 'email'/);
    expect(missing.stderr).not.toMatch(/^error:/m);
  });

  it('accepts global options before or after the command, and harmless ones on reads', async () => {
    const before = await cxIn(['--json', 'db', 'init', '--db', '/nonexistent-folder/x.db']);
    expect(before.code).toBe(2);
    expect(before.json().outcome).toBe('invalid');
    const reads = await cxIn(['db', 'doctor', '--yes', '--dry-run', '--ticket', 'T-1', '--db', '/nonexistent-folder/x.db']);
    expect(reads.stderr).not.toMatch(/unknown option/);
  });
});

describe('cx --version', () => {
  it('answers before the command tree is built, exactly as commander does after it', async () => {
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await cxIn([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
      expect(r.stderr).toBe('');
    }
    // With another flag before it, commander answers: the same text.
    const viaCommander = await cxIn(['--json', '--version']);
    expect([viaCommander.code, viaCommander.stdout]).toEqual([0, `${version}\n`]);
  });
});
