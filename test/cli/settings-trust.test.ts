// Settings files are trusted only when they are the agent's own (issue 20, part 5): a config file, the
// platform secret file or a key file that another user could have written (the file or its folder
// writable by others, someone else's, a symlink to such a file), or a secret or key file others can read,
// is refused with exit 2 and the fix, as ssh refuses a private key; a secret put in the wrong setting is
// never echoed, and a config file that is not JSON is located by line and column, never quoted. Each
// through bin/cx.js. Tests run as root, whom modes do not stop: cx reads owners and modes with stat.
import { chmodSync, chownSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cx, demoMirror, tempDir, type CxResult } from '../helpers/cx.js';
import { TEST_KEY } from '../helpers/env.js';
import { NOBODY } from '../helpers/other-user.js';
import { CANARY, CANARY_B64, SECRET } from '../helpers/sync.js';

/** A platform URL nothing answers at: a refused setting stops the run before any request. */
const NOWHERE = 'http://127.0.0.1:9';
const ATTACKER = 'https://attacker.example';

/** A file with `text` and `mode`, in a folder of its own (0700), or in `folder`. */
function fileIn(text: string, mode: number, name: string, folder = tempDir()): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

const configFile = (mode: number, folder?: string) => fileIn(JSON.stringify({ platform_url: ATTACKER, desk: 'zendesk' }), mode, 'config.json', folder);

/** A command that reads the settings, and PHI when they pass: nothing of it may show when they do not. */
function lookup(env: Record<string, string | undefined>, db = demoMirror()): CxResult {
  return cx(['lookup', 'jane.doe@gmail.com'], { db, env });
}

function refused(r: CxResult, message: string, fix: string): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toContain(`cx: ${message}`);
  expect(r.stderr.split('\n')).toContain(`  ${fix}`);
}

describe('a config file another user could have written is refused (exit 2, with the fix)', () => {
  it('writable by others', () => {
    const path = configFile(0o666);
    refused(lookup({ CX_CONFIG: path }), `config file ${path} is refused: its permissions 0666 are too open: others can write it`, `chmod go-w ${path}`);
    chmodSync(path, 0o644);
    expect(lookup({ CX_CONFIG: path }).code).toBe(0);
  });

  it('in a folder its group may write, found where cx looks by default', () => {
    const home = tempDir();
    const folder = join(home, 'cx');
    mkdirSync(folder);
    chmodSync(folder, 0o775);
    const path = configFile(0o600, folder);
    refused(lookup({ XDG_CONFIG_HOME: home }), `config file ${path} is refused: its folder ${folder} is writable by others (permissions 0775): they could put another file in its place`, `chmod go-w ${folder}`);
  });

  it('a symlink to a file others may write; a symlink to a good one is used', () => {
    const target = configFile(0o666);
    const link = join(tempDir(), 'config.json');
    symlinkSync(target, link);
    refused(lookup({ CX_CONFIG: link }), `config file ${link} is refused: it links to ${target}, whose permissions 0666 are too open: others can write it`, `chmod go-w ${target}`);
    chmodSync(target, 0o600);
    const used = cx(['config', 'get', 'desk'], { env: { CX_CONFIG: link } });
    expect([used.code, used.stdout]).toEqual([0, 'zendesk\n']);
  });

  it.skipIf(process.getuid?.() !== 0)("another user's file, even one only they may write", () => {
    const path = configFile(0o644);
    chownSync(path, NOBODY, NOBODY);
    refused(lookup({ CX_CONFIG: path }), `config file ${path} is refused: it is owned by user ${NOBODY}, not by you (0)`, `chown root ${path}`);
  });

  it('cx config set does not carry what such a file says into a new one', () => {
    const path = configFile(0o666);
    refused(cx(['config', 'set', 'tz', 'UTC'], { env: { CX_CONFIG: path } }), `config file ${path} is refused: its permissions 0666 are too open: others can write it`, `chmod go-w ${path}`);
  });
});

