// Placeholder for a command whose issue has not landed yet: it says so instead of pretending to work.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { Runtime } from './define.js';

export function notBuiltYet(name: string, issue: number): (cmd: Command, runtime: Runtime) => void {
  return (cmd) => {
    cmd.allowUnknownOption().allowExcessArguments().action(() => {
      throw new UsageError(`cx ${name} is not built yet (issue ${issue})`);
    });
  };
}
