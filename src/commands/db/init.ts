import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { printData } from '../../render/index.js';
import { initPlan, mirrorReady } from '../../actions/init-mirror.js';
import { handle, type Runtime } from '../../cmdutil/define.js';
import { openOrCreate } from '../../cmdutil/mirror.js';

export function configure(cmd: Command, runtime: Runtime): void {
  cmd.option('--plaintext', 'make the new mirror unencrypted: for synthetic data only (every command then warns)');
  handle(cmd, runtime, async (ctx, opts: { plaintext?: boolean }) => {
    if (ctx.dryRun && !existsSync(ctx.dbPath)) {
      const plan = initPlan(ctx.dbPath, !opts.plaintext);
      await printData(ctx, plan, () => [`Dry run: would create ${plan.encrypted ? 'an encrypted' : 'a plaintext'} mirror at ${plan.path} (schema version ${plan.schema_version}).`]);
      return;
    }
    const db = openOrCreate(ctx, { plaintext: opts.plaintext });
    const result = mirrorReady(db, ctx.dbPath);
    db.close();
    const how = result.encrypted ? `encrypted, key from ${result.key_from}` : 'plaintext';
    await printData(ctx, result, () => [`Mirror ready at ${result.path} (schema version ${result.schema_version}, ${how}).`]);
  });
}
