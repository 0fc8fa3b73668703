// Where a client in a provider's caseload came from (docs/reference.md#mirror-import; issue 5): the client's
// INITIAL intake with that provider decides. Booked by the provider (green in the provider's calendar): the
// provider brought the client, who may leave with them. Booked through the platform's search (blue): the
// client stays on the platform. Later sessions, however they were booked, do not count.
//
// Two cases the data can hold, decided on the side that can be undone:
// - No intake on record with this provider: treated as 'search' (stays). Saying "may leave" lets a departing
//   provider take a client with them, which cannot be taken back; keeping the client can be corrected once
//   someone has checked the platform. `intakeAt: null` marks these rows for that check.
// - Two intakes at the same earliest time that disagree: 'search', for the same reason.

export type BookedVia = 'search' | 'provider';

export interface Intake {
  /** When the intake starts, as a UTC ISO time in one format (the store normalises it), so strings compare. */
  at: string;
  bookedVia: BookedVia;
}

export interface ClientSource {
  source: BookedVia;
  /** True only for a client the provider brought (initial intake booked by the provider). */
  mayLeave: boolean;
  /** The initial intake's time; null when the client has no intake with this provider. */
  intakeAt: string | null;
}

/** Decide from the client's intakes with one provider, in any order. */
export function clientSource(intakes: readonly Intake[]): ClientSource {
  if (intakes.length === 0) return { source: 'search', mayLeave: false, intakeAt: null };
  const first = intakes.reduce((a, b) => (b.at < a.at ? b : a)).at;
  const initial = intakes.filter((i) => i.at === first);
  const source: BookedVia = initial.every((i) => i.bookedVia === 'provider') ? 'provider' : 'search';
  return { source, mayLeave: source === 'provider', intakeAt: first };
}
