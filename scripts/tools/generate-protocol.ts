// What the generator's main thread and its appointments worker say to each other.

/** Joins the fields of a batch of rows into one string: cheap to post, one split on the other side. */
export const FIELD_SEPARATOR = '\u001f';

/**
 * Shared between the threads (the main thread is busy generating and never reads its messages until the
 * end): slot IN_FLIGHT counts batches posted but not yet loaded, and the main thread waits on it when the
 * worker falls behind, so queued rows cannot pile up in memory; slot FAILED is set when the worker fails.
 */
export const IN_FLIGHT = 0;
export const FAILED = 1;
export const MAX_BATCHES_IN_FLIGHT = 32;

export type WorkerRequest =
  | { kind: 'open'; path: string; createTable: string; createIndexes: string[]; columns: number; shared: Int32Array }
  | { kind: 'rows'; text: string }
  | { kind: 'finish' };

export type WorkerReply = { kind: 'done'; rows: number } | { kind: 'failed'; message: string };
