import { describe, expect, it } from 'vitest';
import { deactivateAdvice, familyAuditAdvice, familyHygieneAdvice, familyQuestion, lookupSuggestionAdvice, unconfirmedIdentityAdvice, offboardAdvice, resetAdvice, resubscribeAdvice, type Advice, type GuidanceContext } from '../../src/rules/guidance.js';
import { subjectFor, type SuppressionReason } from '../../src/rules/outgoing-email.js';
import type { AccountSummary, CaseloadReport, DeactivateResult, OffboardResult, ResetResult, ResubscribeResult } from '../../src/actions/result.js';

const c: GuidanceContext = { ticket: 'T-1', brand: 'Headway', typed: 'x@example.com', at: (iso) => `at ${iso.slice(11, 16)}`, ago: () => '3 min ago', windowMinutes: 15, today: '2026-11-27' };
// Results typed as the actions return them: a key an action renames stops this file compiling.
const account = (over: Partial<AccountSummary> = {}): AccountSummary => ({ id: '1', email: 'a b@example.com', name: 'Ann Bee', role: 'client', status: 'active', verified: true, ...over });
const caseload = (email: string): CaseloadReport => ({ email, name: 'Pat Provider', clients: [], may_leave_count: 1, stay_count: 2, progress_notes: 16 });
const text = (advice: Advice[]) => advice.map((a) => [a.text, ...(a.commands ?? [])].join('\n')).join('\n');

