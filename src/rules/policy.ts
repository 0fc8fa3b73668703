// The retention policy: how many years a deactivated client's records are kept
// (docs/reference.md#retention-policy-file). Built-in defaults, or a JSON policy file (`--policy`, else
// $CX_POLICY) that can override them per state: the file is read and checked in policy-file.ts, apart, so
// that a run using the defaults never loads its schema library (zod, ~60 ms). Pure.

export interface RetentionNumbers {
  /** Years kept after the last service. */
  adultYears: number;
  /** The age at which a client stops being a minor. */
  majorityAge: number;
  /** Years kept after the client reaches majorityAge. */
  minorYears: number;
}

export interface RetentionPolicy extends RetentionNumbers {
  /** 'default' for the built-in policy, else the policy file's path as given. */
  source: string;
  /** Per-state overrides, keyed by two-letter US state code. */
  states: Record<string, Partial<RetentionNumbers>>;
}

/**
 * APA Record Keeping Guidelines, for places without a state law: keep a full record 7 years after the last
 * service, and a minor's record until 3 years after they reach majority (18), whichever is later.
 */
export const DEFAULT_POLICY: RetentionPolicy = Object.freeze({
  source: 'default',
  adultYears: 7,
  majorityAge: 18,
  minorYears: 3,
  states: Object.freeze({}),
});

/** Normalise a state as stored on an account: trimmed, upper-case; empty means none. */
export function normaliseState(state: string | null): string | null {
  const s = state?.trim().toUpperCase() ?? '';
  return s === '' ? null : s;
}

/**
 * The numbers that apply in a state: the state's overrides over the policy's own numbers.
 * `label` is the state code when the policy overrides at least one number for that state, else 'default'.
 */
export function numbersFor(policy: RetentionPolicy, state: string | null): RetentionNumbers & { label: string } {
  const code = normaliseState(state);
  const override = code !== null && Object.hasOwn(policy.states, code) ? policy.states[code] : undefined;
  const overridesAny = override !== undefined && Object.values(override).some((v) => v !== undefined);
  return {
    adultYears: override?.adultYears ?? policy.adultYears,
    majorityAge: override?.majorityAge ?? policy.majorityAge,
    minorYears: override?.minorYears ?? policy.minorYears,
    label: overridesAny && code !== null ? code : 'default',
  };
}
