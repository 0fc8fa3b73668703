// Encryption at rest, the rule variants in-process (the contract rows run as processes in contract.test.ts):
// where the key comes from and in which order, where a new mirror's key goes, plaintext mirrors and their
// warning, db encrypt and db rekey and what they refuse, an interrupted conversion finished by the next run.
// Every output of every run here is kept and searched at the end: no key ever shows.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { examineMirrorFile } from '../../src/store/cipher.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/schema.js';
import { cx, demoMirror, emptyMirror, plainDemoMirror, query, snapshot, tempDir, type CxResult } from '../helpers/cx.js';
import { folderDigest, OTHER_KEY } from '../helpers/encryption.js';
import { TEST_KEY } from '../helpers/env.js';
import { cxIn, type InProcessOptions } from '../helpers/in-process.js';
import { openDb } from '../helpers/sqlite.js';
import { inTerminal } from '../helpers/terminal.js';

/** Every output here, and every key the tests made or found: searched for the keys at the end. */
const outputs: string[] = [];
const keysSeen = new Set<string>([TEST_KEY, OTHER_KEY]);

async function run(args: string[], opts: InProcessOptions = {}): Promise<CxResult> {
  const r = await cxIn(args, opts);
  outputs.push(r.stdout, r.stderr);
  return r;
}

/** An agent's settings: no key in the environment, cx's key folder in a config folder of its own. */
function agentEnv(): { CX_DB_KEY: undefined; XDG_CONFIG_HOME: string } {
  return { CX_DB_KEY: undefined, XDG_CONFIG_HOME: tempDir('cx-config-') };
}

const keyFolder = (env: { XDG_CONFIG_HOME: string }) => join(env.XDG_CONFIG_HOME, 'cx', 'keys');

function keyFile(text: string, mode = 0o600): string {
  const path = join(tempDir(), 'mirror.key');
  writeFileSync(path, text, { mode });
  chmodSync(path, mode);
  return path;
}

afterAll(() => {
  const all = outputs.join('\n');
  for (const key of keysSeen) {
    expect(all.includes(key), 'a key showed in an output').toBe(false);
    expect(all.toUpperCase().includes(key.toUpperCase()), 'a key showed in an output').toBe(false);
  }
});