describe('what to tell the person and do next', () => {
  it('after a reset: spam and promotions folders, and the link expires; never a link itself', () => {
    for (const t of ['client_password_reset', 'provider_password_reset', 'email_verification'] as const) {
      const done: ResetResult = { outcome: 'done', detail: '', account_id: '1', account: account(), template: t, to: 'x@example.com', subject: subjectFor(t, 'Headway'), resubscribed: false, outbox_id: 1 };
      const said = text(resetAdvice(done, c));
      expect(said).toContain('x@example.com');
      expect(said).toMatch(/spam and promotions folders/);
      expect(said).toMatch(/expires/);
      expect(said).not.toMatch(/https?:/);
    }
    const provider = resetAdvice({ outcome: 'done', detail: '', account_id: 'p', account: account({ role: 'provider' }), template: 'provider_password_reset', to: 'p@example.com', subject: 'Please Verify Your Headway Account', resubscribed: false, outbox_id: 2 }, c);
    // Queued is not sent: push first, then the words for the person, once it is sent.
    expect(provider[0]).toMatchObject({ kind: 'next', commands: ['cx sync push'] });
    expect(provider[1]).toMatchObject({ kind: 'tell', when: 'once it is sent', text: expect.stringContaining('an email titled "Please Verify Your Headway Account"') });
  });

  it('after a repeat: when it was queued and when a new one can be, in the times given', () => {
    const repeat: ResetResult = { outcome: 'already_done', detail: '', account_id: '1', account: account(), template: 'client_password_reset', to: 'x@example.com', subject: 'Reset', outbox_id: 1, queued_at: '2026-11-27T11:52:10.000Z', email_status: 'delivered' };
    const said = text(resetAdvice(repeat, c));
    expect(said).toMatch(/queued at 11:52 \(3 min ago\)/);
    expect(said).toMatch(/after at 12:07/);
  });

  it('a suppressed address: what it means and the one command, by reason', () => {
    const refused = (reason: SuppressionReason): ResetResult => ({ outcome: 'refused', detail: '', account_id: '1', account: account(), suppression: { reason, since: '2026-09-14T00:00:00Z' }, fix: '' });
    const unsub = resetAdvice(refused('unsubscribe'), c);
    expect(unsub.flatMap((a) => a.commands ?? [])).toEqual(["cx reset 'a b@example.com' --resubscribe --ticket T-1"]);
    expect(resetAdvice(refused('bounce'), c).flatMap((a) => a.commands ?? [])).toEqual([`cx resubscribe 'a b@example.com' --force --reason "<why>" --ticket T-1`]);
    expect(text(resetAdvice(refused('complaint'), c))).toMatch(/marked a Headway email as spam/);
  });

  it('a closed or ended account, and an address nobody uses', () => {
    const closed: ResetResult = { outcome: 'refused', detail: '', account_id: '1', account: account({ email: 'a@x.com', status: 'deactivated' }), deactivated_at: '2026-01-02' };
    expect(text(resetAdvice(closed, c))).toMatch(/closed on 2026-01-02 .*cx cannot reopen it/);
    const ended: ResetResult = { outcome: 'refused', detail: '', account_id: 'p', account: account({ email: 'a@x.com', status: 'terminated', role: 'provider' }), contract_ends_at: null };
    expect(text(resetAdvice(ended, c))).toMatch(/contract with the platform has ended/);
    expect(resetAdvice({ outcome: 'not_found', detail: '', account_id: null }, c).flatMap((a) => a.commands ?? [])).toEqual(['cx lookup x@example.com --ticket T-1']);
    expect(resetAdvice({ outcome: 'not_found', detail: '', account_id: null, try_address: 'jane.doe@gmail.com' }, c).flatMap((a) => a.commands ?? [])).toEqual(['cx reset jane.doe@gmail.com --ticket T-1', "cx family jane.doe@gmail.com --suggest '<their name>' --ticket T-1"]);
    // Without a terminal (or after --yes) a change's command carries --yes; a --db flag is repeated.
    expect(resetAdvice({ outcome: 'not_found', detail: '', account_id: null, try_address: 'jane.doe@gmail.com' }, { ...c, yes: true, db: '/m/x.db' }).flatMap((a) => a.commands ?? [])).toEqual([
      'cx reset jane.doe@gmail.com --ticket T-1 --yes --db /m/x.db', "cx family jane.doe@gmail.com --suggest '<their name>' --ticket T-1 --db /m/x.db",
    ]);
  });

  it('after a resubscribe: the next command; without a ticket, a placeholder', () => {
    const lifted: ResubscribeResult = { outcome: 'done', detail: '', account_id: '1', address: 'a b@example.com', suppression: { reason: 'unsubscribe', since: '2026-09-14T00:00:00Z' }, forced: false };
    expect(resubscribeAdvice(lifted, { ...c, ticket: undefined }).flatMap((a) => a.commands ?? [])).toEqual(['cx sync push', "cx reset 'a b@example.com' --ticket <ticket>"]);
  });

  it('a deactivation, an offboarding, a provider sent to the wrong command', () => {
    const closed: DeactivateResult = {
      outcome: 'done', detail: '', account_id: '1', email: 'a@x.com', deactivated_at: '2026-11-27', retain_until: '2033-01-01', retention_rule: 'adult',
      retention_recorded: true, last_service: '2026-01-01', template: 'client_deactivation_next_steps', to: 'a@x.com',
    };
    expect(text(deactivateAdvice(closed, c))).toMatch(/kept until 2033-01-01[\s\S]*"next steps" email goes to a@x\.com with the same push/);
    const provider: DeactivateResult = { outcome: 'refused', detail: '', account_id: 'p', email: 'p@x.com', role: 'provider', next_command: 'cx offboard p@x.com --ticket T-1' };
    expect(deactivateAdvice(provider, c).flatMap((a) => a.commands ?? [])).toEqual(['cx offboard p@x.com --ticket T-1']);
    const ends = (over: { contract_ends_at: string; scheduled: boolean }): OffboardResult => ({ outcome: 'done', detail: '', account_id: 'p201', ...caseload('p@x.com'), ...over });
    const offboard = offboardAdvice(ends({ contract_ends_at: '2026-12-31', scheduled: false }), c);
    expect(offboard[0]).toMatchObject({ kind: 'next', commands: ['cx sync push'] });
    expect(offboard[1]).toMatchObject({ kind: 'tell', to: 'the provider', when: 'once it is sent' });
    expect(text(offboard)).toMatch(/terminated, effective 2026-12-31\. 1 client may leave with them .*; 2 stay/);
    // The zip name is the one cx gives the file when no --out is given (src/rules/notes-zip-name.ts).
    expect(offboard.flatMap((a) => a.commands ?? [])).toEqual(['cx sync push', 'cx notes export p@x.com --out notes-p201-T-1-20261127.zip --ticket T-1']);
    const scheduled = offboardAdvice(ends({ contract_ends_at: '2026-12-31', scheduled: true }), c);
    expect(text(scheduled)).toMatch(/the contract ends on 2026-12-31; until then the account works as before/);
    const farBack = offboardAdvice({ outcome: 'refused', detail: '', account_id: 'p201', fix: 'cx offboard p@x.com --effective 2026-01-01 --allow-past --ticket T-1' }, c);
    expect(farBack.flatMap((a) => a.commands ?? [])).toEqual(['cx offboard p@x.com --effective 2026-01-01 --allow-past --ticket T-1']);
  });

  it('suggestions: each a ready command, saying whether an account uses the address', () => {
    const [ask, advice] = lookupSuggestionAdvice('jane.doe@gmial.com', [{ email: 'jane.doe@gmail.com', account_id: '1001' }, { email: 'x@gmail.com', account_id: null }]);
    expect(ask).toMatchObject({ kind: 'tell', text: expect.stringMatching(/^no account uses jane\.doe@gmial\.com\./) });
    expect(advice!.commands).toEqual(['cx lookup jane.doe@gmail.com   # account 1001 uses this address', 'cx lookup x@gmail.com   # no account uses this address either: a typo of the domain?']);
  });
});

