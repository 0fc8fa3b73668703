import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { printData } from '../../render/index.js';
import { initPlan, mirrorReady } from '../../actions/init-mirror.js';
import { handle, type Runtime } from '../../cmdutil/define.js';
import { openOrCreate } from '../../cmdutil/mirror.js';

export function configure(cmd: Command, runtime: Runtime): void {
  handle(cmd, runtime, async (ctx) => {
    if (ctx.dryRun && !existsSync(ctx.dbPath)) {
      const plan = initPlan(ctx.dbPath);
      await printData(ctx, plan, () => [`Dry run: would create a mirror at ${plan.path} (schema version ${plan.schema_version}).`]);
      return;
    }
    const db = openOrCreate(ctx);
    const result = mirrorReady(db, ctx.dbPath);
    db.close();
    await printData(ctx, result, () => [`Mirror ready at ${result.path} (schema version ${result.schema_version}).`]);
  });
}
