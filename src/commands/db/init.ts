import type { Command } from 'commander';
import { printData } from '../../render.js';
import { schemaVersion } from '../../store/db.js';
import { handle, type Runtime } from '../define.js';
import { openOrCreate } from '../mirror.js';

export function configure(cmd: Command, runtime: Runtime): void {
  handle(cmd, runtime, async (ctx) => {
    const db = openOrCreate(ctx);
    const result = { path: ctx.dbPath, schema_version: schemaVersion(db) };
    db.close();
    printData(ctx, result, () => `Mirror ready at ${result.path} (schema version ${result.schema_version}).`);
  });
}
