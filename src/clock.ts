// The clock a run records by. On an encrypted mirror (real patient data) it is the system's, whatever the
// settings say: audit rows, retention dates, the reset window and pending changes follow the real time, so
// no agent can backdate what the log says they did. CX_NOW pins it only on a plaintext mirror (synthetic
// data: the demo, tests), and only once cx has opened that mirror and seen it is one.
import { UsageError } from './errors.js';
import { shownValue } from './rules/secret-shape.js';

/** What the run's mirror turned out to be when it was opened ('none': not opened yet, or never). */
export type MirrorKind = 'none' | 'plaintext' | 'encrypted';

export class RunClock {
  private mirror: MirrorKind = 'none';
  private readonly pinned: Date | undefined;

  /**
   * `system` is the operating system's clock (a test's own process may give a fixed one: `IO.clock`);
   * `pin` is CX_NOW as set.
   */
  constructor(
    private readonly system: () => Date,
    pin: string | undefined,
  ) {
    this.pinned = pinnedTime(pin);
  }

  /** Now, as this run records it. */
  readonly now = (): Date => (this.pinned && this.mirror === 'plaintext' ? new Date(this.pinned) : this.system());

  /** Told by the opener which kind of mirror the run works on; true when CX_NOW is set and not used for it. */
  mirrorOpened(kind: Exclude<MirrorKind, 'none'>): boolean {
    this.mirror = kind;
    return this.pinned !== undefined && kind === 'encrypted';
  }
}

function pinnedTime(pin: string | undefined): Date | undefined {
  if (!pin) return undefined;
  const at = new Date(pin);
  if (Number.isNaN(at.getTime())) throw new UsageError(`CX_NOW is not an ISO time: ${shownValue(pin)}`);
  return at;
}
