// cx db encrypt: a plaintext mirror (one made before encryption, or with --plaintext) encrypted in place,
// all or nothing (src/store/mirror-convert.ts); its key goes where a new mirror's would.
import type { Command } from 'commander';
import { encryptMirror } from '../../actions/encrypt-mirror.js';
import { newKeyDestination } from '../../config/mirror-key.js';
import { printData } from '../../render/index.js';
import { handle, type Runtime } from '../../cmdutil/define.js';
import { helpAfter } from '../../cmdutil/help.js';
import { keysFor, openToConvert } from '../../cmdutil/mirror.js';

export function configure(cmd: Command, runtime: Runtime): void {
  helpAfter(cmd, [
    'The mirror is copied into a new encrypted file (ChaCha20-Poly1305), which then takes its name: a run killed at ' +
      'any moment leaves either the old file or the new one, complete. Due migrations run first. The key goes to ' +
      'CX_DB_KEY_FILE (written when absent), else CX_DB_KEY, else the OS credential store, else cx\'s own key file. ' +
      'Other cx must not have the mirror open (exit 7). See docs/encryption.md.',
  ]);
  handle(cmd, runtime, async (ctx) => {
    const keys = keysFor(ctx);
    const r = encryptMirror({
      path: ctx.dbPath, keys, open: () => openToConvert(ctx, keys), agent: ctx.agent, now: ctx.now(), ticket: ctx.ticket ?? null, dryRun: ctx.dryRun,
      destination: newKeyDestination(ctx.io.env),
    });
    await printData(ctx, r, () => [
      `${capital(r.detail)}.`,
      ...(r.outcome === 'done'
        ? ['The plaintext file is gone. On SSDs and copy-on-write file systems its old blocks can survive until they are reused: keep the disk encrypted too (docs/encryption.md).']
        : []),
    ]);
  });
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
