import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { baseEnv, CX, cx, demoMirror } from '../helpers/cx.js';

const ANSI = /\u001b\[\d+m/;
const hasScript = spawnSync('script', ['--version']).status === 0;

describe('colour follows NO_COLOR / FORCE_COLOR and the terminal', () => {
  it('no colour when stdout is not a terminal', () => {
    const db = demoMirror();
    const r = cx(['reset', 'nobody@example.com', '--dry-run'], { db, env: { NO_COLOR: undefined } });
    expect(r.code).toBe(3);
    expect(r.stdout).not.toMatch(ANSI);
  });

  it('FORCE_COLOR turns it on without a terminal, on both streams', () => {
    const db = demoMirror();
    const r = cx(['reset', 'nobody@example.com', '--dry-run'], { db, env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(r.stderr).toMatch(ANSI);
    const done = cx(['reset', 'jane.doe@gmail.com', '--dry-run'], { db, env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(done.stdout).toMatch(ANSI);
  });

  // chalk keeps colour off when $CI is set (as in our CI), so the terminal runs drop it.
  it.skipIf(!hasScript)('NO_COLOR turns it off in a real terminal (util-linux script)', () => {
    const db = demoMirror();
    const run = (env: Record<string, string | undefined>): string =>
      spawnSync('script', ['-qec', `"${process.execPath}" "${CX}" reset nobody@example.com --dry-run`, '/dev/null'], {
        env: baseEnv(db, env),
        encoding: 'utf8',
      }).stdout;
    expect(run({ NO_COLOR: undefined, TERM: 'xterm-256color', CI: undefined })).toMatch(ANSI);
    expect(run({ NO_COLOR: '1', TERM: 'xterm-256color', CI: undefined })).not.toMatch(ANSI);
  });
});
