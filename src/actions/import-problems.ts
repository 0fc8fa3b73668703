// The problems an import found, reported as `file:line: problem` in file and line order. Rows are known
// by their record number while the import runs (reading without line numbers is much faster); the lines
// are looked up only when the import is refused, for the problems shown. Only the first
// MAX_REPORTED_PROBLEMS are kept (the rest are counted), so a file with a million bad rows costs no memory.
import { UsageError } from '../errors.js';
import { plural, thousands } from '../rules/plural.js';

export const MAX_REPORTED_PROBLEMS = 50;

/** Where a problem is: a record of the file, a known line, the whole file, or where the CSV breaks. */
export type Where = { record: number } | { line: number } | { file: true } | { brokenAfter: number };

/** A message naming other records (e.g. "first on line N"), said once their lines are known. */
export interface Message {
  refs: number[];
  say(lines: number[]): string;
}

export interface Located {
  /** The line each record asked for starts on. */
  lines: Map<number, number>;
  /** The line where the file stops being valid CSV, if it does. */
  brokenAt?: number;
}

export type LineFinder = (file: string, records: number[]) => Promise<Located>;

interface Problem {
  file: number;
  order: number;
  where: Where;
  message: string | Message;
}

export class ProblemList {
  private readonly kept: Problem[] = [];
  private readonly withProblems = new Set<string>();
  count = 0;

  constructor(private readonly files: readonly string[]) {}

  add(file: string, where: Where, message: string | Message): void {
    this.count += 1;
    this.withProblems.add(file);
    const order = 'record' in where ? where.record : 'brokenAfter' in where ? where.brokenAfter + 0.5 : 'line' in where ? where.line - 1 : 0;
    const entry: Problem = { file: this.files.indexOf(file), order, where, message };
    const kept = this.kept;
    if (kept.length === MAX_REPORTED_PROBLEMS && !before(entry, kept[kept.length - 1]!)) return;
    let at = kept.length;
    while (at > 0 && before(entry, kept[at - 1]!)) at -= 1;
    kept.splice(at, 0, entry);
    if (kept.length > MAX_REPORTED_PROBLEMS) kept.pop();
  }

  has(file: string): boolean {
    return this.withProblems.has(file);
  }

  /** The error that refuses the import, listing what was kept, with the lines looked up. */
  async refusal(findLines: LineFinder): Promise<UsageError> {
    const located = new Map<number, Located>();
    for (const file of new Set(this.kept.map((p) => p.file))) {
      const ofFile = this.kept.filter((p) => p.file === file);
      const records = ofFile.flatMap((p) => [...('record' in p.where ? [p.where.record] : []), ...(typeof p.message === 'string' ? [] : p.message.refs)]);
      // A file that could not be read at all is not read again.
      const needed = records.length > 0 || ofFile.some((p) => 'brokenAfter' in p.where);
      located.set(file, needed ? await findLines(this.files[file]!, [...new Set(records)]) : { lines: new Map() });
    }
    const shown = this.kept.map((p) => {
      const name = this.files[p.file]!;
      const found = located.get(p.file)!;
      const lineOf = (record: number): number => found.lines.get(record) ?? 0;
      const line = 'record' in p.where ? lineOf(p.where.record) : 'line' in p.where ? p.where.line : 'brokenAfter' in p.where ? (found.brokenAt ?? 0) : 0;
      const text = typeof p.message === 'string' ? p.message : p.message.say(p.message.refs.map(lineOf));
      return line ? `${name}:${line}: ${text}` : `${name}: ${text}`;
    });
    const more = this.count > shown.length ? [`… and ${thousands(this.count - shown.length)} more`] : [];
    // One line for the message; the problems are listed under it, each on its own line (CxError.details).
    const error = new UsageError(`the import was refused, nothing was written (${plural(this.count, 'problem')}):`);
    error.details = [...shown, ...more];
    return error;
  }
}

const before = (a: Problem, b: Problem): boolean => a.file < b.file || (a.file === b.file && a.order < b.order);
