// The guided desk's prompts (@inquirer/prompts 8, loaded with the desk). Inside a step, Esc and Ctrl-C go
// back: each prompt gets an AbortSignal (inquirer's context argument) that an Esc keypress aborts, and
// inquirer turns Ctrl-C into its ExitPromptError; both become `Back`. At the top menu Ctrl-C leaves the desk
// (exit 0, docs/reference.md#exit-codes: leaving the desk is not a cancelled command) and Esc does nothing.
import type { IO } from '../io.js';
import type { Choice, Prompter } from '../prompt.js';
import { visible } from '../rules/visible-text.js';
import { loadPrompts } from '../packages.js';

/** The agent pressed Esc or Ctrl-C inside a step: back to the top menu, nothing changed. */
export class Back extends Error {
  constructor(readonly key: 'esc' | 'ctrl-c') {
    super(key === 'esc' ? 'Esc' : 'Ctrl-C');
    this.name = 'Back';
  }
}

export interface TextOptions {
  /** Enter on an empty line answers '' (else an answer is required). */
  optional?: boolean;
  /** An error message for a bad answer (asked again), or true. */
  validate?: (answer: string) => string | true;
}

export interface DeskPrompter extends Prompter {
  text(message: string, options?: TextOptions): Promise<string>;
  /** The top menu: the choice, or null when the agent pressed Ctrl-C there (leave the desk). */
  menu<T>(message: string, choices: Array<Choice<T>>): Promise<T | null>;
}

type Inquirer = typeof import('@inquirer/prompts');
/** inquirer's context argument: the streams and the AbortSignal. */
type PromptContext = NonNullable<Parameters<Inquirer['select']>[1]>;

interface Keypress {
  name?: string;
}

export function deskPrompter(io: IO): DeskPrompter {
  let inquirer: Inquirer | undefined;
  const load = async (): Promise<Inquirer> => (inquirer ??= await loadPrompts());

  /** One prompt, with Esc (when `escGoesBack`) and Ctrl-C turned into Back. */
  async function ask<T>(run: (p: Inquirer, context: PromptContext) => Promise<T>, escGoesBack = true): Promise<T> {
    const p = await load();
    const controller = new AbortController();
    // readline (under inquirer) decodes the keys and emits them on stdin; a lone Esc arrives as 'escape'
    // once readline's short escape-sequence wait is over (arrow keys are sequences, never 'escape').
    const onKey = (_text: string, key?: Keypress) => {
      if (key?.name === 'escape') controller.abort();
    };
    if (escGoesBack) io.stdin.on('keypress', onKey);
    try {
      return await run(p, { input: io.stdin, output: io.stderr, signal: controller.signal });
    } catch (err) {
      if (err instanceof Error && err.name === 'ExitPromptError') throw new Back('ctrl-c');
      if (err instanceof Error && err.name === 'AbortPromptError') throw new Back('esc');
      throw err;
    } finally {
      io.stdin.off('keypress', onKey);
    }
  }

  // Questions and choices name accounts: shown like every value from data (src/rules/visible-text.ts).
  const shown = <T>(choices: Array<Choice<T>>) => choices.map((c) => ({ ...c, name: visible(c.name), description: c.description && visible(c.description) }));

  return {
    confirm: (message, defaultAnswer = false) => ask((p, c) => p.confirm({ message: visible(message), default: defaultAnswer }, c)),
    input: (message) => ask((p, c) => p.input({ message: visible(message), required: true }, c)),
    select: (message, choices) => ask((p, c) => p.select({ message: visible(message), choices: shown(choices), pageSize: 12 }, c)),
    text: (message, options = {}) =>
      ask((p, c) => p.input({ message: visible(message), required: !options.optional, validate: options.validate && ((v: string) => (options.optional && v.trim() === '') || options.validate!(v.trim())) }, c)).then((v) => v.trim()),
    async menu(message, choices) {
      try {
        return await ask((p, c) => p.select({ message: visible(message), choices: shown(choices), pageSize: 12 }, c), false);
      } catch (err) {
        if (err instanceof Back) return null;
        throw err;
      }
    },
  };
}
