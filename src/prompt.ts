// Terminal prompts. @inquirer/prompts is loaded only when a prompt is really shown (it costs ~2x a bare
// node start). Every prompt has a flag that answers it; without a terminal there is no prompt, only an error.
import { CancelledError, UsageError } from './errors.js';
import type { IO } from './io.js';
import { visible } from './rules/visible-text.js';
import { loadPrompts } from './packages.js';

export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
}

export interface Prompter {
  confirm(message: string, defaultAnswer?: boolean): Promise<boolean>;
  input(message: string): Promise<string>;
  select<T>(message: string, choices: Array<Choice<T>>): Promise<T>;
}

export function terminalPrompter(io: IO): Prompter {
  // Asked for when a prompt is shown: reading io.stdin builds the stream, which most runs never use.
  const context = () => ({ input: io.stdin, output: io.stderr });
  const requireTerminal = (what: string): void => {
    if (!io.interactive) throw new UsageError(`${what} needs a terminal; pass it as a flag instead`);
  };
  return {
    async confirm(message, defaultAnswer = false) {
      requireTerminal('a confirmation');
      const { confirm } = await loadPrompts();
      return cancellable(confirm({ message: visible(message), default: defaultAnswer }, context()));
    },
    async input(message) {
      requireTerminal('an answer');
      const { input } = await loadPrompts();
      return cancellable(input({ message: visible(message), required: true }, context()));
    },
    async select(message, choices) {
      requireTerminal('a choice');
      const { select } = await loadPrompts();
      // Questions and choices name accounts: shown like every value from data (src/rules/visible-text.ts).
      const shown = choices.map((c) => ({ ...c, name: visible(c.name), description: c.description && visible(c.description) }));
      return cancellable(select({ message: visible(message), choices: shown }, context()));
    },
  };
}

/** Ctrl-C at a prompt (inquirer's ExitPromptError) is the agent cancelling: exit 130, nothing changed. */
export async function cancellable<T>(answer: Promise<T>): Promise<T> {
  try {
    return await answer;
  } catch (err) {
    if (err instanceof Error && err.name === 'ExitPromptError') throw new CancelledError();
    throw err;
  }
}
