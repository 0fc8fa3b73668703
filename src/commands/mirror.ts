// Opening the mirror the global options point at, for reading or for a change. Either way a write may
// have to wait for another cx (a read of PHI writes its audit row): on a terminal the agent is told.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { shellWord } from '../rules/shell.js';
import { note } from '../render/index.js';
import { describeHolder } from '../store/lock-holder.js';
import { onLockWait, openMirror, openScratchMirror, type Db } from '../store/db.js';

type Where = Pick<Context, 'dbPath' | 'dbPathIsDefault' | 'io' | 'json'> & { settings?: Pick<Context['settings'], 'db'> };

export function openForRead(ctx: Where): Db {
  return withWaitNotice(ctx, openMirror(mustExist(ctx)));
}

export function openForWrite(ctx: Where): Db {
  return withWaitNotice(ctx, openMirror(mustExist(ctx)));
}

/** For `cx db doctor --strict`: the mirror as it is, never upgraded (an old schema is a failed check). */
export function openAsIs(ctx: Where): Db {
  return openMirror(mustExist(ctx), { migrate: false });
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

/** `--db <path>` as the agent would type it again; nothing for the default mirror. */
export function dbOption(ctx: Where): string {
  return ctx.dbPathIsDefault ? '' : ` --db ${shellWord(ctx.dbPath)}`;
}

/** A missing mirror (or its folder) is explained with the exact command that makes it. */
function mustExist(ctx: Where): string {
  if (existsSync(ctx.dbPath)) return ctx.dbPath;
  const from = ctx.settings?.db.from ?? '--db or $CX_DB';
  // The default folder is part of the install (and `cx db init` makes it if it went missing).
  if (!ctx.dbPathIsDefault && !existsSync(dirname(ctx.dbPath))) {
    throw new UsageError(`the folder for the mirror does not exist: ${dirname(ctx.dbPath)} (the mirror path came from ${from})`, `check ${from}`);
  }
  throw new UsageError(`no mirror at ${ctx.dbPath}`, {
    text: 'Create an empty one, or load the demo world:',
    commands: [`cx db init${dbOption(ctx)}`, `cx db seed --demo${dbOption(ctx)}`],
  });
}
