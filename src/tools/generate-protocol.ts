// What the generator's main thread and its appointments worker say to each other.

/** Joins the fields of a batch of rows into one string: cheap to post, one split on the other side. */
export const FIELD_SEPARATOR = '\u001f';

export type WorkerRequest =
  | { kind: 'open'; path: string; createTable: string; createIndexes: string[]; columns: number }
  | { kind: 'rows'; text: string }
  | { kind: 'finish' };

export type WorkerReply = { kind: 'done'; rows: number } | { kind: 'failed'; message: string };
