// Help text under a command's own options. Commander wraps its Usage, Options and Commands to the width it
// is given (the terminal's, or 100 down a pipe: src/program.ts); the text cx adds flows to the same width:
// paragraphs wrapped at spaces, a list's descriptions under their own column, a command to paste on a line
// of its own and never broken (a terminal may wrap it; pasted, it is still one command).
import { displayWidth, wrapCell } from './text.js';

export type HelpBlock =
  /** A paragraph. */
  | string
  /** A command to paste, indented two spaces, never wrapped. */
  | { command: string }
  /** A two-column list: each term, then its description wrapped under the description column. */
  | { items: ReadonlyArray<readonly [string, string]> }
  /** An indented remark under a list, wrapped two spaces in. */
  | { aside: string };

/** The least room a list's descriptions keep beside their terms; with less they go under them. */
const DESCRIPTION_MIN = 24;

/** The blocks as lines; two paragraphs in a row have a blank line between them. */
export function flowHelp(blocks: readonly HelpBlock[], width: number): string {
  const prose = (b: HelpBlock | undefined) => typeof b === 'string' && b !== '';
  return blocks.flatMap((b, i) => [...(prose(b) && prose(blocks[i - 1]) ? [''] : []), ...blockLines(b, width)]).join('\n');
}

function blockLines(block: HelpBlock, width: number): string[] {
  if (typeof block === 'string') return block === '' ? [''] : wrapCell(block, width);
  if ('command' in block) return [`  ${block.command}`];
  if ('aside' in block) return wrapCell(block.aside, width - 2).map((l) => `  ${l}`);
  const termWidth = Math.max(...block.items.map(([term]) => displayWidth(term)));
  const column = 2 + termWidth + 2;
  return block.items.flatMap(([term, description]) => {
    const room = width - column;
    if (room < DESCRIPTION_MIN) return [`  ${term}`, ...wrapCell(description, width - 6).map((l) => `      ${l}`)];
    const [first = '', ...rest] = wrapCell(description, room);
    return [`  ${term}${' '.repeat(termWidth - displayWidth(term))}  ${first}`, ...rest.map((l) => `${' '.repeat(column)}${l}`)];
  });
}
