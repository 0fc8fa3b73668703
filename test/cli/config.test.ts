// Settings: each source and their order (flag, environment, config file, default), the config file's checks,
// and the default mirror found from where cx is installed, not from the current folder.
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
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
    // A password in the platform URL is a secret too: cx sync push refuses such a URL, and config masks it.
    const withPassword = await cxIn(['config', '--json'], { env: { CX_PLATFORM_URL: 'https://ops:hunter2@platform.example.com/' } });
    expect(withPassword.stdout).not.toContain('hunter2');
    expect(withPassword.json().settings.find((s: { name: string }) => s.name === 'platform_url').value).toBe('https://ops:********@platform.example.com/');
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
