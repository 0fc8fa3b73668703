// Settings: each source and their order (flag, environment, config file, default), the config file's checks,
// and the default mirror found from where cx is installed, not from the current folder.
import { cpSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cx, demoMirror, query, REPO, tempDir } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';

interface Shown {
  name: string;
  value: string | number | null;
  source: string;
  from: string;
}

async function settings(env: Record<string, string | undefined>, args: string[] = [], cwd?: string): Promise<Record<string, Shown>> {
  const r = await cxIn([...args, 'config', '--json'], { env, cwd });
  expect(r.code, r.stderr).toBe(0);
  return Object.fromEntries((r.json().settings as Shown[]).map((s) => [s.name, s]));
}

function configFile(values: Record<string, unknown>): { dir: string; path: string } {
  const dir = tempDir('cx-config-');
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify(values));
  return { dir, path };
}

const FILE_VALUES = { db: 'team.db', policy: 'policy.json', agent: 'file-agent', tz: 'America/Chicago', desk: 'Zendesk', platform_url: 'https://platform.example.com' };

describe('cx config', () => {
  it('takes each setting from the config file, then the environment over it, then a flag over both', async () => {
    const { dir, path } = configFile(FILE_VALUES);
    const fromFile = await settings({ CX_CONFIG: path, CX_AGENT: undefined, TZ: undefined });
    expect(fromFile.db).toEqual({ name: 'db', value: join(dir, 'team.db'), source: 'config', from: path });
    expect(fromFile.policy).toMatchObject({ value: join(dir, 'policy.json'), source: 'config' });
    expect(fromFile.agent).toMatchObject({ value: 'file-agent', source: 'config' });
    expect(fromFile.tz).toMatchObject({ value: 'America/Chicago', source: 'config' });
    expect(fromFile.desk).toMatchObject({ value: 'zendesk', source: 'config' });
    expect(fromFile.platform_url).toMatchObject({ value: 'https://platform.example.com', source: 'config' });

    const env = { CX_CONFIG: path, CX_DB: '/srv/env.db', CX_AGENT: 'env-agent', TZ: 'Europe/Paris', CX_DESK: 'freshdesk', CX_PLATFORM_URL: 'https://env.example.com', CX_POLICY: '/srv/p.json' };
    const fromEnv = await settings(env);
    for (const [name, value] of [['db', '/srv/env.db'], ['agent', 'env-agent'], ['tz', 'Europe/Paris'], ['desk', 'freshdesk'], ['platform_url', 'https://env.example.com'], ['policy', '/srv/p.json']]) {
      expect(fromEnv[name!], name).toMatchObject({ value, source: 'env' });
    }
    const fromFlags = await settings(env, ['--db', '/srv/flag.db', '--agent', 'flag-agent', '--policy', '/srv/flag.json']);
    expect(fromFlags.db).toMatchObject({ value: '/srv/flag.db', source: 'flag', from: '--db' });
    expect(fromFlags.agent).toMatchObject({ value: 'flag-agent', source: 'flag' });
    expect(fromFlags.policy).toMatchObject({ value: '/srv/flag.json', source: 'flag' });
  });

  it('without a config file: the defaults, the mirror in the install; the secret masked, never shown', async () => {
    const secret = 'whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM=';
    const r = await cxIn(['config', '--json'], { env: { CX_AGENT: undefined, CX_PLATFORM_SECRET: secret } });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('c2VjcmV0');
    const shown = Object.fromEntries((r.json().settings as Shown[]).map((s) => [s.name, s]));
    expect(r.json().config_file.found).toBe(false);
    expect(shown.db).toMatchObject({ value: join(REPO, 'data', 'mirror.db'), source: 'default' });
    expect(shown.desk).toMatchObject({ value: 'cx', source: 'default' });
    expect(shown.agent!.source).toBe('default');
    expect(shown.platform_secret).toEqual({ name: 'platform_secret', value: '********', source: 'env', from: 'CX_PLATFORM_SECRET' });
    const human = await cxIn(['config'], { env: { CX_PLATFORM_SECRET: secret } });
    expect(human.stdout).toMatch(/platform_secret\W+\*{8}\W+env/);
    expect(human.stdout).not.toContain('c2VjcmV0');
    // The user name and password in the platform URL may be credentials: cx sync push refuses such a URL, and config masks them.
    const withPassword = await cxIn(['config', '--json'], { env: { CX_PLATFORM_URL: 'https://ops:hunter2@platform.example.com/' } });
    expect(withPassword.stdout).not.toContain('hunter2');
    expect(withPassword.json().settings.find((s: { name: string }) => s.name === 'platform_url').value).toBe('https://********:********@platform.example.com/');
  });

  it('finds $XDG_CONFIG_HOME/cx/config.json, and a change files its ticket under the desk set there', async () => {
    const db = demoMirror();
    const home = tempDir('cx-xdg-');
    mkdirSync(join(home, 'cx'));
    writeFileSync(join(home, 'cx', 'config.json'), JSON.stringify({ db, desk: 'zendesk' }));
    const env = { XDG_CONFIG_HOME: home };
    const r = await cxIn(['reset', 'jane.doe@gmail.com', '--ticket', '48213', '--yes', '--resubscribe'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(query(db, 'SELECT desk, ticket_id FROM processed_tickets')).toEqual([{ desk: 'zendesk', ticket_id: '48213' }]);
  });

  it.each([
    ['an unknown key', { db: 'x.db', colour: 'blue' }, /"colour" unknown key/],
    ['a time zone that is not one', { tz: 'Mars/Olympus' }, /"tz" not a time zone name/],
    ['a platform URL over plain http', { platform_url: 'http://platform.example.com' }, /"platform_url" must use https/],
    ['a value that is not a string', { desk: 7 }, /"desk" must be a non-empty string/],
  ])('%s: exit 2 naming the file and the key', async (_what, values, message) => {
    const { path } = configFile(values);
    const r = await cxIn(['lookup', 'jane.doe@gmail.com'], { env: { CX_CONFIG: path } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`config file ${path}`);
    expect(r.stderr).toMatch(message);
  });

  it('$CX_CONFIG naming a file that is not there is an error, not a silent default', async () => {
    const r = await cxIn(['config'], { env: { CX_CONFIG: join(tempDir(), 'nope.json') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.json cannot be read \(no such file\)/);
  });
});

describe('the mirror in the install', () => {
  /** A copy of the install (its own data/ folder), so the test never touches the repo's own mirror. */
  function install(): string {
    const root = tempDir('cx-install-');
    for (const part of ['bin', 'dist', 'package.json', 'data/README.md', 'fixtures/demo']) cpSync(join(REPO, part), join(root, part), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
    return root;
  }

  it("README's set-up from another folder: seed the demo, then a lookup, from anywhere", async () => {
    const root = install();
    const run = (args: string[], cwd: string) => cx(args, { as: { uid: process.getuid!(), gid: process.getgid!(), root }, cwd, env: { CX_DB: undefined } });
    const missing = run(['lookup', 'jane.doe@gmail.com'], tempDir());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`no mirror at ${join(root, 'data', 'mirror.db')}`);
    expect(missing.stderr).toMatch(/\n {2}cx db init\n/);
    expect(run(['db', 'seed', '--demo'], tempDir()).code).toBe(0);
    const found = run(['lookup', ' Jane.Doe@GoogleMail.com '], tempDir());
    expect(found.code, found.stderr).toBe(0);
    expect(found.stdout).toContain('jane.doe@gmail.com');
  });

  it('the missing-mirror hint names the path the agent gave', async () => {
    const path = join(tempDir(), 'my mirror.db');
    const flag = await cxIn(['lookup', 'jane.doe@gmail.com', '--db', path]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain(`  cx db init --db '${path}'\n`);
    const env = await cxIn(['audit'], { db: path });
    expect(env.stderr).toContain(`  cx db init --db '${path}'\n`);
  });
});

describe('cx config set, get and unset (as gh config has)', () => {
  /** A config home with no cx folder in it yet: a fresh machine. */
  function freshHome(): { env: Record<string, string | undefined>; path: string; dir: string } {
    const home = tempDir('cx-fresh-');
    return { env: { XDG_CONFIG_HOME: home, CX_CONFIG: undefined, TZ: undefined, CX_DESK: undefined }, path: join(home, 'cx', 'config.json'), dir: join(home, 'cx') };
  }
  const fileOf = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;

  it('set writes the file on a fresh machine (folder 0700, file 0600), get prints the value, config lists it', async () => {
    const { env, path, dir } = freshHome();
    const set = await cxIn(['config', 'set', 'tz', 'America/Chicago'], { env });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/^done: set tz to "America\/Chicago" in .*config\.json/);
    expect(fileOf(path)).toEqual({ tz: 'America/Chicago' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir)).toEqual(['config.json']); // no temporary file left beside it
    const get = await cxIn(['config', 'get', 'tz'], { env });
    expect([get.code, get.stdout]).toEqual([0, 'America/Chicago\n']);
    expect((await settings(env)).tz).toMatchObject({ value: 'America/Chicago', source: 'config', from: path });
    expect((await cxIn(['config', 'get', 'tz', '--json'], { env })).json()).toEqual({ name: 'tz', value: 'America/Chicago', source: 'config', from: path });
  });

  it('set checks the value with the rules the reader uses; a refused value leaves the file as it was', async () => {
    const { env, path } = freshHome();
    expect((await cxIn(['config', 'set', 'desk', 'Zendesk'], { env })).code).toBe(0);
    const before = readFileSync(path, 'utf8');
    for (const [key, value, message] of [
      ['tz', 'Mars/Olympus', /"tz" not a time zone name/],
      ['platform_url', 'http://platform.example.com', /"platform_url" must use https/],
      ['colour', 'blue', /unknown key "colour".*db, policy, agent, tz, desk, platform_url/],
      ['agent', '', /"agent" must be a non-empty string/],
    ] as const) {
      const r = await cxIn(['config', 'set', key, value], { env });
      expect(r.code, `${key}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(readFileSync(path, 'utf8')).toBe(before);
    }
    // The desk as the reader keeps it: lowercased; the other keys stay.
    expect((await cxIn(['config', 'set', 'agent', 'Sam Agent'], { env })).code).toBe(0);
    expect(fileOf(path)).toEqual({ desk: 'zendesk', agent: 'Sam Agent' });
  });

  it('a relative path is the one the agent meant, from the current folder; ~/ stays as typed', async () => {
    const { env, path } = freshHome();
    const cwd = tempDir('cx-cwd-');
    expect((await cxIn(['config', 'set', 'db', 'team/mirror.db'], { env, cwd })).code).toBe(0);
    expect(fileOf(path).db).toBe(join(realpathSync(cwd), 'team/mirror.db'));
    expect((await cxIn(['config', 'set', 'policy', '~/cx/policy.json'], { env, cwd })).code).toBe(0);
    expect(fileOf(path).policy).toBe('~/cx/policy.json');
  });

  it('unset takes a key out (also one the reader refuses, so a broken file can be mended); a key not set is already done', async () => {
    const { env, path, dir } = freshHome();
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, JSON.stringify({ tz: 'UTC', colour: 'blue' }), { mode: 0o644 });
    expect((await cxIn(['config'], { env })).code).toBe(2); // the reader refuses the file
    const fix = await cxIn(['config', 'unset', 'colour'], { env });
    expect(fix.code, fix.stderr).toBe(0);
    expect(fileOf(path)).toEqual({ tz: 'UTC' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect((await cxIn(['config'], { env })).code).toBe(0);
    const again = await cxIn(['config', 'unset', 'desk'], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^already done: desk is not set in /);
    expect((await cxIn(['config', 'unset', 'nonsense'], { env })).code).toBe(2);
  });

  it('get is the effective value: the environment over the file, said on stderr in a terminal; the secret masked', async () => {
    const { env } = freshHome();
    await cxIn(['config', 'set', 'tz', 'America/Chicago'], { env });
    const over = await cxIn(['config', 'get', 'tz', '--json'], { env: { ...env, TZ: 'Europe/Paris' } });
    expect(over.json()).toMatchObject({ value: 'Europe/Paris', source: 'env', from: 'TZ' });
    const secret = await cxIn(['config', 'get', 'platform_secret'], { env: { ...env, CX_PLATFORM_SECRET: 'whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM=' } });
    expect(secret.stdout).toBe('********\n');
    const unset = await cxIn(['config', 'get', 'platform_url'], { env });
    expect([unset.code, unset.stdout]).toEqual([0, '']);
    expect((await cxIn(['config', 'get', 'colour'], { env })).code).toBe(2);
  });

  it('set refuses to rewrite a file that is not JSON; writes through a symlink, the link kept; --dry-run writes nothing', async () => {
    const { env, path, dir } = freshHome();
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, '{ "tz": "UTC", ');
    const broken = await cxIn(['config', 'set', 'desk', 'zendesk'], { env });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/is not valid JSON/);
    expect(readFileSync(path, 'utf8')).toBe('{ "tz": "UTC", ');

    const real = join(tempDir('cx-dotfiles-'), 'cx.json');
    writeFileSync(real, '{}');
    rmSync(path);
    symlinkSync(real, path);
    expect((await cxIn(['config', 'set', 'desk', 'zendesk'], { env })).code).toBe(0);
    expect(lstatSync(path).isSymbolicLink()).toBe(true);
    expect(fileOf(real)).toEqual({ desk: 'zendesk' });

    const dry = await cxIn(['config', 'set', 'tz', 'UTC', '--dry-run'], { env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^planned: would set tz to "UTC"/);
    expect(fileOf(real)).toEqual({ desk: 'zendesk' });
  });
});
