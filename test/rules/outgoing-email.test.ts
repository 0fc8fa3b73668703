import { describe, expect, it } from 'vitest';
import { foundByNote, resetEmailFor, resetSuppressedRefusal, resubscribeRefusal, subjectFor } from '../../src/rules/outgoing-email.js';
import { shellWord } from '../../src/rules/shell.js';

const verified = '2024-01-01T00:00:00Z';

describe('resetEmailFor', () => {
  it('chooses by role and verification', () => {
    expect(resetEmailFor({ role: 'client', email_verified_at: verified }, 'Headway')).toMatchObject({
      template: 'client_password_reset',
      subject: 'Reset your Headway password',
      verification: false,
    });
    expect(resetEmailFor({ role: 'provider', email_verified_at: verified }, 'Headway')).toMatchObject({
      template: 'provider_password_reset',
      subject: 'Please Verify Your Headway Account',
      verification: false,
    });
    for (const role of ['client', 'provider'] as const) {
      expect(resetEmailFor({ role, email_verified_at: null }, 'Headway')).toMatchObject({ template: 'email_verification', verification: true });
    }
  });

  it('puts the brand in every subject, and names the provider title in the label', () => {
    for (const t of ['client_password_reset', 'provider_password_reset', 'email_verification'] as const) {
      expect(subjectFor(t, 'Lighthouse')).toContain('Lighthouse');
      expect(subjectFor(t, 'Lighthouse')).not.toContain('Headway');
    }
    expect(resetEmailFor({ role: 'provider', email_verified_at: verified }, 'Lighthouse').label).toBe(
      'the provider password-reset email ("Please Verify Your Lighthouse Account")',
    );
  });
});

describe('shellWord', () => {
  it('leaves ordinary addresses and tickets alone and quotes the rest so they paste safely', () => {
    expect(shellWord('jane.doe+sam@gmail.com')).toBe('jane.doe+sam@gmail.com');
    expect(shellWord('T-48213')).toBe('T-48213');
    expect(shellWord('T 1')).toBe("'T 1'");
    expect(shellWord("o'brien&co@example.com")).toBe(`'o'\\''brien&co@example.com'`);
    expect(shellWord('$(rm -rf)@x.com')).toBe("'$(rm -rf)@x.com'");
  });
});

describe('suppressed addresses', () => {
  const base = { address: 'priya.raman@hotmail.com', since: '2026-09-14T08:22:00Z', ticket: 'T-5', brand: 'Headway' };

  it('an unsubscribe: the sentence on one line, with no command in it, and the exact resubscribe command as fix', () => {
    const r = resetSuppressedRefusal({ ...base, reason: 'unsubscribe' }, false);
    expect(r.fix).toBe('cx reset priya.raman@hotmail.com --resubscribe --ticket T-5');
    expect(r.detail).toBe('priya.raman@hotmail.com unsubscribed from Headway email on 2026-09-14, and one unsubscribe stops every email, so the reset email would never arrive');
  });

  it('a bounce or complaint: what it means, and the forced command as fix', () => {
    const bounce = resetSuppressedRefusal({ ...base, reason: 'bounce' }, false);
    expect(bounce.detail).toMatch(/bounced \(2026-09-14\): the address does not work/);
    expect(bounce.detail).not.toMatch(/cx |\n/);
    expect(bounce.fix).toBe('cx resubscribe priya.raman@hotmail.com --force --reason "<why>" --ticket T-5');
    const complaint = resetSuppressedRefusal({ ...base, reason: 'complaint' }, true);
    expect(complaint.detail).toMatch(/^--resubscribe lifts only an unsubscribe, not a complaint: /);
    expect(complaint.detail).toMatch(/reported a Headway email as spam/);
    expect(resubscribeRefusal({ ...base, reason: 'complaint' }).fix).toBe(complaint.fix);
  });

  it('without a ticket (a dry run) the command shows a placeholder', () => {
    expect(resetSuppressedRefusal({ ...base, ticket: '', reason: 'unsubscribe' }, false).fix).toBe(
      'cx reset priya.raman@hotmail.com --resubscribe --ticket <ticket>',
    );
  });
});

describe('foundByNote', () => {
  it('is empty for the current address, and names the current address otherwise', () => {
    expect(foundByNote('email', 'a@x.com', 'a@x.com', 'A@x.com')).toBe('');
    expect(foundByNote('former_email', 'old@x.com', 'new@x.com', 'new@x.com')).toMatch(/old@x\.com, a former address.*new@x\.com/);
    expect(foundByNote('mailbox', 'ab@gmail.com', 'a.b@gmail.com', 'a.b@gmail.com')).toMatch(/same mailbox/);
  });
});