describe('where the key comes from', () => {
  it('CX_DB_KEY_FILE first, then CX_DB_KEY: the first one set is the key, and a wrong one says where it came from', async () => {
    const db = demoMirror();
    const right = keyFile(`${TEST_KEY}\n`);
    expect((await run(['lookup', 'jane.doe@gmail.com', '--json'], { db, env: { CX_DB_KEY_FILE: right, CX_DB_KEY: OTHER_KEY } })).code).toBe(0);
    const wrong = keyFile(OTHER_KEY);
    const r = await run(['lookup', 'jane.doe@gmail.com'], { db, env: { CX_DB_KEY_FILE: wrong } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cx: the key from CX_DB_KEY_FILE (${wrong}) does not open ${db}`);
  });

  it('a key that is not 64 hex characters: exit 2 naming where it came from, never what it holds', async () => {
    const db = demoMirror();
    const short = await run(['lookup', 'jane.doe@gmail.com'], { db, env: { CX_DB_KEY: 'not-a-key-but-a-password' } });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('cx: CX_DB_KEY is not a mirror key: it must hold 64 hex characters (32 random bytes), and holds 24 characters that are not all hex digits');
    expect(short.stderr).not.toContain('not-a-key-but-a-password');
    const file = keyFile(`${TEST_KEY.slice(2)}zz\n`);
    const bad = await run(['lookup', 'jane.doe@gmail.com'], { db, env: { CX_DB_KEY_FILE: file } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`the key file CX_DB_KEY_FILE names (${file}) is not a mirror key`);
    expect(bad.stderr).toMatch(/^ {2}openssl rand -hex 32$/m);
  });

  it('CX_DB_KEY_FILE naming no file: a new mirror gets a new key written there (0600); an existing one is exit 2', async () => {
    const db = join(tempDir(), 'm.db');
    const file = join(tempDir(), 'new.key');
    const made = await run(['db', 'init', '--json'], { db, env: { CX_DB_KEY: undefined, CX_DB_KEY_FILE: file } });
    expect(made.code, made.stderr).toBe(0);
    expect(made.json()).toMatchObject({ encrypted: true, key_from: `CX_DB_KEY_FILE (${file}, written now)` });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const key = readFileSync(file, 'utf8');
    expect(key).toMatch(/^[0-9a-f]{64}\n$/);
    keysSeen.add(key.trim());
    expect((await run(['lookup', 'nobody@example.com', '--json'], { db, env: { CX_DB_KEY: key.trim() } })).code).toBe(3);
    const missing = await run(['lookup', 'nobody@example.com'], { db: demoMirror(), env: { CX_DB_KEY_FILE: join(tempDir(), 'none.key') } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^cx: the key file CX_DB_KEY_FILE names .*none\.key does not exist$/m);
    // An existing key file gives its key to a new mirror too.
    const second = join(tempDir(), 'm2.db');
    expect((await run(['db', 'init', '--json'], { db: second, env: { CX_DB_KEY: undefined, CX_DB_KEY_FILE: file } })).json()).toMatchObject({ key_from: `CX_DB_KEY_FILE (${file})` });
    expect(readFileSync(file, 'utf8')).toBe(key);
  });

  it("no key given and no credential store: cx's own key file, 0600 in a 0700 folder, named once on stderr", async () => {
    const env = agentEnv();
    const db = join(tempDir(), 'm.db');
    const made = await run(['db', 'init'], { db, env });
    expect(made.code, made.stderr).toBe(0);
    const [name] = readdirSync(keyFolder(env));
    const id = (examineMirrorFile(db) as { id: string }).id;
    expect(name).toBe(`${id}.key`);
    const path = join(keyFolder(env), name!);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(keyFolder(env)).mode & 0o777).toBe(0o700);
    keysSeen.add(readFileSync(path, 'utf8').trim());
    // In plain words: the keyring library's own message (a DBus error about X11 autolaunch) is not repeated.
    expect(made.stderr).toContain(`no desktop keyring (Secret Service) answered, so cx keeps this mirror's key in its own file ${path} (mode 600: readable by you alone)`);
    expect(made.stderr).not.toMatch(/dbus|platform failure|platform storage|X11|autolaunch/i);
    const next = await run(['lookup', 'nobody@example.com'], { db, env });
    expect(next.code).toBe(3);
    expect(next.stderr).not.toContain('keeps this mirror');
    const config = await run(['config', '--json'], { db, env });
    expect(config.json().settings.find((s: { name: string }) => s.name === 'db_key')).toEqual({ name: 'db_key', value: '********', source: 'default', from: `cx's key file ${path}` });
    // cx's own file is held to the same rules as CX_DB_KEY_FILE.
    chmodSync(path, 0o644);
    const open = await run(['lookup', 'nobody@example.com'], { db, env });
    expect(open.code).toBe(2);
    expect(open.stderr).toContain(`cx: cx's key file ${path} is refused: its permissions 0644 are too open`);
  });

  it('the half-written key file a killed cx left in the key folder is removed by the next cx that writes a key there', async () => {
    const env = agentEnv();
    mkdirSync(keyFolder(env), { recursive: true, mode: 0o700 });
    // A process that is gone: kill -9 between writing its temporary key file and removing it.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    const left = join(keyFolder(env), `.cx-tmp-key.${gone}.key`);
    writeFileSync(left, `${OTHER_KEY}\n`, { mode: 0o600 });
    // One of a process still running is not touched (init stands in for it).
    const running = join(keyFolder(env), '.cx-tmp-key.1.key');
    writeFileSync(running, `${OTHER_KEY}\n`, { mode: 0o600 });
    const made = await run(['db', 'init'], { db: join(tempDir(), 'm.db'), env });
    expect(made.code, made.stderr).toBe(0);
    expect(existsSync(left)).toBe(false);
    expect(existsSync(running)).toBe(true);
  });

  it('cx config before a mirror exists, and for a plaintext one, says where a key would go or that there is none', async () => {
    const env = agentEnv();
    const none = await run(['config', '--json'], { db: join(tempDir(), 'none.db'), env });
    expect(none.json().settings.find((s: { name: string }) => s.name === 'db_key')).toMatchObject({ value: null, source: 'default', from: expect.stringMatching(/^no mirror yet: a new mirror's key goes to .* when it answers, else cx's key folder /) });
    const plain = await run(['config', '--json'], { db: plainDemoMirror(), env });
    expect(plain.json().settings.find((s: { name: string }) => s.name === 'db_key')).toMatchObject({ value: null, from: 'none: the mirror is not encrypted (cx db encrypt)' });
  });
});

describe('plaintext mirrors', () => {
  it('db init --plaintext makes one; every command on it warns once; an encrypted mirror is never made plaintext', async () => {
    const db = join(tempDir(), 'p.db');
    const made = await run(['db', 'init', '--plaintext', '--json'], { db });
    expect(made.json()).toMatchObject({ encrypted: false, key_from: null });
    expect(examineMirrorFile(db).kind).toBe('plaintext');
    const r = await run(['lookup', 'nobody@example.com'], { db });
    expect(r.code).toBe(3);
    expect(r.stderr.match(/^warning: the mirror .* is not encrypted/gm)).toHaveLength(1);
    expect(r.stderr).toMatch(/^ {2}cx db encrypt --db \S+p\.db$/m);
    expect((await run(['db', 'init'], { db })).code).toBe(0); // stays plaintext, said again
    expect(examineMirrorFile(db).kind).toBe('plaintext');
    const refused = await run(['db', 'init', '--plaintext'], { db: emptyMirror() });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('exists and is encrypted: --plaintext only makes a new mirror');
    const plan = await run(['db', 'init', '--plaintext', '--dry-run', '--json'], { db: join(tempDir(), 'x.db') });
    expect(plan.json()).toMatchObject({ dry_run: true, encrypted: false });
  });

  it('db seed --demo --plaintext: the demo world in clear, as the README says it for synthetic data', async () => {
    const db = join(tempDir(), 'p.db');
    expect((await run(['db', 'seed', '--demo', '--plaintext'], { db })).code).toBe(0);
    expect(readFileSync(db).includes(Buffer.from('jane.doe@gmail.com'))).toBe(true);
    const encrypted = join(tempDir(), 'e.db');
    expect((await run(['db', 'seed', '--demo'], { db: encrypted })).code).toBe(0);
    expect(readFileSync(encrypted).includes(Buffer.from('jane.doe@gmail.com'))).toBe(false);
  });
});

describe('cx db encrypt', () => {
  it('--dry-run says what it would do and changes nothing', async () => {
    const db = plainDemoMirror();
    const before = snapshot(db);
    const r = await run(['db', 'encrypt', '--dry-run', '--json'], { db });
    expect(r.json()).toMatchObject({ outcome: 'planned', detail: `would encrypt ${db} in place; its key would go to CX_DB_KEY` });
    expect(examineMirrorFile(db).kind).toBe('plaintext');
    expect(readdirSync(join(db, '..')).sort()).toEqual(['mirror.db']);
    expect(snapshot(db)).toEqual(before);
  });

  it('runs the migrations that are due, records itself in the audit log with its ticket, keeps the chain', async () => {
    const db = join(tempDir(), 'v2.db');
    const raw = openDb(db); // a plaintext mirror at schema version 2, as an older cx left it
    raw.pragma('journal_mode = WAL');
    for (const m of MIGRATIONS.filter((m) => m.version <= 2)) {
      raw.exec(m.sql);
      m.after?.(raw);
      raw.pragma(`user_version = ${m.version}`);
    }
    raw.close();
    const r = await run(['db', 'encrypt', '--ticket', 'SEC-1', '--json'], { db });
    expect(r.code, r.stderr).toBe(0);
    expect(query(db, 'PRAGMA user_version')[0].user_version).toBe(SCHEMA_VERSION);
    const row = query(db, "SELECT agent, ticket, outcome, detail FROM audit_log WHERE action = 'db.encrypt'")[0];
    expect(row).toMatchObject({ agent: 'test-agent', ticket: 'SEC-1', outcome: 'done', detail: `the mirror was encrypted (ChaCha20-Poly1305): mirror id ${r.json().mirror_id}, key in CX_DB_KEY` });
    expect((await run(['audit', '--verify', '--json'], { db })).json()).toMatchObject({ ok: true });
    expect(JSON.stringify(query(db, 'SELECT * FROM audit_log'))).not.toContain(TEST_KEY);
  });

  it('another connection holding the mirror open: exit 7, nothing changed', async () => {
    const db = plainDemoMirror();
    const other = openDb(db);
    other.pragma('journal_mode = WAL');
    other.prepare('SELECT count(*) FROM accounts').get();
    try {
      const before = snapshot(db);
      const r = await run(['db', 'encrypt'], { db, env: { CX_LOCK_WAIT_MS: '200' } });
      expect(r.code).toBe(7);
      expect(r.stderr).toContain('this needs it to itself; nothing changed');
      expect(examineMirrorFile(db).kind).toBe('plaintext');
      expect(snapshot(db)).toEqual(before);
      expect(readdirSync(join(db, '..')).filter((n) => n.startsWith('.cx-tmp-'))).toEqual([]);
    } finally {
      other.close();
    }
  });

  it('what an interrupted conversion left (its copy, the key it kept, the note) is cleared by the next run', async () => {
    const env = agentEnv();
    const db = plainDemoMirror();
    // As a kill between "key kept" and the rename leaves it: an encrypted copy, its key in cx's key folder.
    const copy = join(db, '..', '.cx-tmp-mirror.db.convert');
    const orphan = join(tempDir(), 'orphan.db');
    expect((await run(['db', 'init'], { db: orphan, env })).code).toBe(0);
    const orphanId = (examineMirrorFile(orphan) as { id: string }).id;
    writeFileSync(copy, readFileSync(orphan));
    writeFileSync(`${db}-cx-keys-pending`, JSON.stringify({ old: null, oldKeptByCx: false, new: orphanId }));
    expect(existsSync(join(keyFolder(env), `${orphanId}.key`))).toBe(true);
    const r = await run(['db', 'encrypt', '--json'], { db, env });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(copy)).toBe(false);
    expect(existsSync(`${db}-cx-keys-pending`)).toBe(false);
    expect(readdirSync(keyFolder(env))).toEqual([`${r.json().mirror_id}.key`]);
  });
});

describe('cx db rekey', () => {
  it('a plaintext mirror has no key to replace: exit 2, the encrypt command on its own line', async () => {
    const r = await run(['db', 'rekey'], { db: plainDemoMirror() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ {2}cx db encrypt$/m);
  });

  it('a key from the environment: cx cannot change it, so the new key goes to --new-key-file (0600), never over a file', async () => {
    const db = demoMirror();
    const refused = await run(['db', 'rekey'], { db });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('the key comes from CX_DB_KEY, which cx cannot change');
    const taken = keyFile('x');
    const exists = await run(['db', 'rekey', '--new-key-file', taken], { db });
    expect(exists.code).toBe(2);
    expect(exists.stderr).toContain('already exists');
    const target = join(tempDir(), 'new.key');
    const r = await run(['db', 'rekey', '--new-key-file', target, '--json'], { db });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ outcome: 'done', old_key_removed: false, key_kept: `the file ${target}` });
    expect(statSync(target).mode & 0o777).toBe(0o600);
    const key = readFileSync(target, 'utf8').trim();
    keysSeen.add(key);
    expect((await run(['lookup', 'jane.doe@gmail.com'], { db })).code).toBe(2); // the old key no longer opens it
    const opened = await run(['lookup', 'jane.doe@gmail.com', '--json'], { db, env: { CX_DB_KEY: undefined, CX_DB_KEY_FILE: target } });
    expect(opened.code, opened.stderr).toBe(0);
    const log = await run(['audit', '--json'], { db, env: { CX_DB_KEY: key } });
    expect(log.stdout).toContain('db.rekey');
    expect(log.stdout).not.toContain(key);
    expect(log.stdout).not.toContain(TEST_KEY);
    const human = await run(['db', 'rekey', '--new-key-file', join(tempDir(), 'newer.key')], { db, env: { CX_DB_KEY: key } });
    expect(human.stdout).toMatch(/^ {2}export CX_DB_KEY_FILE=.*newer\.key$/m);
    keysSeen.add(readFileSync(join(human.stdout.match(/CX_DB_KEY_FILE=(\S+)/)![1]!), 'utf8').trim());
  });

  it('--dry-run changes nothing', async () => {
    const env = agentEnv();
    const db = join(tempDir(), 'm.db');
    expect((await run(['db', 'init'], { db, env })).code).toBe(0);
    const before = readFileSync(db);
    const r = await run(['db', 'rekey', '--dry-run', '--json'], { db, env });
    expect(r.json()).toMatchObject({ outcome: 'planned' });
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(readdirSync(keyFolder(env))).toHaveLength(1);
  });
});

