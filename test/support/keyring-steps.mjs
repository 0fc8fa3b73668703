// Run inside a private D-Bus session with an unlocked gnome-keyring (test/cli/keyring.test.ts starts both):
// the cx steps that use the OS credential store, and what the store holds after each, printed as one JSON
// object on stdout. The mirror is $CX_DB; cx's own key folder is under $XDG_CONFIG_HOME.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [cxBin] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const { Entry } = require('@napi-rs/keyring');

const cx = (...args) => {
  const r = spawnSync(process.execPath, [cxBin, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const id = () => readFileSync(process.env.CX_DB).subarray(0, 16).toString('hex');
const stored = (account) => new Entry('cx', account, { linux: { store: 'secret-service' } }).getPassword();
const ownKeys = () => {
  const dir = join(process.env.XDG_CONFIG_HOME, 'cx', 'keys');
  return existsSync(dir) ? readdirSync(dir) : [];
};

const out = {};
out.init = cx('db', 'seed', '--demo', '--json');
out.firstId = id();
out.firstStored = stored(out.firstId);
out.ownKeysAfterInit = ownKeys();
out.lookup = cx('lookup', 'jane.doe@gmail.com', '--json');
out.config = cx('config', '--json');
out.rekey = cx('db', 'rekey', '--json');
out.secondId = id();
out.firstStoredAfterRekey = stored(out.firstId);
out.secondStored = stored(out.secondId);
out.lookupAfterRekey = cx('lookup', 'jane.doe@gmail.com', '--json');
out.ownKeysAtEnd = ownKeys();
process.stdout.write(JSON.stringify(out));
