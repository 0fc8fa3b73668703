// The build that cannot go stale (test/helpers/dist-stamp.ts): dist/ is current only when it was built from
// the sources as they are now, whatever the files' times say; a failed build is never taken for a current one.
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distState, ensureBuilt, STAMP, type BuildRun } from '../helpers/dist-stamp.js';
import { REPO, tempDir } from '../helpers/cx.js';

/** A project as the build sees it: sources, settings, lock file; dist/ only once "built". */
function project(): string {
  const root = tempDir('cx-stamp-');
  const files: Record<string, string> = {
    'src/index.ts': 'export const VERSION = "1.0.0";\n',
    'src/rules/a.ts': 'export const a = 1;\n',
    'tsconfig.json': '{}\n',
    'rolldown.config.js': 'export default {};\n',
    'package.json': '{"name":"x"}\n',
    'package-lock.json': '{}\n',
    'test/not-an-input.test.ts': '',
  };
  for (const [path, text] of Object.entries(files)) write(root, path, text);
  return root;
}

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

/** A build that writes dist/cli/index.js and the generator (or fails), counting its runs. */
function fakeBuild(status = 0): ((root: string) => BuildRun) & { runs: number } {
  const build = Object.assign(
    (root: string): BuildRun => {
      build.runs += 1;
      if (status === 0) {
        write(root, 'dist/cli/index.js', `// built ${build.runs}\n`);
        write(root, 'build/scripts/tools/generate.js', `// built ${build.runs}\n`);
      }
      return { status };
    },
    { runs: 0 },
  );
  return build;
}

const LONG_AGO = new Date('2001-01-01T00:00:00Z');

describe('the dist/ stamp', () => {
  it('a tree never built, or built without a stamp, is not current; a build stamps it; then it is', () => {
    const root = project();
    expect(distState(root)).toEqual({ current: false, why: 'dist/cli/index.js is missing' });
    write(root, 'dist/cli/index.js', '// built by hand\n');
    expect(distState(root)).toEqual({ current: false, why: 'build/scripts/tools/generate.js is missing' });
    write(root, 'build/scripts/tools/generate.js', '// built by hand\n');
    expect(distState(root)).toMatchObject({ current: false, why: expect.stringContaining(`${STAMP} is missing`) });
    const build = fakeBuild();
    expect(ensureBuilt(root, build)).toMatchObject({ built: true });
    expect(build.runs).toBe(1);
    expect(distState(root)).toEqual({ current: true });
    expect(ensureBuilt(root, build)).toEqual({ built: false });
    expect(build.runs).toBe(1);
  });

  it('a source changed after the build is stale even when its time says it is older than dist/', () => {
    const root = project();
    const build = fakeBuild();
    ensureBuilt(root, build);
    write(root, 'src/index.ts', 'export const VERSION = "1.0.1";\n');
    utimesSync(join(root, 'src/index.ts'), LONG_AGO, LONG_AGO); // as a checkout or a copy may leave it
    expect(distState(root)).toEqual({ current: false, why: 'changed since the build: src/index.ts' });
    expect(ensureBuilt(root, build)).toEqual({ built: true, why: 'changed since the build: src/index.ts' });
    expect(build.runs).toBe(2);
    expect(distState(root)).toEqual({ current: true });
  });

  it('names files added and removed, and every build input: compiler, bundler and package settings', () => {
    const root = project();
    ensureBuilt(root, fakeBuild());
    write(root, 'src/rules/b.ts', 'export const b = 2;\n');
    rmSync(join(root, 'src/rules/a.ts'));
    expect(distState(root)).toEqual({ current: false, why: 'changed since the build: src/rules/a.ts (removed), src/rules/b.ts (new)' });
    for (const input of ['tsconfig.json', 'rolldown.config.js', 'package.json', 'package-lock.json']) {
      const other = project();
      ensureBuilt(other, fakeBuild());
      write(other, input, '{"changed":true}\n');
      expect(distState(other), input).toEqual({ current: false, why: `changed since the build: ${input}` });
    }
    // The tests are not the build's input: changing one needs no build.
    const tests = project();
    ensureBuilt(tests, fakeBuild());
    write(tests, 'test/not-an-input.test.ts', 'it.todo("x");\n');
    expect(distState(tests)).toEqual({ current: true });
  });

  it('a failed build throws saying why a build was needed, and leaves no stamp: the next run builds again', () => {
    const root = project();
    ensureBuilt(root, fakeBuild());
    write(root, 'src/index.ts', 'export const VERSION = ;\n');
    const failing = fakeBuild(2);
    expect(() => ensureBuilt(root, failing)).toThrow(/^dist\/ is not current \(changed since the build: src\/index\.ts\) and `npm run build` failed \(exit 2\)/);
    expect(distState(root)).toMatchObject({ current: false, why: expect.stringContaining(`${STAMP} is missing`) });
    const fixed = fakeBuild();
    write(root, 'src/index.ts', 'export const VERSION = "2.0.0";\n');
    expect(ensureBuilt(root, fixed)).toMatchObject({ built: true });
    expect(distState(root)).toEqual({ current: true });
  });

  it("this repo's dist/ is current: the process tests run the sources as they are", () => {
    expect(distState(REPO)).toEqual({ current: true });
  });
});
