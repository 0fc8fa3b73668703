// Once per test run, before any test file (both tiers): dist/ built from the sources as they are (process
// tests run bin/cx.js, that is dist/cli/), and the demo world and an empty mirror made once for every file
// to copy.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureBuilt } from './dist-stamp.js';
import { baseEnv, CX, REPO } from './env.js';

export default function setup(project: TestProject): () => void {
  const build = ensureBuilt(REPO);
  if (build.built) console.log(`dist/ rebuilt: ${build.why}`);

  // The mirrors tests copy: made once, by the built program, as a test's own `cx db seed` would make them
  // (encrypted with the tests' key, test/helpers/env.ts; one plaintext demo mirror for the tests about those).
  const dir = mkdtempSync(join(tmpdir(), 'cx-templates-'));
  const templates = [['demoTemplate', ['db', 'seed', '--demo']], ['emptyTemplate', ['db', 'init']], ['plainDemoTemplate', ['db', 'seed', '--demo', '--plaintext']]] as const;
  for (const [key, args] of templates) {
    const path = join(dir, `${key}.db`);
    const r = spawnSync(process.execPath, [CX, ...args], { cwd: REPO, env: baseEnv(path), encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`cx ${args.join(' ')} for the tests' ${key} failed (${r.status}): ${r.stderr}`);
    project.provide(key, path);
  }
  return () => rmSync(dir, { recursive: true, force: true });
}
