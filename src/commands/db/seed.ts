import { join } from 'node:path';
import type { Command } from 'commander';
import { INSTALL_ROOT } from '../../config/install.js';
import { UsageError } from '../../errors.js';
import { printData } from '../../render/index.js';
import { handle, type Runtime } from '../../cmdutil/define.js';
import { describeImport, runImport } from './import.js';

/** fixtures/demo, found from the installed package, not the current folder. */
export const DEMO_DIR = join(INSTALL_ROOT, 'fixtures', 'demo/');

export function configure(cmd: Command, runtime: Runtime): void {
  cmd.option('--demo', 'load the demo world described in fixtures/demo/README.md');
  cmd.option('--plaintext', 'a new mirror is made unencrypted (the demo world is synthetic): every command then warns');
  handle(cmd, runtime, async (ctx, opts: { demo?: boolean; plaintext?: boolean }) => {
    if (!opts.demo) throw new UsageError('say which data to seed', { commands: ['cx db seed --demo'] });
    const report = await runImport(ctx, DEMO_DIR, 'db.seed', { plaintext: opts.plaintext });
    await printData(ctx, report, () => [...describeImport(report), 'The demo world is described in fixtures/demo/README.md.']);
  });
}
