// docs/reference.md read as the tests need it: its sections by heading, the Markdown tables in a section,
// and the `code` spans in a cell. The reference is written for people; these helpers only find its tables.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/env.js';

export const REFERENCE = readFileSync(join(REPO, 'docs/reference.md'), 'utf8');

/** The text under a heading of this level and title, up to the next heading of the same or a higher level. */
export function section(text: string, level: 2 | 3, title: string): string {
  const heading = `${'#'.repeat(level)} ${title}\n`;
  const at = text.startsWith(heading) ? 0 : text.indexOf(`\n${heading}`);
  if (at < 0) throw new Error(`docs/reference.md has no heading "${heading.trim()}"`);
  const body = text.slice(at + heading.length + (at === 0 ? 0 : 1));
  const next = body.search(new RegExp(`^#{1,${level}} `, 'm'));
  return next < 0 ? body : body.slice(0, next);
}

/** The titles of the headings of this level in the text, in order. */
export function headings(text: string, level: 2 | 3): string[] {
  return [...text.matchAll(new RegExp(`^${'#'.repeat(level)} (.+)$`, 'gm'))].map((m) => m[1]!);
}

export interface Table {
  header: string[];
  rows: string[][];
}

/** The Markdown tables of the text, in order: each row's cells trimmed (`\|` is a pipe inside a cell). */
export function tables(text: string): Table[] {
  const found: Table[] = [];
  let lines: string[] = [];
  const flush = (): void => {
    if (lines.length >= 2) {
      const [header, , ...rows] = lines.map(cells);
      found.push({ header: header!, rows });
    }
    lines = [];
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('|')) lines.push(line);
    else flush();
  }
  flush();
  return found;
}

function cells(line: string): string[] {
  return line
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, '|'));
}

/** The one table of the text whose first header cell is this. */
export function tableHeaded(text: string, first: string): Table {
  const matching = tables(text).filter((t) => t.header[0] === first);
  if (matching.length !== 1) throw new Error(`expected one table headed "${first}", found ${matching.length}`);
  return matching[0]!;
}

/** The `code` spans of a cell or a line, without the backticks. */
export function codes(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

/** The first column's code spans, row by row (a cell may name several: "`a`, `b`"). */
export function firstColumn(t: Table): string[] {
  return t.rows.flatMap((r) => codes(r[0]!));
}
