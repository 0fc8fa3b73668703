// Opening the mirror the global options point at, for reading or for a change, with the lock wait the
// settings give and the key the settings lead to (src/config/mirror-key.ts). Either way a write may have to
// wait for another cx (a read of PHI writes its audit row): on a terminal the agent is told, and a long
// writer (a batch) says who it is for the others to tell. A plaintext mirror is said once per run.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Context } from '../context.js';
import { mirrorKeys } from '../config/mirror-key.js';
import { UsageError } from '../errors.js';
import { shellWord } from '../rules/shell.js';
import { note, warn } from '../render/index.js';
import type { MirrorKeys } from '../store/cipher.js';
import { announceHolder, describeHolder } from '../store/lock-holder.js';
import { mirrorCipher, onLockWait, openMirror, openScratchMirror, tuneForBatch, type Db } from '../store/db.js';

type Where = Pick<Context, 'dbPath' | 'dbPathIsDefault' | 'io' | 'json' | 'lockWaitMs' | 'clock'> & { settings?: Pick<Context['settings'], 'db'> };

/** The mirror that must already exist, to read or to change: both may write (a read writes its audit row). */
export function openExisting(ctx: Where): Db {
  return opened(ctx, openMirror(mustExist(ctx), { keys: keysFor(ctx), lockWaitMs: ctx.lockWaitMs }));
}

/** The existing mirror on a connection tuned for a batch's many small writes (src/store/db.ts). */
export function openForBatch(ctx: Where): Db {
  const db = openExisting(ctx);
  tuneForBatch(db);
  return db;
}

/** For `cx db doctor --strict`: the mirror as it is, never upgraded (an old schema is a failed check). */
export function openAsIs(ctx: Where): Db {
  return opened(ctx, openMirror(mustExist(ctx), { keys: keysFor(ctx), migrate: false, lockWaitMs: ctx.lockWaitMs }));
}

/**
 * For the commands that may create the mirror (init, seed, import). A dry run never creates a file: with
 * no mirror yet it checks against a throwaway one in memory. A new mirror is encrypted, unless `plaintext`
 * (synthetic data only); an existing one stays as it is.
 */
export function openOrCreate(ctx: Where & Pick<Context, 'dryRun'>, how: { plaintext?: boolean } = {}): Db {
  if (ctx.dryRun && !existsSync(ctx.dbPath)) return openScratchMirror({ lockWaitMs: ctx.lockWaitMs });
  const db = openMirror(ctx.dbPath, { keys: keysFor(ctx, how), create: true, createFolder: ctx.dbPathIsDefault, lockWaitMs: ctx.lockWaitMs });
  if (how.plaintext && mirrorCipher(db).encrypted) {
    db.close();
    throw new UsageError(`the mirror at ${ctx.dbPath} exists and is encrypted: --plaintext only makes a new mirror`, 'leave out --plaintext, or name a new file with --db');
  }
  return opened(ctx, db);
}

/** For `cx db encrypt` and `cx db rekey`: the existing mirror, migrated, and no warning (it is what they fix). */
export function openToConvert(ctx: Where, keys: MirrorKeys): Db {
  return withWaitNotice(ctx, openMirror(mustExist(ctx), { keys, lockWaitMs: ctx.lockWaitMs }));
}

/** Where the mirror's key comes from; a key file cx makes for a new mirror is named on stderr. */
export function keysFor(ctx: Pick<Context, 'io' | 'json'>, how: { plaintext?: boolean } = {}): MirrorKeys {
  return mirrorKeys(ctx.io.env, { plaintext: how.plaintext, announce: (message) => note(ctx, message) });
}

const warnedPlaintext = new WeakSet<object>();
const warnedClock = new WeakSet<object>();

function opened(ctx: Where, db: Db): Db {
  const encrypted = mirrorCipher(db).encrypted;
  if (!encrypted) warnPlaintext(ctx);
  if (ctx.clock.mirrorOpened(encrypted ? 'encrypted' : 'plaintext')) warnClockNotPinned(ctx);
  return withWaitNotice(ctx, db);
}

/** Once per run: CX_NOW is set, but an encrypted mirror's records follow the system clock (src/clock.ts). */
function warnClockNotPinned(ctx: Where): void {
  if (warnedClock.has(ctx.io)) return;
  warnedClock.add(ctx.io);
  warn(ctx, 'CX_NOW is not used: the mirror is encrypted (real data), so what cx records in it follows the system clock; CX_NOW pins the clock of a plaintext mirror only');
}

/** Once per run: a plaintext mirror is readable by anyone who gets a copy of the file. */
export function warnPlaintext(ctx: Where): void {
  if (warnedPlaintext.has(ctx.io)) return;
  warnedPlaintext.add(ctx.io);
  warn(ctx, `the mirror ${ctx.dbPath} is not encrypted: anyone with a copy of the file can read it (made with --plaintext, for synthetic data only; or by a cx from before encryption)`);
  note(ctx, "Encrypt it in place (the key goes to the credential store, or cx's own key file):", `  cx db encrypt${dbOption(ctx)}`);
}

function withWaitNotice(ctx: Where, db: Db): Db {
  const notice = lockWaitNotice(ctx);
  if (notice) onLockWait(db, notice);
  return db;
}

/** On a terminal, what tells the agent that a write waits for another cx (naming it when it said who it is). */
export function lockWaitNotice(ctx: Pick<Context, 'dbPath' | 'io' | 'json'>): (() => void) | undefined {
  if (!ctx.io.stderrIsTTY) return undefined;
  return () => {
    const holder = describeHolder(ctx.dbPath);
    note(ctx, `Waiting for another cx to finish writing to the mirror${holder ? ` (${holder})` : ''}…`);
  };
}

/** A long writer says who it is, so that an agent whose command gave up waiting can be told; returns the release. */
export function announceWriter(ctx: Pick<Context, 'dbPath' | 'agent'>, command: string): () => void {
  return announceHolder(ctx.dbPath, { agent: ctx.agent, command, since: new Date().toISOString() });
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
