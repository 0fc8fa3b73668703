import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { printData } from '../../render/index.js';
import { schemaVersion } from '../../store/db.js';
import { SCHEMA_VERSION } from '../../store/schema.js';
import { handle, type Runtime } from '../define.js';
import { openOrCreate } from '../mirror.js';

export function configure(cmd: Command, runtime: Runtime): void {
  handle(cmd, runtime, async (ctx) => {
    if (ctx.dryRun && !existsSync(ctx.dbPath)) {
      const plan = { path: ctx.dbPath, schema_version: SCHEMA_VERSION, dry_run: true };
      await printData(ctx, plan, () => [`Dry run: would create a mirror at ${plan.path} (schema version ${plan.schema_version}).`]);
      return;
    }
    const db = openOrCreate(ctx);
    const result = { path: ctx.dbPath, schema_version: schemaVersion(db) };
    db.close();
    await printData(ctx, result, () => [`Mirror ready at ${result.path} (schema version ${result.schema_version}).`]);
  });
}
