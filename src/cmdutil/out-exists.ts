// An --out file that exists, without --force: a usage error (exit 2) whose fix is the agent's own command
// with --force added, ready to paste (or they choose another --out). Nothing was applied: the path is
// checked before any change.
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { OutputExistsError } from '../files/errors.js';
import { commandLine, withFlags } from '../rules/command-line.js';

export function withForceFix<T>(ctx: Pick<Context, 'argv'>, open: () => T): T {
  try {
    return open();
  } catch (err) {
    if (!(err instanceof OutputExistsError) || !ctx.argv) throw err;
    throw new UsageError(err.message, { text: 'To replace it (or choose another --out):', commands: [commandLine(withFlags(ctx.argv, '--force'))] });
  }
}