describe('a secret or key file another user could read or write is refused (exit 2, with the fix)', () => {
  it('the platform secret file readable by others, or in a folder others may write', () => {
    const path = fileIn(`${SECRET}\n`, 0o644, 'platform.secret');
    const push = () => cx(['sync', 'push'], { db: demoMirror(), env: { CX_PLATFORM_URL: NOWHERE, CX_PLATFORM_SECRET_FILE: path } });
    refused(push(), `the secret file CX_PLATFORM_SECRET_FILE names ${path} is refused: its permissions 0644 are too open: others can read or write it`, `chmod 600 ${path}`);
    chmodSync(path, 0o600);
    chmodSync(dirname(path), 0o777);
    refused(push(), `the secret file CX_PLATFORM_SECRET_FILE names ${path} is refused: its folder ${dirname(path)} is writable by others (permissions 0777)`, `chmod go-w ${dirname(path)}`);
  });

  it('a key file readable by its group, or in a folder others may write', () => {
    const path = fileIn(`${TEST_KEY}\n`, 0o640, 'mirror.key');
    const env = { CX_DB_KEY: undefined, CX_DB_KEY_FILE: path };
    refused(lookup(env), `the key file CX_DB_KEY_FILE names ${path} is refused: its permissions 0640 are too open: others can read or write it`, `chmod 600 ${path}`);
    chmodSync(path, 0o600);
    chmodSync(dirname(path), 0o757);
    refused(lookup(env), `the key file CX_DB_KEY_FILE names ${path} is refused: its folder ${dirname(path)} is writable by others (permissions 0757)`, `chmod go-w ${dirname(path)}`);
    chmodSync(dirname(path), 0o700);
    expect(lookup(env).code).toBe(0);
  });
});

