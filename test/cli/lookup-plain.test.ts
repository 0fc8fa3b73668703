// A plain `cx lookup <address>` runs without commander (src/cli-words.ts plainLookup, issue 14). Commander's
// path is the reference: the same lookup written so that commander must parse it (`--` before the address)
// prints the same, exits the same and audits the same, on two copies of the same mirror.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { plainLookup } from '../../src/cli-words.js';
import { baseEnv, copyMirror, CX, demoMirror, query, REPO, tempDir } from '../helpers/cx.js';
import { TEST_KEY } from '../helpers/env.js';
import { cxIn } from '../helpers/in-process.js';

let plainDb: string;
let commanderDb: string;
beforeAll(() => {
  plainDb = copyMirror(demoMirror(), 'plain.db');
  commanderDb = copyMirror(demoMirror(), 'commander.db');
});

/** The audit rows a run appended, without their times and hashes (which differ between the two mirrors). */
function auditTail(db: string, after: number) {
  return query(db, 'SELECT agent, action, ticket, account_id, outcome, detail FROM audit_log WHERE id > ? ORDER BY id', after);
}
const lastAuditId = (db: string): number => query<{ id: number | null }>(db, 'SELECT max(id) AS id FROM audit_log')[0]!.id ?? 0;

/** `options` are global options (as words), `address` the lookup's argument; both forms run on their own mirror. */
async function bothWays(options: string[], address: string, extraEnv: Record<string, string> = {}) {
  const before = { plain: lastAuditId(plainDb), commander: lastAuditId(commanderDb) };
  const plain = await cxIn(['lookup', address, ...options], { db: plainDb, env: extraEnv });
  const viaCommander = await cxIn(['lookup', ...options, '--', address], { db: commanderDb, env: extraEnv });
  return {
    plain,
    viaCommander,
    audit: { plain: auditTail(plainDb, before.plain), commander: auditTail(commanderDb, before.commander) },
  };
}

describe('cx lookup <address>: the plain path equals commander’s', () => {
  it.each([
    ['found, with family, --json', ['--json'], 'jane.doe@gmail.com'],
    ['found, as a card', [], 'Jane.Doe@GoogleMail.com'],
    ['a former address', ['--json'], 'rcastellanos@lakeshorecounseling.com'],
    ['a deactivated client (the retention rules load on demand)', [], 'gordon.pike@aol.com'],
    ['a disposable domain', [], 'quinn.harper@mailinator.com'],
    ['a typo: exit 3 with suggestions, --json', ['--json'], 'jane.doe@gmial.com'],
    ['a typo: exit 3 with suggestions, as text', [], 'jane.doe@gmial.com'],
    ['not an address: exit 2', ['--json'], 'not an address'],
    ['an empty argument', [], ''],
    ['pasted with a name', [], 'Jane Doe <jane.doe@gmail.com>'],
    ['an account id', ['--json'], 'p202'],
    ['with a ticket and an agent', ['--ticket', 'ZD-4242', '--agent', 'sam'], 'jane.doe@gmail.com'],
    ['a ticket id that is not printable: exit 2', ['--ticket', 'ZD\u001b[31m1', '--json'], 'jane.doe@gmail.com'],
    ['a hostile address', [], 'x\u001b]0;pwned\u0007@evil.test'],
  ])('%s', async (_what, options, address) => {
    const { plain, viaCommander, audit } = await bothWays(options, address);
    expect(plain.code, plain.stderr).toBe(viaCommander.code);
    expect(plain.stdout).toBe(viaCommander.stdout);
    expect(plain.stderr).toBe(viaCommander.stderr);
    expect(audit.plain).toEqual(audit.commander);
  });

  it('--db given as a word names the mirror, as through commander', async () => {
    const plain = await cxIn(['--db', plainDb, 'lookup', 'jane.doe@gmail.com', '--json'], { env: { CX_DB: undefined } });
    const viaCommander = await cxIn(['--db', commanderDb, 'lookup', '--json', '--', 'jane.doe@gmail.com'], { env: { CX_DB: undefined } });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toBe(viaCommander.stdout);
  });

  it('a mirror that is not there: the same refusal and hint', async () => {
    const missing = join(tempDir(), 'nope.db');
    const plain = await cxIn(['lookup', 'jane.doe@gmail.com', '--db', missing]);
    const viaCommander = await cxIn(['lookup', '--db', missing, '--', 'jane.doe@gmail.com']);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toBe(viaCommander.stderr);
    expect(plain.stderr).toMatch(/cx db init/);
  });
});

