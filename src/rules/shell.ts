// Text an agent pastes into a shell: the commands cx suggests name addresses, tickets and paths.

/** One shell word: safe to paste, even for the rarer characters an address may hold (' & $ ...). */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
