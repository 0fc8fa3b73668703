// Opening the mirror the global options point at, for reading or for a change.
import type { Context } from '../context.js';
import { openMirror, type Db } from '../store/db.js';

type Where = Pick<Context, 'dbPath' | 'dbPathIsDefault'>;

export function openForRead(ctx: Where): Db {
  return openMirror(ctx.dbPath);
}

export function openForWrite(ctx: Where): Db {
  return openMirror(ctx.dbPath);
}

/** For the commands that may create the mirror (init, seed, import). */
export function openOrCreate(ctx: Where): Db {
  return openMirror(ctx.dbPath, { create: true, createFolder: ctx.dbPathIsDefault });
}
