// Entry point: run the program and turn whatever happened into an exit code. Only bin/cx.js exits.
import { CommanderError } from 'commander';
import { asCxError, EXIT } from './errors.js';
import { processIO, type IO } from './io.js';
import { createProgram } from './program.js';
import type { Prompter } from './prompt.js';

export async function main(argv: string[], io: IO = processIO(), prompter?: Prompter): Promise<number> {
  const { program, runtime } = createProgram(io, prompter);
  try {
    await program.parseAsync(argv);
    return runtime.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      const code = commanderExitCode(err);
      // Commander has said what is wrong on stderr; a script reading --json still gets an outcome.
      if (code !== EXIT.ok && argv.includes('--json')) {
        io.stdout.write(`${JSON.stringify({ outcome: 'invalid', detail: err.message.replace(/^error: /, ''), account_id: null }, null, 2)}\n`);
      }
      return code;
    }
    const cx = asCxError(err);
    const json = argv.includes('--json');
    const { printError, printJson } = await import('./render.js');
    const out = { json, io };
    if (json) printJson(out, { outcome: cx.outcome, detail: cx.message, account_id: null });
    printError(out, cx.message, cx.hint);
    if (cx.exitCode === EXIT.internal && io.env.CX_DEBUG && cx.stack) io.stderr.write(`${cx.stack}\n`);
    return cx.exitCode;
  }
}

function commanderExitCode(err: CommanderError): number {
  // Help and version requested on purpose end well; every other commander complaint is a usage error.
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
  return EXIT.usage;
}
