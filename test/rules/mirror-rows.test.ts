import { describe, expect, it } from 'vitest';
import { FILES, missingColumns, rowProblems } from '../../src/rules/mirror-rows.js';

const accounts = FILES.find((f) => f.file === 'accounts.csv')!;
const good = {
  id: 'c-1', email: 'ana@example.com', role: 'client', first_name: 'Ana', last_name: 'Lima', dob: '1990-05-01',
  status: 'active', email_verified_at: '2025-01-01T00:00:00Z', created_at: '2025-01-01T00:00:00Z', last_active_at: '', state: 'TX',
};

describe('mirror import rows', () => {
  it('a good account row has no problems', () => {
    expect(rowProblems(accounts, good)).toEqual([]);
  });

  it.each([
    [{ role: 'admin' }, /^role must be one of client, provider/],
    [{ status: 'gone' }, /^status must be one of/],
    [{ dob: '2024-02-30' }, /^dob is not a date/],
    [{ created_at: '' }, /^created_at is empty/],
    [{ email: 'not an address' }, /^email is not a usable address/],
    [{ state: 'Texas' }, /^state must be a two-letter/],
    [{ id: '' }, /^id is empty/],
  ])('%o is refused', (change, message) => {
    const problems = rowProblems(accounts, { ...good, ...change });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('names the missing columns; state is optional', () => {
    const header = Object.keys(good).filter((c) => c !== 'role' && c !== 'state');
    expect(missingColumns(accounts, header)).toEqual(['role']);
  });
});
