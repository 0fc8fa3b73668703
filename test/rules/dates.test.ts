import { describe, expect, it } from 'vitest';
import { dateOf, isCalendarDate, isIsoTime, isoTime, today } from '../../src/rules/dates.js';

describe('calendar dates', () => {
  it.each([
    ['2024-02-29', true],
    ['2023-02-29', false],
    ['2024-02-30', false],
    ['2024-13-01', false],
    ['2024-00-10', false],
    ['2024-04-31', false],
    ['2024-4-1', false],
    ['', false],
    ['1900-02-29', false],
    ['2000-02-29', true],
  ])('%s is a date: %s', (s, ok) => expect(isCalendarDate(s)).toBe(ok));

  it.each([
    ['2025-03-04T15:00:00Z', true],
    ['2025-03-04T15:00:00.123Z', true],
    ['2025-03-04T15:00:00+02:00', true],
    ['2025-03-04', true],
    ['2025-03-04T24:00:00Z', false],
    ['2025-02-30T10:00:00Z', false],
    ['yesterday', false],
  ])('%s is an ISO time: %s', (s, ok) => expect(isIsoTime(s)).toBe(ok));

  it('takes the UTC date of a time', () => {
    expect(dateOf('2025-03-04T23:30:00-02:00')).toBe('2025-03-05');
    expect(dateOf('2025-03-04')).toBe('2025-03-04');
  });
});

describe('isoTime (remembers the last time formatted)', () => {
  it('follows the time, not the Date object: a new time, the same object moved, an earlier time again', () => {
    const a = new Date('2025-03-04T23:30:00.123Z');
    expect(isoTime(a)).toBe('2025-03-04T23:30:00.123Z');
    expect(isoTime(new Date('2025-03-05T00:00:00.000Z'))).toBe('2025-03-05T00:00:00.000Z');
    a.setTime(Date.parse('2026-01-01T10:00:00.000Z'));
    expect(isoTime(a)).toBe('2026-01-01T10:00:00.000Z');
    expect(today(a)).toBe('2026-01-01');
    expect(isoTime(new Date('2025-03-04T23:30:00.123Z'))).toBe('2025-03-04T23:30:00.123Z');
  });

  it('throws for an invalid date, as toISOString does, and is not fooled after it', () => {
    expect(() => isoTime(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => isoTime(new Date(Number.NaN))).toThrow(RangeError);
    expect(isoTime(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
  });
});