describe('a mirror copied to another machine (a backup restored, a new laptop)', () => {
  it('opens with its key file copied beside the new config folder, found by the mirror id', async () => {
    const from = agentEnv();
    const db = join(tempDir(), 'm.db');
    expect((await run(['db', 'seed', '--demo'], { db, env: from })).code).toBe(0);
    const [name] = readdirSync(keyFolder(from));
    const to = agentEnv();
    mkdirSync(keyFolder(to), { recursive: true, mode: 0o700 });
    writeFileSync(join(keyFolder(to), name!), readFileSync(join(keyFolder(from), name!)), { mode: 0o600 });
    const copy = join(tempDir(), 'restored.db');
    writeFileSync(copy, readFileSync(db));
    expect(folderDigest(join(copy, '..'))).toHaveProperty('restored.db');
    expect((await run(['lookup', 'jane.doe@gmail.com', '--json'], { db: copy, env: to })).code).toBe(0);
  });
});

describe('the key in no crash report and no command line (processes)', () => {
  it('CX_DEBUG prints the stack of an internal error on an encrypted mirror, without the key', () => {
    const db = demoMirror();
    const conn = openDb(db);
    conn.exec("CREATE TRIGGER broken BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'simulated crash'); END");
    conn.close();
    const r = cx(['lookup', 'jane.doe@gmail.com'], { db, env: { CX_DEBUG: '1' } });
    outputs.push(r.stdout, r.stderr);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/simulated crash[\s\S]*\n {4}at /);
    expect(r.stderr).not.toContain(TEST_KEY);
  });

  it("cx's own command line, and that of the pager it starts, hold no key", async () => {
    const db = demoMirror();
    const seen = join(tempDir(), 'cmdlines');
    // cx runs the pager through sh: the shell writes down its parent's (cx's) command line and its own,
    // then pages as cat would.
    const pager = `tr "\\0" " " < /proc/$PPID/cmdline > ${seen}; echo >> ${seen}; tr "\\0" " " < /proc/$$/cmdline >> ${seen}; cat`;
    const r = await inTerminal(db, ['audit'], [], { env: { PAGER: pager } });
    expect(r.code).toBe(0);
    const lines = readFileSync(seen, 'utf8');
    expect(lines).toContain('bin/cx.js audit');
    expect(lines).not.toContain(TEST_KEY);
  });
});
