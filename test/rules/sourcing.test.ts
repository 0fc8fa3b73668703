import { describe, expect, it } from 'vitest';
import { clientSource, type Intake } from '../../src/rules/sourcing.js';

const intake = (at: string, bookedVia: Intake['bookedVia']): Intake => ({ at: `${at}T15:00:00.000Z`, bookedVia });

describe('clientSource: the initial intake with the provider decides', () => {
  it('an intake booked by the provider: the client may leave with them', () => {
    expect(clientSource([intake('2024-09-17', 'provider')])).toEqual({
      source: 'provider',
      mayLeave: true,
      intakeAt: '2024-09-17T15:00:00.000Z',
    });
  });

  it('an intake booked through search: the client stays on the platform', () => {
    expect(clientSource([intake('2023-09-14', 'search')])).toEqual({
      source: 'search',
      mayLeave: false,
      intakeAt: '2023-09-14T15:00:00.000Z',
    });
  });

  it('the earliest intake decides, whatever order the rows come in', () => {
    const rows = [intake('2025-06-01', 'search'), intake('2024-01-10', 'provider'), intake('2025-01-01', 'search')];
    expect(clientSource(rows)).toMatchObject({ source: 'provider', mayLeave: true, intakeAt: '2024-01-10T15:00:00.000Z' });
    expect(clientSource([...rows].reverse())).toMatchObject({ source: 'provider', mayLeave: true });
    const searchFirst = [intake('2025-06-01', 'provider'), intake('2023-03-03', 'search')];
    expect(clientSource(searchFirst)).toMatchObject({ source: 'search', mayLeave: false, intakeAt: '2023-03-03T15:00:00.000Z' });
  });

  it('no intake on record: stays (search), marked by a null intake for a check', () => {
    expect(clientSource([])).toEqual({ source: 'search', mayLeave: false, intakeAt: null });
  });

  it('two intakes at the same earliest time that disagree: stays', () => {
    const tie = [intake('2024-05-05', 'provider'), intake('2024-05-05', 'search')];
    expect(clientSource(tie)).toMatchObject({ source: 'search', mayLeave: false });
    expect(clientSource([...tie].reverse())).toMatchObject({ source: 'search', mayLeave: false });
    const agree = [intake('2024-05-05', 'provider'), intake('2024-05-05', 'provider')];
    expect(clientSource(agree)).toMatchObject({ source: 'provider', mayLeave: true });
  });

  it('may_leave is true exactly when the source is the provider', () => {
    for (const via of ['search', 'provider'] as const) {
      const r = clientSource([intake('2024-01-01', via)]);
      expect(r.mayLeave).toBe(r.source === 'provider');
    }
  });
});
