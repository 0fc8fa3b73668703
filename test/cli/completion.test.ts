// `cx completion bash|zsh|fish`: the bash script sourced in a real bash and its function called as bash
// would, and in an interactive bash in tmux for Tab itself; the zsh and fish scripts parsed by their shells
// where installed. Only commands, subcommands and options are offered, never an address or a name; a file
// name is one quoted word; nothing typed on the line is ever run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CX, REPO, tempDir } from '../helpers/cx.js';
import { INSTALL } from '../../src/commands/completion.js';
import { cxIn } from '../helpers/in-process.js';
import { hasTmux, ShellPane } from '../helpers/tmux.js';

const has = (shell: string): boolean => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;

/** The script, written to a file once per shell. */
const scripts = new Map<string, string>();
beforeAll(async () => {
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    const r = await cxIn(['completion', shell]);
    expect(r.code, r.stderr).toBe(0);
    const path = join(tempDir('cx-completion-'), `cx.${shell}`);
    writeFileSync(path, r.stdout);
    scripts.set(shell, path);
  }
});
const script = (shell: 'bash' | 'zsh' | 'fish'): string => scripts.get(shell)!;

/** What bash's completion function offers for the words typed so far (the last one being completed). */
function bashComplete(cwd: string, ...words: string[]): string[] {
  const program = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _cx_completion; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', program, 'bash', script('bash'), ...words], { cwd, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

describe('cx completion bash', () => {
  const here = tempDir('cx-completion-cwd-');
  writeFileSync(join(here, 'tickets.csv'), 'ticket_id,type,email\n');

  it('completes commands, subcommands and options', async () => {
    expect(bashComplete(here, 'cx', 'lo')).toEqual(['lookup']);
    expect(bashComplete(here, 'cx', 'notes', '')).toEqual(['export']);
    const resetOptions = bashComplete(here, 'cx', 'reset', '--');
    expect(resetOptions).toContain('--resubscribe');
    expect(resetOptions).toContain('--ticket');
    expect(resetOptions).not.toContain('--out');
    expect(bashComplete(here, 'cx', '--db', 'x.db', 'db', 'd')).toEqual(['doctor']);
    expect(bashComplete(here, 'cx', 'completion', '')).toEqual(['bash', 'zsh', 'fish']);
  });

  it('offers file names only where a file is expected, and nothing where an address or a name goes', async () => {
    expect(bashComplete(here, 'cx', 'batch', 'tic')).toEqual(['tickets.csv']);
    expect(bashComplete(here, 'cx', 'offboard', 'p@x.com', '--out', 'tic')).toEqual(['tickets.csv']);
    expect(bashComplete(here, 'cx', 'lookup', '')).toEqual([]);
    expect(bashComplete(here, 'cx', 'reset', 'jane.doe@gmail.com', '--ticket', '')).toEqual([]);
    expect(bashComplete(here, 'cx', 'lookup', '--name', '')).toEqual([]);
  });

  it('a file name with spaces or shell metacharacters is one word, quoted, and never run or expanded', async () => {
    const dir = tempDir('cx-completion-names-');
    const names = ['my tickets.csv', "it's.csv", '$(touch ran).csv', 'semi;colon.csv', '*.csv', 'tab\there.csv'];
    for (const n of names) writeFileSync(join(dir, n), '');
    mkdirSync(join(dir, 'sub dir'));
    // Called outside readline (as bash 3.2 runs it, without compopt): the names come back quoted for the line.
    expect(bashComplete(dir, 'cx', 'batch', 'my')).toEqual(['my\\ tickets.csv']);
    expect(bashComplete(dir, 'cx', 'batch', 'it')).toEqual(["it\\'s.csv"]);
    expect(bashComplete(dir, 'cx', 'batch', '$')).toEqual(['\\$\\(touch\\ ran\\).csv']);
    expect(bashComplete(dir, 'cx', 'batch', 'semi')).toEqual(['semi\\;colon.csv']);
    expect(bashComplete(dir, 'cx', 'batch', 'tab')).toEqual(["$'tab\\there.csv'"]);
    // A name that is a glob pattern stays itself: not expanded into the names it matches.
    expect(bashComplete(dir, 'cx', 'batch', '*')).toEqual(['\\*.csv']);
    expect(bashComplete(dir, 'cx', 'db', 'import', 'su')).toEqual(['sub\\ dir']);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it.skipIf(!hasTmux)(`in an interactive bash, Tab puts the name on the line quoted once${hasTmux ? '' : ': skipped, no tmux'}`, async () => {
    const dir = tempDir('cx-completion-tab-');
    writeFileSync(join(dir, 'my tickets.csv'), '');
    writeFileSync(join(dir, 'semi;colon $x.csv'), '');
    // readline quotes the names itself once told they are file names: the script must not quote them again.
    const shell = new ShellPane(dir);
    try {
      shell.run(`source ${script('bash')}; cx() { printf '<%s>\\n' "$@"; }`);
      shell.complete('cx batch my');
      await shell.waitFor(/^<my tickets\.csv>$/m);
      shell.complete('cx batch semi');
      await shell.waitFor(/^<semi;colon \$x\.csv>$/m);
    } finally {
      shell.close();
    }
  });

  it('never runs what is typed on the line', async () => {
    const marker = join(here, 'ran');
    bashComplete(here, 'cx', 'lookup', `$(touch ${marker})`, '');
    bashComplete(here, 'cx', `\`touch ${marker}\``, '--');
    expect(existsSync(marker)).toBe(false);
  });
});

describe.each(['zsh', 'fish'] as const)('cx completion %s', (shell) => {
  it.skipIf(!has(shell))(`parses (${shell} -n)${has(shell) ? '' : `: skipped, ${shell} is not installed here`}`, async () => {
    const r = spawnSync(shell, ['-n', script(shell)], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('cx completion', () => {
  it('an unknown shell is a usage error', async () => {
    const r = await cxIn(['completion', 'powershell']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bash, zsh, fish/);
  });
});

describe('installing the completion on a fresh machine', () => {
  it('the install lines of cx completion --help and the README work in an empty home (the folders made first)', async () => {
    const help = (await cxIn(['completion', '--help'])).stdout;
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const bin = tempDir('cx-bin-');
    writeFileSync(join(bin, 'cx'), `#!/bin/sh\nexec "${process.execPath}" "${CX}" "$@"\n`, { mode: 0o755 });
    for (const [shell, lines] of Object.entries(INSTALL)) {
      for (const line of lines) {
        expect(help, `${shell} in --help`).toContain(`  ${line}\n`);
        expect(readme, `${shell} in the README`).toContain(line);
      }
      const home = tempDir('cx-home-');
      const r = spawnSync('sh', ['-c', lines.join(' && ')], { env: { ...process.env, HOME: home, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8' });
      expect(r.status, `${shell}: ${r.stderr}`).toBe(0);
      const written = lines.at(-1)!.split('> ')[1]!.replace('~', home);
      expect(readFileSync(written, 'utf8'), shell).toContain('cx');
    }
  });
});
