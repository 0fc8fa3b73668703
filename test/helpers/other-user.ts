// Running cx as another user. Tests run as root, whom file modes do not stop, so a read-only folder or a
// file owned by someone else needs a second user: uid/gid 65534 (nobody). That user must be able to run
// what it is given: from a clone in a folder only its owner can enter (/root, a 0700 temp folder) it cannot
// reach bin/cx.js, so it gets a copy of what cx needs at run time (bin, dist, the production packages,
// fixtures) in a temporary folder it can read; if even that fails (node itself out of reach), the test is
// skipped with the reason.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CX, REPO, tempDir } from './cx.js';

export const NOBODY = 65534;

export interface OtherUser {
  uid: number;
  gid: number;
  /** A cx install this user can run: `${root}/bin/cx.js`, `${root}/fixtures/demo`. */
  root: string;
}

const isRoot = process.getuid?.() === 0;
let cached: OtherUser | { skip: string } | undefined;

/** uid 65534 with a cx it can run, or why there is none (not root: no other user can be taken on). */
export function otherUser(): OtherUser | { skip: string } {
  cached ??= isRoot ? prepare() : { skip: 'not running as root, so no other user can be taken on' };
  return cached;
}

/** Who a test that needs file modes to bind runs cx as: itself when not root, else uid 65534. */
export function unprivileged(): { as?: OtherUser } | { skip: string } {
  if (!isRoot) return {};
  const user = otherUser();
  return 'skip' in user ? user : { as: user };
}

function prepare(): OtherUser | { skip: string } {
  const here = { uid: NOBODY, gid: NOBODY, root: REPO };
  if (runs(CX)) return here;
  const root = tempDir('cx-install-');
  chmodSync(root, 0o755);
  for (const part of ['bin', 'dist', 'package.json', 'fixtures']) cpSync(join(REPO, part), join(root, part), { recursive: true });
  const ls = spawnSync('npm', ['ls', '--omit=dev', '--parseable', '--all'], { cwd: REPO, encoding: 'utf8' });
  const packages = (ls.stdout ?? '').split('\n').filter((p) => p.startsWith(join(REPO, 'node_modules/')));
  if (packages.length === 0) return { skip: `uid ${NOBODY} cannot reach ${CX}, and npm could not list the packages to copy for it` };
  for (const dir of packages) cpSync(dir, join(root, relative(REPO, dir)), { recursive: true });
  spawnSync('chmod', ['-R', 'a+rX', root]);
  const bin = join(root, 'bin/cx.js');
  if (!runs(bin)) return { skip: `uid ${NOBODY} cannot run ${process.execPath} ${bin} (is node itself within its reach?)` };
  return { ...here, root };
}

function runs(bin: string): boolean {
  const r = spawnSync(process.execPath, [bin, '--version'], { uid: NOBODY, gid: NOBODY, cwd: '/', encoding: 'utf8', timeout: 60_000 });
  return r.status === 0;
}
