// `cx config get <key>`: the value cx uses for one setting, alone on stdout for a script (`$(cx config get
// db)`); where it came from is said on stderr in a terminal. --json: the row `cx config --json` lists.
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { note, printJson } from '../../render/index.js';
import { handle, type Runtime } from '../../cmdutil/define.js';
import { helpAfter } from '../../cmdutil/help.js';
import { row, SHOWN, type SettingName } from '../config.js';

export function configure(cmd: Command, runtime: Runtime): void {
  helpAfter(cmd, [
    `Keys: ${SHOWN.join(', ')}. The value in effect: a flag, else the environment, else the config file, else ` +
      'the default (cx config lists them all). The platform secret is shown masked. A setting with no value prints nothing.',
  ]);
  handle(cmd, runtime, async (ctx, key: string) => {
    if (!(SHOWN as readonly string[]).includes(key)) throw new UsageError(`unknown setting ${JSON.stringify(key)} (one of ${SHOWN.join(', ')})`);
    const shown = row(key as SettingName, ctx.settings);
    if (ctx.json) return printJson(ctx, shown);
    if (shown.value !== null) ctx.io.stdout.write(`${String(shown.value)}\n`);
    if (ctx.io.stderrIsTTY) note(ctx, shown.value === null ? `${key} is not set (${shown.from}).` : `From ${shown.source === 'default' ? 'the default' : shown.from} (${shown.source}).`);
  });
}
