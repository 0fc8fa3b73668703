// Lines as the renderer builds them. Commands hand over lists of lines, never one string with line breaks in it,
// so that a line break inside a value from data (a name, a title) is shown as `\x0a` like every other control
// character instead of starting a line of its own. Every piece of text passes through `visible()` here, and only
// then gets a colour: colours and layout come from cx alone (docs/reference.md#how-every-command-behaves, "Values
// from data").
import stringWidth from 'fast-string-width';
import { visible } from '../rules/visible-text.js';

/** The few looks cx uses; what each means is decided here, not by the commands. */
export type Style = 'bold' | 'dim' | 'good' | 'plan' | 'warn' | 'bad' | 'alert' | 'command' | 'header';

export interface Span {
  text: string;
  style?: Style;
}

/**
 * One line of human output: plain text, styled pieces, a command to paste (printed on a line of its own,
 * indented, never wrapped), or a blank line.
 */
export type Line = string | Span[] | { command: string } | { blank: true };

export const span = (text: string, style?: Style): Span => ({ text, style });
export const command = (text: string): Line => ({ command: text });
export const BLANK: Line = { blank: true };

/** Paints a piece of (already visible) text: chalk for a stream, or nothing when colour is off. */
export type Painter = (style: Style | undefined, text: string) => string;

export const NO_PAINT: Painter = (_style, text) => text;

/** Where lines go: a width to wrap prose at (a terminal), or none (a pipe: one line stays one line). */
export interface Target {
  paint: Painter;
  width?: number;
  /** Text as people read it: an ISO UTC time inside it in the agent's zone (src/render/times.ts). */
  forPeople?: (text: string) => string;
}

function spansOf(line: Exclude<Line, { command: string } | { blank: true }>): Span[] {
  return typeof line === 'string' ? [{ text: line }] : line;
}

/** The line as text for the terminal or the pipe: made visible, painted, wrapped to the width if any. */
export function renderLine(line: Line, target: Target): string[] {
  if (typeof line === 'object' && 'blank' in line) return [''];
  if (typeof line === 'object' && 'command' in line) return [`  ${target.paint('command', visible(line.command))}`];
  const forPeople = target.forPeople ?? ((s: string) => s);
  const spans = spansOf(line).map((s) => ({ text: visible(forPeople(s.text)), style: s.style }));
  if (target.width === undefined) return [spans.map((s) => target.paint(s.style, s.text)).join('')];
  return wrapSpans(spans, target.width, target.paint);
}

interface Word {
  text: string;
  style?: Style;
  /** A space stands before it (in the text it came from). */
  spaced: boolean;
}

/**
 * Word-wraps styled text at spaces. Continuation lines are indented two spaces more than the line's own
 * indent; a word longer than the line (a path, an address) is left whole rather than cut.
 */
function wrapSpans(spans: Span[], width: number, paint: Painter): string[] {
  const plain = spans.map((s) => s.text).join('');
  if (stringWidth(plain) <= width) return [spans.map((s) => paint(s.style, s.text)).join('')];
  const indent = /^ */.exec(plain)![0].length;
  const words: Word[] = [];
  let spaced = false;
  for (const s of spans) {
    for (const piece of s.text.split(/( +)/)) {
      if (piece === '') continue;
      if (piece.startsWith(' ')) spaced = true;
      else {
        words.push({ text: piece, style: s.style, spaced });
        spaced = false;
      }
    }
  }
  const lines: string[] = [];
  let current = ' '.repeat(indent);
  let used = indent;
  let fresh = true;
  for (const w of words) {
    const wWidth = stringWidth(w.text);
    const gap = fresh ? 0 : w.spaced ? 1 : 0;
    if (!fresh && w.spaced && used + gap + wWidth > width) {
      lines.push(current);
      const lead = indent + 2;
      current = ' '.repeat(lead) + paint(w.style, w.text);
      used = lead + wWidth;
      continue;
    }
    current += (gap ? ' ' : '') + paint(w.style, w.text);
    used += gap + wWidth;
    fresh = false;
  }
  lines.push(current);
  return lines;
}

/** The width of text as a terminal shows it (wide characters count two, marks none). */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

// Made on first use: building a segmenter loads ICU data, which most runs (JSON, a pipe) never need.
let graphemes: Intl.Segmenter | undefined;

/** Cut text to `width` columns, ending with `…` when anything was cut; never splits a character. */
export function truncate(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  if (width <= 0) return '';
  let out = '';
  let used = 0;
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  for (const { segment } of graphemes.segment(text)) {
    const w = stringWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}

/** Characters after which a word too long for its line breaks best: an address at its `@` or a dot. */
const BREAK_AFTER = /[@.+_\-/]/;

/**
 * A table cell as lines of at most `width` columns: words wrapped at spaces, a word longer than the line
 * broken (after an `@` or a dot where one is near the end, else where the line ends), nothing left out.
 */
export function wrapCell(text: string, width: number): string[] {
  if (stringWidth(text) <= width) return [text];
  const lines: string[] = [];
  let current = '';
  const push = () => {
    if (current !== '') lines.push(current);
    current = '';
  };
  for (const word of text.split(' ').filter((w) => w !== '')) {
    const joined = current === '' ? word : `${current} ${word}`;
    if (stringWidth(joined) <= width) {
      current = joined;
      continue;
    }
    push();
    let rest = word;
    while (stringWidth(rest) > width) {
      const [head, tail] = breakWord(rest, width);
      lines.push(head);
      rest = tail;
    }
    current = rest;
  }
  push();
  return lines.length ? lines : [''];
}

/** The first `width` columns of a word and the rest, broken after a break character in its second half. */
function breakWord(word: string, width: number): [string, string] {
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  let head = '';
  let used = 0;
  let lastBreak = -1;
  for (const { segment } of graphemes.segment(word)) {
    const w = stringWidth(segment);
    if (used + w > width) break;
    head += segment;
    used += w;
    if (BREAK_AFTER.test(segment) && used > width / 2) lastBreak = head.length;
  }
  if (head === '') head = [...word][0] ?? ''; // a character wider than the line: it goes alone
  const at = lastBreak > 0 && lastBreak < word.length ? lastBreak : head.length;
  return [word.slice(0, at), word.slice(at)];
}