describe('family hygiene: what to ask the family', () => {
  const flag = (issue: 'holder_name_and_dob' | 'holder_name' | 'holder_dob', name = 'Jane Doe') => ({ email: 'jane.doe+sam@gmail.com', name, issue, holder_email: 'jane.doe@gmail.com', holder_name: 'Jane Doe' });

  it('each issue asks whose account it is and asks for the person in care\'s own name and date of birth; no date is named', () => {
    expect(familyQuestion(flag('holder_name_and_dob'))).toMatch(/^jane\.doe\+sam@gmail\.com carries Jane Doe's name and date of birth, as jane\.doe@gmail\.com does\. Who is in care on it\?.*own full name and date of birth, even for a child.*second account/);
    expect(familyQuestion(flag('holder_name'))).toMatch(/carries the name Jane Doe, as jane\.doe@gmail\.com does, with another date of birth\. Whose account is it\?/);
    expect(familyQuestion(flag('holder_dob', 'Sam Doe'))).toMatch(/\(Sam Doe\) carries the same date of birth as jane\.doe@gmail\.com \(Jane Doe\)\. Is it Sam Doe's own\?/);
    const advice = familyHygieneAdvice([flag('holder_name_and_dob'), flag('holder_dob', 'Sam Doe')]);
    expect(advice.map((a) => [a.kind, a.to])).toEqual([['ask', 'the family'], ['ask', 'the family'], ['next', undefined]]);
    expect(text(advice)).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(familyHygieneAdvice([])).toEqual([]);
  });

  it('after the audit: the family command for a mailbox, and the CSV unless it was written', () => {
    expect(familyAuditAdvice('jane.doe+sam@gmail.com', { db: '/tmp/m.db' }, false).flatMap((a) => a.commands ?? [])).toEqual([
      'cx family jane.doe+sam@gmail.com --db /tmp/m.db',
      'cx family --audit --out family-audit.csv --db /tmp/m.db',
    ]);
    expect(familyAuditAdvice('jane.doe+sam@gmail.com', {}, true).flatMap((a) => a.commands ?? [])).toEqual(['cx family jane.doe+sam@gmail.com']);
  });

  it('an identity the desk could not confirm: nothing changed, and the two ways they can show it', () => {
    expect(text(unconfirmedIdentityAdvice())).toMatch(/nothing was changed.*email address on their account.*name and date of birth on the account/);
  });
});
