// The problems an import found, as `file:line: problem`, in file and line order. Only the first
// MAX_REPORTED_PROBLEMS are kept (the rest are counted), so a file with a million bad rows costs no memory.
import { UsageError } from '../errors.js';

export const MAX_REPORTED_PROBLEMS = 50;

interface Problem {
  file: number;
  line: number;
  text: string;
}

export class ProblemList {
  private readonly kept: Problem[] = [];
  private readonly withProblems = new Set<string>();
  count = 0;

  constructor(private readonly files: readonly string[]) {}

  /** `line` 0 is about the whole file. */
  add(file: string, line: number, problem: string): void {
    this.count += 1;
    this.withProblems.add(file);
    const entry: Problem = { file: this.files.indexOf(file), line, text: line ? `${file}:${line}: ${problem}` : `${file}: ${problem}` };
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

  /** The error that refuses the import, listing what was kept. */
  refusal(): UsageError {
    const more = this.count > this.kept.length ? `\n  … and ${this.count - this.kept.length} more` : '';
    return new UsageError(
      `the import was refused, nothing was written (${this.count} problem${this.count === 1 ? '' : 's'}):\n  ${this.kept.map((p) => p.text).join('\n  ')}${more}`,
    );
  }
}

const before = (a: Problem, b: Problem): boolean => a.file < b.file || (a.file === b.file && a.line < b.line);
