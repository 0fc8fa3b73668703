// cx db rekey [--new-key-file <path>]: the mirror re-encrypted under a new random key, all or nothing (the
// old key leaked, or a person who had it left). The old key is removed from where cx kept it only once the
// mirror opens with the new one.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { rekeyMirror } from '../../actions/encrypt-mirror.js';
import { newKeyDestination } from '../../config/mirror-key.js';
import { printData } from '../../render/index.js';
import { shellWord } from '../../rules/shell.js';
import { handle, type Runtime } from '../../cmdutil/define.js';
import { helpAfter } from '../../cmdutil/help.js';
import { keysFor, openToConvert } from '../../cmdutil/mirror.js';

export function configure(cmd: Command, runtime: Runtime): void {
  cmd
    .option('--new-key-file <path>', 'write the new key to this new file (mode 600) instead of the credential store or cx\'s key file; needed when the key comes from CX_DB_KEY or CX_DB_KEY_FILE');
  helpAfter(cmd, [
    'The mirror is copied into a new file under the new key, which then takes its name: a run killed at any moment ' +
      'leaves either the old file (old key) or the new one (new key). A copy of the old file (a backup) still opens ' +
      'with the old key. Other cx must not have the mirror open (exit 7). See docs/encryption.md.',
  ]);
  handle(cmd, runtime, async (ctx, opts: { newKeyFile?: string }) => {
    const keys = keysFor(ctx);
    const r = rekeyMirror({
      path: ctx.dbPath, keys, open: () => openToConvert(ctx, keys), agent: ctx.agent, now: ctx.now(), ticket: ctx.ticket ?? null, dryRun: ctx.dryRun,
      destination: newKeyDestination({ ...ctx.io.env, CX_DB_KEY_FILE: undefined, CX_DB_KEY: undefined }), newKeyFile: opts.newKeyFile,
    });
    const next = opts.newKeyFile && r.outcome === 'done' ? ['Point cx at the new key:', `  export CX_DB_KEY_FILE=${shellWord(resolve(opts.newKeyFile))}`] : [];
    await printData(ctx, r, () => [`${r.detail.charAt(0).toUpperCase()}${r.detail.slice(1)}.`, ...next]);
  });
}
