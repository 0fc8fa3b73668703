// Opening the mirror the global options point at, for reading or for a change.
import { existsSync } from 'node:fs';
import type { Context } from '../context.js';
import { openMirror, openScratchMirror, type Db } from '../store/db.js';

type Where = Pick<Context, 'dbPath' | 'dbPathIsDefault'>;

export function openForRead(ctx: Where): Db {
  return openMirror(ctx.dbPath);
}

export function openForWrite(ctx: Where): Db {
  return openMirror(ctx.dbPath);
}

/**
 * For the commands that may create the mirror (init, seed, import). A dry run never creates a file: with
 * no mirror yet it checks against a throwaway one in memory.
 */
export function openOrCreate(ctx: Where & Pick<Context, 'dryRun'>): Db {
  if (ctx.dryRun && !existsSync(ctx.dbPath)) return openScratchMirror();
  return openMirror(ctx.dbPath, { create: true, createFolder: ctx.dbPathIsDefault });
}
