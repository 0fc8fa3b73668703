// The audit rows of a hand-over of PHI in a file (issue 10, section 2): a `<action>.started` row is committed
// before the file appears under its name (or, for a device or a pipe, before its first byte leaves); the
// completing row (`<action>`) or, when the file was taken back, `<action>.abandoned` follows and names the
// started row. A crash leaves at most a started row without either: an export that may have been handed
// over, which `cx audit` shows as "started, not completed". Never a file without a row.

export const STARTED_OUTCOME = 'started';

export const startedAction = (action: string): string => `${action}.started`;
export const abandonedAction = (action: string): string => `${action}.abandoned`;

/** The words a completing or abandoning row's detail ends with; `cx audit` finds the pair by them. */
export function startedRef(startedId: number): string {
  return `(started in audit row ${startedId})`;
}

/** The action a started row belongs to, or null: 'notes.export.started' -> 'notes.export'. */
export function startedBase(action: string): string | null {
  return action.endsWith('.started') ? action.slice(0, -'.started'.length) : null;
}
