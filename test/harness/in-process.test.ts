// The in-process runner (test/helpers/in-process.ts) gives what a process gives: the same exit code, stdout,
// stderr and mirror for the same run; the environment, folder and stdin of the call; and it leaves the test's
// process as it found it.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cx, demoMirror, query, snapshot, tempDir, type CxResult } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';

const seen = (r: CxResult) => ({ code: r.code, stdout: r.stdout, stderr: r.stderr });

describe('cxIn: the same run as a process', () => {
  it.each([
    ['a lookup, --json', ['lookup', 'jane.doe@gmail.com', '--json']],
    ['a lookup as text (the plain path)', ['lookup', 'Jane.Doe@GoogleMail.com']],
    ['a typo: exit 3 with suggestions', ['lookup', 'jane.doe@gmial.com']],
    ['a refusal with its fixing command', ['reset', 'priya.raman@hotmail.com', '--ticket', 'T-1', '--yes']],
    ['a change', ['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'T-1', '--yes', '--json']],
    ["commander's own usage error", ['db', 'doctor', '--no-such-flag']],
    ['an unknown command under --json', ['frobnicate', '--json']],
    ['the help', ['reset', '--help']],
    ['the version', ['--version']],
    ['a listing, piped', ['audit']],
  ])('%s', async (_what, args) => {
    const [a, b] = [demoMirror(), demoMirror()];
    const viaProcess = cx(args, { db: a });
    const here = await cxIn(args, { db: b });
    expect(seen(here)).toEqual(seen(viaProcess));
    expect(snapshot(b)).toEqual(snapshot(a));
  });

  it('stdin: a batch read from - gets the input given', async () => {
    const input = 'ticket_id,type,email\nS-1,lookup,jane.doe@gmail.com\nS-2,password_reset,tyler.brooks@yahoo.com\n';
    const [a, b] = [demoMirror(), demoMirror()];
    const viaProcess = cx(['batch', '-', '--yes'], { db: a, input });
    const here = await cxIn(['batch', '-', '--yes'], { db: b, input });
    expect(here.code).toBe(5);
    expect(seen(here)).toEqual(seen(viaProcess));
  });

  it('the environment and the folder of the call, restored after it', async () => {
    const db = demoMirror();
    const cwd = tempDir();
    const zone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
    const before = { env: { ...process.env }, cwd: process.cwd(), exitCode: process.exitCode, zone: zone() };
    // CX_BRAND is read from process.env by the reset action today; TZ by the clock; cwd by the default --out.
    const r = await cxIn(['reset', 'm.okafor@brightpathcounseling.com', '--ticket', 'T-2', '--yes'], { db, env: { CX_BRAND: 'Lighthouse' } });
    expect(r.stdout).toMatch(/Please Verify Your Lighthouse Account/);
    const tokyo = await cxIn(['reset', 'm.okafor@brightpathcounseling.com', '--ticket', 'T-2', '--yes'], { db, env: { TZ: 'Asia/Tokyo' } });
    expect(tokyo.stdout).toMatch(/queued today 21:00/);
    const exported = await cxIn(['notes', 'export', 'rafael.castellanos@proton.me', '--ticket', 'T-3', '--yes'], { db, cwd });
    expect(exported.code, exported.stderr).toBe(0);
    expect(readdirSync(cwd)).toEqual(['notes-p202-T-3-20261127.zip']);
    expect({ env: { ...process.env }, cwd: process.cwd(), exitCode: process.exitCode, zone: zone() }).toEqual(before);
  });

  it('leaves no signal handler behind: a notes export and a batch install them while they work', async () => {
    const db = demoMirror();
    const count = () => ['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => process.listenerCount(s));
    const before = count();
    const file = join(tempDir(), 't.csv');
    writeFileSync(file, 'ticket_id,type,email\nN-1,notes_export,rafael.castellanos@proton.me\n');
    expect((await cxIn(['batch', file, '--yes', '--notes-dir', tempDir()], { db })).code).toBe(0);
    expect((await cxIn(['notes', 'export', 'rafael.castellanos@proton.me', '--ticket', 'T-4', '--yes', '--out', join(tempDir(), 'n.zip')], { db })).code).toBe(0);
    expect(count()).toEqual(before);
    expect(query(db, "SELECT count(*) AS n FROM audit_log WHERE action = 'notes.export'")[0].n).toBe(2);
  });

  it('runs take turns: started together, each sees its own environment', async () => {
    const db = demoMirror();
    const [a, b] = await Promise.all([
      cxIn(['config', '--json'], { db, env: { CX_AGENT: 'first' } }),
      cxIn(['config', '--json'], { db, env: { CX_AGENT: 'second' } }),
    ]);
    const agent = (r: CxResult) => r.json().settings.find((s: { name: string }) => s.name === 'agent').value;
    expect([agent(a), agent(b)]).toEqual(['first', 'second']);
  });

  it('refuses what only a process has: another user, its own stdout, colour', () => {
    const db = demoMirror();
    expect(() => cxIn(['lookup', 'jane.doe@gmail.com'], { db, uid: 65534 } as never)).toThrow(/another user needs a process of its own/);
    expect(() => cxIn(['batch', 'x.csv', '--yes', '--out', '/dev/stdout'], { db })).toThrow(/\/dev\/stdout is the test process's own stream/);
    expect(() => cxIn(['lookup', 'jane.doe@gmail.com'], { db, env: { FORCE_COLOR: '1' } })).toThrow(/colour is decided once per process/);
    expect(() => cxIn(['lookup', 'jane.doe@gmail.com'], { db, env: { NO_COLOR: undefined } })).toThrow(/colour is decided once per process/);
    expect(existsSync('x.csv')).toBe(false);
  });
});
