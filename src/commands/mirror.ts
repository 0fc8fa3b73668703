// Opening the mirror the global options point at, for reading or for a change. Either way a write may
// have to wait for another cx (a read of PHI writes its audit row): on a terminal the agent is told.
import { existsSync } from 'node:fs';
import type { Context } from '../context.js';
import { note } from '../render.js';
import { describeHolder } from '../store/lock-holder.js';
import { onLockWait, openMirror, openScratchMirror, type Db } from '../store/db.js';

type Where = Pick<Context, 'dbPath' | 'dbPathIsDefault' | 'io' | 'json'>;

export function openForRead(ctx: Where): Db {
  return withWaitNotice(ctx, openMirror(ctx.dbPath));
}

export function openForWrite(ctx: Where): Db {
  return withWaitNotice(ctx, openMirror(ctx.dbPath));
}

/**
 * For the commands that may create the mirror (init, seed, import). A dry run never creates a file: with
 * no mirror yet it checks against a throwaway one in memory.
 */
export function openOrCreate(ctx: Where & Pick<Context, 'dryRun'>): Db {
  if (ctx.dryRun && !existsSync(ctx.dbPath)) return openScratchMirror();
  return withWaitNotice(ctx, openMirror(ctx.dbPath, { create: true, createFolder: ctx.dbPathIsDefault }));
}

function withWaitNotice(ctx: Where, db: Db): Db {
  if (ctx.io.stderrIsTTY) {
    onLockWait(db, () => {
      const holder = describeHolder(ctx.dbPath);
      note(ctx, `Waiting for another cx to finish writing to the mirror${holder ? ` (${holder})` : ''}…`);
    });
  }
  return db;
}