describe('a secret in the wrong setting is never echoed', () => {
  const leaks = (r: CxResult, ...secrets: string[]) => secrets.filter((s) => `${r.stdout}${r.stderr}`.includes(s));

  it('the platform secret given as CX_PLATFORM_SECRET_FILE: refused without it, and cx config does not show it', () => {
    const env = { CX_PLATFORM_URL: NOWHERE, CX_PLATFORM_SECRET_FILE: SECRET };
    const r = cx(['sync', 'push'], { db: demoMirror(), env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cx: CX_PLATFORM_SECRET_FILE holds what looks like a secret, not the path of a file holding one (not shown)');
    expect(leaks(r, SECRET, CANARY_B64)).toEqual([]);
    for (const args of [['config'], ['config', '--json'], ['config', 'get', 'platform_secret', '--json']]) {
      const shown = cx(args, { env });
      expect(shown.code, shown.stderr).toBe(0);
      expect(leaks(shown, SECRET, CANARY_B64)).toEqual([]);
    }
  });

  it("a mirror's key given as CX_DB_KEY_FILE: refused without it, and cx config does not show it", () => {
    const env = { CX_DB_KEY: undefined, CX_DB_KEY_FILE: TEST_KEY };
    const r = lookup(env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cx: CX_DB_KEY_FILE holds what looks like a secret, not the path of a file holding one (not shown)');
    expect(leaks(r, TEST_KEY)).toEqual([]);
    const shown = cx(['config', '--json'], { db: demoMirror(), env });
    expect(shown.code, shown.stderr).toBe(0);
    expect(leaks(shown, TEST_KEY)).toEqual([]);
  });

  it('a secret in a setting that takes a name, a path, a number or a time', () => {
    for (const name of ['CX_AGENT', 'CX_DESK', 'CX_DB', 'CX_POLICY', 'CX_BRAND', 'CX_NOW', 'CX_LOCK_WAIT_MS', 'CX_RESET_WINDOW_MINUTES']) {
      const r = cx(['lookup', 'jane.doe@gmail.com'], { db: name === 'CX_DB' ? undefined : demoMirror(), env: { [name]: SECRET } });
      expect(r.code, `${name}: ${r.stderr}`).toBe(2);
      expect(r.stderr, name).toContain(name);
      expect(leaks(r, SECRET, CANARY_B64), name).toEqual([]);
    }
    for (const name of ['CX_PLATFORM_TIMEOUT_MS', 'CX_SYNC_MAX_ATTEMPTS', 'CX_PLATFORM_URL']) {
      const r = cx(['sync', 'push'], { db: demoMirror(), env: { CX_PLATFORM_URL: NOWHERE, CX_PLATFORM_SECRET: 'whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM=', [name]: SECRET } });
      expect(r.code, `${name}: ${r.stderr}`).toBe(2);
      expect(leaks(r, SECRET, CANARY_B64), name).toEqual([]);
    }
  });

  it("a platform URL with a user name and password: neither in cx sync push's error nor in cx config", () => {
    const url = 'https://agent-login:hunter2-pass@platform.example.com';
    const push = cx(['sync', 'push'], { db: demoMirror(), env: { CX_PLATFORM_URL: url, CX_PLATFORM_SECRET: SECRET } });
    expect(push.code).toBe(2);
    expect(leaks(push, 'agent-login', 'hunter2-pass')).toEqual([]);
    for (const args of [['config'], ['config', '--json'], ['config', 'get', 'platform_url']]) {
      const shown = cx(args, { env: { CX_PLATFORM_URL: url } });
      expect(shown.code, shown.stderr).toBe(0);
      expect(leaks(shown, 'agent-login', 'hunter2-pass')).toEqual([]);
      expect(shown.stdout).toContain('platform.example.com');
    }
    const inFile = fileIn(JSON.stringify({ platform_url: url }), 0o600, 'config.json');
    const fromFile = cx(['config'], { env: { CX_CONFIG: inFile } });
    expect(fromFile.code).toBe(2);
    expect(leaks(fromFile, 'agent-login', 'hunter2-pass')).toEqual([]);
  });

  it('a config file that is not JSON is located by line and column, never quoted', () => {
    const path = fileIn(`{\n  "desk": "zendesk",\n  ${SECRET}\n}\n`, 0o600, 'config.json');
    for (const args of [['lookup', 'jane.doe@gmail.com'], ['config', 'set', 'tz', 'UTC'], ['config', 'unset', 'desk']]) {
      const r = cx(args, { env: { CX_CONFIG: path } });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^cx: config file ${path}:? is not valid JSON \\(line 3, column 3\\)`, 'm'));
      expect(leaks(r, SECRET, CANARY_B64, CANARY, 'zendesk')).toEqual([]);
    }
  });
});

describe('the retention policy file is a settings file too: it sets the dates a deactivation records', () => {
  const deactivate = (policy: string) => cx(['deactivate', 'jane.doe+sam@gmail.com', '--ticket', 'T-POL', '--dry-run'], { db: demoMirror(), env: { CX_POLICY: policy } });
  const policy = (text: string, mode: number) => fileIn(text, mode, 'policy.json');

  it('writable by others: refused with the fix; its own: used', () => {
    const path = policy(JSON.stringify({ adultYears: 1 }), 0o666);
    refused(deactivate(path), `retention policy file ${path} is refused: its permissions 0666 are too open: others can write it`, `chmod go-w ${path}`);
    chmodSync(path, 0o644);
    expect(deactivate(path).code).toBe(0);
  });

  it('not JSON: located by line and column, never quoted', () => {
    const path = policy(`{\n  "adultYears": ${SECRET}\n}\n`, 0o600);
    const r = deactivate(path);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`policy file ${path}: is not valid JSON (line 2, column 17)`);
    expect(r.stderr).not.toContain(SECRET);
    expect(r.stderr).not.toContain(SECRET.slice(0, 8));
  });
});
