// `--out /dev/stdout`: the file's bytes are all that may reach standard output, so the command's other lines
// (the outcome, advice, tables) go to stderr, and --json, which also wants stdout, is refused. `--out -` is
// refused: cx would otherwise create a file named "-" holding patient data.
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { namesStandardOutput } from '../files/target.js';
import { commandLine, withOption } from '../rules/command-line.js';

export function contextForOut(ctx: Context, out: string | undefined, label = '--out'): Context {
  if (out === undefined) return ctx;
  if (out === '-') {
    const command = ctx.argv ? commandLine(withOption(ctx.argv, label, '/dev/stdout')) : `${label} /dev/stdout`;
    throw new UsageError(`${label} - is not standard output here (it would make a file named "-")`, { text: 'To write to standard output:', commands: [command] });
  }
  if (!namesStandardOutput(out)) return ctx;
  if (ctx.json) throw new UsageError(`--json and ${label} ${out} both write to standard output: keep one, or write the file elsewhere`);
  return onStderr(ctx);
}

/** The same context with everything meant for stdout written to stderr instead. */
export function onStderr(ctx: Context): Context {
  const { io } = ctx;
  return { ...ctx, io: { ...io, stdout: io.stderr, stdoutIsTTY: io.stderrIsTTY, columns: io.columns && (() => io.columns!('stderr')) } };
}
