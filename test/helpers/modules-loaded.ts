// What a cx process loaded: run bin/cx.js with test/helpers/module-log and read back the modules' URLs.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { baseEnv, CX, REPO, tempDir } from './cx.js';

export interface LoadedRun {
  db: string;
  env?: Record<string, string | undefined>;
  input?: string;
  /** The exit codes the run may end with (default 0). */
  codes?: number[];
}

/** Every module URL the run loaded (ES modules as they load, CommonJS ones from the require cache at exit). */
export function modulesLoaded(args: string[], run: LoadedRun): string[] {
  const log = join(tempDir(), 'modules.log');
  const r = spawnSync(process.execPath, ['--import', join(REPO, 'test/helpers/module-log/register.mjs'), CX, ...args], {
    cwd: REPO,
    env: { ...baseEnv(run.db, run.env), CX_TEST_MODULE_LOG: log },
    input: run.input ?? '',
    encoding: 'utf8',
  });
  expect(run.codes ?? [0], r.stderr).toContain(r.status);
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

/** Whether the run loaded the package `name` from node_modules. */
export function loadsPackage(modules: readonly string[], name: string): boolean {
  return modules.some((url) => url.includes(`/node_modules/${name}/`));
}
