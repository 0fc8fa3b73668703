// The OS credential store, for real: Debian's gnome-keyring as the Secret Service, started unlocked (with a
// non-empty password: an empty one makes no login collection, and every write fails) inside a private D-Bus
// session that ends with the test (dbus-run-session). A new mirror's key goes there, entry cx/<mirror id>,
// and nowhere else; cx finds it there; `cx db rekey` stores the new key there and removes the old entry once
// the mirror opens with the new one. (Where no store answers, cx's own key file: test/cli/encryption.test.ts.)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseEnv, CX, REPO, tempDir } from '../helpers/cx.js';

const missing = ['dbus-run-session', 'gnome-keyring-daemon'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
const why = `needs ${missing.join(' and ')} (Debian: apt-get install -y --no-install-recommends dbus gnome-keyring; .ci/run installs them)`;

describe.skipIf(missing.length > 0)(`the Secret Service (gnome-keyring)${missing.length ? `: skipped, ${why}` : ''}`, () => {
  it('keeps a new mirror\'s key, gives it back to every command, and takes the new key on rekey, dropping the old', () => {
    const home = tempDir('cx-keyring-');
    const db = join(home, 'mirror.db');
    const env = baseEnv(db, { CX_DB_KEY: undefined, HOME: home, XDG_DATA_HOME: join(home, 'data'), XDG_CONFIG_HOME: join(home, 'config') });
    const script = `printf %s cx-test-keyring | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null && exec "$0" "$@"`;
    const r = spawnSync('dbus-run-session', ['--', 'sh', '-c', script, process.execPath, join(REPO, 'test/support/keyring-steps.mjs'), CX], { env, cwd: REPO, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);

    expect(out.init.code, out.init.stderr).toBe(0);
    expect(out.init.stderr).not.toContain('keeps this mirror'); // no key file of cx's own was needed
    expect(out.firstStored).toMatch(/^[0-9a-f]{64}$/);
    expect(out.ownKeysAfterInit).toEqual([]);
    expect(out.lookup.code, out.lookup.stderr).toBe(0);
    const keySetting = JSON.parse(out.config.stdout).settings.find((s: { name: string }) => s.name === 'db_key');
    expect(keySetting).toEqual({ name: 'db_key', value: '********', source: 'default', from: `the Secret Service (the desktop keyring) (entry cx/${out.firstId})` });

    expect(out.rekey.code, out.rekey.stderr).toBe(0);
    expect(JSON.parse(out.rekey.stdout)).toMatchObject({ outcome: 'done', old_key_removed: true, mirror_id: out.secondId, old_mirror_id: out.firstId });
    expect(out.secondId).not.toBe(out.firstId);
    expect(out.firstStoredAfterRekey).toBeNull();
    expect(out.secondStored).toMatch(/^[0-9a-f]{64}$/);
    expect(out.secondStored).not.toBe(out.firstStored);
    expect(out.lookupAfterRekey.code, out.lookupAfterRekey.stderr).toBe(0);
    expect(out.ownKeysAtEnd).toEqual([]);
    // The keys themselves never showed.
    const printed = [out.init, out.lookup, out.config, out.rekey, out.lookupAfterRekey].map((x: { stdout: string; stderr: string }) => x.stdout + x.stderr).join('\n');
    expect(printed).not.toContain(out.firstStored);
    expect(printed).not.toContain(out.secondStored);
  });
});
