// Typed errors and the one place where errors and outcomes become exit codes (docs/reference.md#exit-codes).

export type Outcome = 'done' | 'already_done' | 'not_found' | 'refused' | 'invalid' | 'error' | 'planned';

export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  notFound: 3,
  refused: 4,
  batchIncomplete: 5,
  integrity: 6,
  /** Another cx held the mirror's write lock past the wait: nothing changed, run again. */
  busy: 7,
  /** The agent cancelled (Ctrl-C at a prompt or during work, SIGTERM): nothing changed that is not reported. */
  cancelled: 130,
} as const;

export const REPORT_BUGS_AT = 'the #cx-tools channel (attach the command and this message)';

/**
 * The next step printed under an error: a sentence, or a sentence and the commands that fix it (each printed
 * on a line of its own, ready to paste).
 */
export type Hint = string | { text?: string; commands: string[] };

/** An error cx expects and explains; `exitCode` and `outcome` say what kind it is. */
export class CxError extends Error {
  /** Lines listed under the message, one problem each (an import's `file:line: problem` list). */
  details: string[] = [];

  constructor(
    /** One line: a list of problems goes in `details`. */
    message: string,
    readonly exitCode: number,
    readonly outcome: Outcome,
    /** A next step for the agent, printed under the message. */
    readonly hint?: Hint,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad flags or bad input: exit 2. */
export class UsageError extends CxError {
  constructor(message: string, hint?: Hint) {
    super(message, EXIT.usage, 'invalid', hint);
  }
}

export class NotFoundError extends CxError {
  constructor(message: string, hint?: Hint) {
    super(message, EXIT.notFound, 'not_found', hint);
  }
}

/** A support policy refuses the change (bounced address, deactivated account, retention hold). */
export class PolicyError extends CxError {
  constructor(message: string, hint?: Hint) {
    super(message, EXIT.refused, 'refused', hint);
  }
}

export class IntegrityError extends CxError {
  constructor(message: string, hint?: Hint) {
    super(message, EXIT.integrity, 'error', hint);
  }
}

/**
 * The agent said "no" at a confirmation, pressed Ctrl-C at a prompt, or stopped the work with a signal
 * (docs/reference.md#exit-codes: 130). `message` says how far the work got when some of it was kept.
 */
export class CancelledError extends CxError {
  constructor(message = 'cancelled, nothing changed', hint?: Hint) {
    super(message, EXIT.cancelled, 'error', hint);
  }
}

/** Another writer held the mirror past the wait (exit 7); `holder` names it when known. */
export class BusyError extends CxError {
  /** `kept` says what stays when part of the work was done before the wait (a batch's recorded tickets). */
  constructor(holder?: string, kept = 'nothing changed') {
    super(
      `the mirror is busy: another cx held the write lock past the wait${holder ? ` (${holder})` : ''}; ${kept}`,
      EXIT.busy,
      'error',
      'run the same command again in a moment',
    );
  }
}

export function exitCodeForOutcome(outcome: Outcome): number {
  switch (outcome) {
    case 'done':
    case 'already_done':
    case 'planned':
      return EXIT.ok;
    case 'not_found':
      return EXIT.notFound;
    case 'refused':
      return EXIT.refused;
    case 'invalid':
      return EXIT.usage;
    case 'error':
      return EXIT.internal;
  }
}

interface SqliteLikeError {
  code?: unknown;
  message: string;
}

/** Turn anything thrown into a CxError; unknown errors stay internal (exit 1). */
export function asCxError(err: unknown): CxError {
  if (err instanceof CxError) return err;
  const e = err as SqliteLikeError | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY_')) {
    return new UsageError('the mirror is read-only, so this command cannot change it', 'use a writable copy, or check the file permissions');
  }
  if (code === 'SQLITE_NOTADB') return new UsageError('the file is not a SQLite database');
  if (code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT_')) {
    return new IntegrityError(`the mirror is damaged: ${e?.message ?? code}`, {
      text: 'check it, then restore the mirror from a backup or a fresh import:',
      commands: ['cx db doctor'],
    });
  }
  if (code === 'SQLITE_CANTOPEN') return new UsageError(`cannot open the mirror: ${e?.message ?? code}`);
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_')) return new BusyError();
  const message = err instanceof Error ? err.message : String(err);
  const internal = new CxError(`internal error: ${message}`, EXIT.internal, 'error', `this is a bug in cx: report it in ${REPORT_BUGS_AT}`);
  if (err instanceof Error) internal.stack = err.stack;
  return internal;
}