describe('which runs take the plain path', () => {
  /** The ES modules a run loaded (test/helpers/module-log). */
  function modulesLoaded(args: string[], env: Record<string, string | undefined> = {}, codes = [0, 3]): string[] {
    const log = join(tempDir(), 'modules.log');
    const r = spawnSync(process.execPath, ['--import', join(REPO, 'test/helpers/module-log/register.mjs'), CX, ...args], {
      cwd: REPO,
      env: { ...baseEnv(plainDb, env), CX_TEST_MODULE_LOG: log },
      encoding: 'utf8',
    });
    expect(codes, r.stderr).toContain(r.status);
    return readFileSync(log, 'utf8').split('\n').filter(Boolean);
  }
  const loadsKeyring = (modules: string[]) => modules.some((url) => url.includes('/node_modules/@napi-rs/keyring'));
  const loadsCommander = (modules: string[]) => modules.some((url) => url.includes('/node_modules/commander/'));

  it('a plain lookup loads neither commander nor more than a handful of cx files', async () => {
    const modules = modulesLoaded(['lookup', 'jane.doe@gmail.com', '--json', '--ticket', 'ZD-1']);
    expect(loadsCommander(modules)).toBe(false);
    // The bundle (rolldown.config.js): its index, the entry chunk, rolldown's runtime and the start-up chunk.
    const ours = [...new Set(modules.filter((url) => url.startsWith(`file://${REPO}/dist/`)))];
    expect(ours.every((url) => url.includes('/dist/cli/')), ours.join('\n')).toBe(true);
    expect(ours.length, ours.join('\n')).toBeLessThanOrEqual(4);
  });

  it("a lookup on an encrypted mirror whose key is in CX_DB_KEY, CX_DB_KEY_FILE or cx's own key file never loads the credential store", () => {
    const lookup = ['lookup', 'jane.doe@gmail.com', '--json'];
    expect(loadsKeyring(modulesLoaded(lookup))).toBe(false); // CX_DB_KEY (the tests' base environment)
    const file = join(tempDir(), 'mirror.key');
    writeFileSync(file, `${TEST_KEY}\n`, { mode: 0o600 });
    expect(loadsKeyring(modulesLoaded(lookup, { CX_DB_KEY: undefined, CX_DB_KEY_FILE: file }))).toBe(false);
    const config = tempDir('cx-config-');
    const id = readFileSync(plainDb).subarray(0, 16).toString('hex');
    mkdirSync(join(config, 'cx', 'keys'), { recursive: true, mode: 0o700 });
    writeFileSync(join(config, 'cx', 'keys', `${id}.key`), `${TEST_KEY}\n`, { mode: 0o600 });
    expect(loadsKeyring(modulesLoaded(lookup, { CX_DB_KEY: undefined, XDG_CONFIG_HOME: config }))).toBe(false);
    // With the key in none of those, the credential store is asked (and, with no session bus here, fails).
    expect(loadsKeyring(modulesLoaded(lookup, { CX_DB_KEY: undefined, XDG_CONFIG_HOME: tempDir('cx-config-') }, [2]))).toBe(true);
  });

  it.each([
    ['--id', ['lookup', '--id', 'p202']],
    ['an option twice', ['lookup', 'jane.doe@gmail.com', '--json', '--json']],
    ['--db=<path> in one word', ['lookup', 'jane.doe@gmail.com', '--db=MIRROR']],
    ['--help', ['lookup', 'jane.doe@gmail.com', '--help']],
  ])('%s goes through commander', async (_what, args) => {
    expect(loadsCommander(modulesLoaded(args.map((a) => a.replace('MIRROR', plainDb))))).toBe(true);
  });
});

describe('plainLookup: the words it takes, and the rest it leaves to commander', () => {
  it.each([
    [['lookup', 'a@b.co'], { address: 'a@b.co', flags: {} }],
    [['--json', 'lookup', 'a@b.co'], { address: 'a@b.co', flags: { json: true } }],
    [['lookup', 'a@b.co', '--ticket', 'ZD-1', '--db', '/m.db', '--agent', 'sam', '--policy', 'p.json'], { address: 'a@b.co', flags: { ticket: 'ZD-1', db: '/m.db', agent: 'sam', policy: 'p.json' } }],
    [['lookup', ''], { address: '', flags: {} }],
  ])('%j is plain', async (args, expected) => {
    expect(plainLookup(args)).toEqual(expected);
  });

  it.each([
    [['lookup']],
    [['lookup', 'a@b.co', 'c@d.co']],
    [['reset', 'a@b.co']],
    [['lookup', '--id', 'p202']],
    [['lookup', 'a@b.co', '--yes']],
    [['lookup', 'a@b.co', '--ticket']],
    [['lookup', 'a@b.co', '--ticket', '']],
    [['lookup', 'a@b.co', '--ticket', '--json']],
    [['lookup', 'a@b.co', '--db', 'x', '--db', 'y']],
    [['lookup', 'a@b.co', '--db=x']],
    [['lookup', '--', 'a@b.co']],
    [['lookup', '-a@b.co']],
  ])('%j is not', async (args) => {
    expect(plainLookup(args)).toBeUndefined();
  });
});
