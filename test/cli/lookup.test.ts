import { beforeAll, describe, expect, it } from 'vitest';
import { demoMirror, snapshot } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';

let db: string;
beforeAll(() => {
  db = demoMirror();
});

const lookup = async (...args: string[]) => await cxIn(['lookup', ...args], { db });
const lookupJson = async (...args: string[]) => {
  const r = await cxIn(['lookup', '--json', ...args], { db });
  return { ...r, body: r.json() };
};
const ids = (list: Array<{ id: string }>) => list.map((a) => a.id);

describe('cx lookup <email>: every match path', () => {
  it.each([
    ['  JANE.DOE@GMAIL.COM ', '1001', 'email'],
    ['<jane.doe@gmail.com>', '1001', 'email'],
    ['mailto:jane.doe@gmail.com', '1001', 'email'],
    ['janedoe@googlemail.com', '1001', 'mailbox'],
    ['j.a.n.e.d.o.e@gmail.com', '1001', 'mailbox'],
    ['jane.doe+max@gmail.com', '1001', 'mailbox'], // the +tag dropped: the base mailbox
    ['tombecker@gmail.com', '1006', 'mailbox'], // stored Tom.Becker@googlemail.com
    ['marcus.reyes@outlook.com', '1007', 'mailbox'], // stored with +headway, no account at the base
    ['rcastellanos@lakeshorecounseling.com', 'p202', 'former_email'],
    ['R.Castellanos.LCSW@gmail.com', 'p202', 'former_email'],
    ['ben.hartley@brightlane-logistics.com', '1015', 'former_email'],
    ['mailto:zoe.oneil@fastmail.com', '1021', 'email'],
  ])('%s finds %s by %s', async (query, id, matchedBy) => {
    const r = await lookupJson(query);
    expect(r.code, r.stderr).toBe(0);
    expect(ids(r.body.matches)).toEqual([id]);
    expect(r.body.matches[0].matched_by).toBe(matchedBy);
    expect(r.body.query).toBe(query);
    expect(r.body.suggestions).toEqual([]);
  });

  it("the parent's address returns the parent only; the +alias children are family, not matches", async () => {
    const r = await lookupJson('jane.doe@gmail.com');
    expect(ids(r.body.matches)).toEqual(['1001']);
    expect(ids(r.body.family).sort()).toEqual(['1002', '1003']);
  });

  it("a child's +alias address returns the child, with the parent and sibling as family", async () => {
    const r = await lookupJson('jane.doe+sam@gmail.com');
    expect(ids(r.body.matches)).toEqual(['1002']);
    expect(ids(r.body.family).sort()).toEqual(['1001', '1003']);
  });

  it("Yahoo '-' keywords are separate mailboxes: rosa.delgado has no family", async () => {
    const r = await lookupJson('rosa.delgado@yahoo.com');
    expect(ids(r.body.matches)).toEqual(['1004']);
    expect(r.body.family).toEqual([]);
  });

  it('a match through a former address lists the family of the current address', async () => {
    // 1015's former address is on a company domain; its family (none) is read at benjamin.hartley@gmail.com.
    const r = await lookupJson('ben.hartley@brightlane-logistics.com');
    expect(r.body.matches[0].mailbox).toBe('benjaminhartley@gmail.com');
    expect(r.body.family).toEqual([]);
  });

  it('prints the JSON shape of the reference, and nothing else on stdout', async () => {
    const r = await lookup('--json', 'priya.raman@hotmail.com');
    const body = JSON.parse(r.stdout);
    expect(Object.keys(body)).toEqual(expect.arrayContaining(['query', 'matches', 'family', 'suggestions']));
    const m = body.matches[0];
    for (const key of ['id', 'email', 'role', 'status', 'verified', 'matched_by', 'suppression']) expect(m).toHaveProperty(key);
    expect(m).toMatchObject({ id: '1008', role: 'client', status: 'active', verified: true, matched_by: 'email' });
    expect(m.suppression).toEqual({ reason: 'unsubscribe', since: '2026-09-14' });
    const family = (await lookupJson('jane.doe@gmail.com')).body.family;
    for (const f of family) expect(Object.keys(f)).toEqual(expect.arrayContaining(['id', 'email']));
  });

  it('shows the suppression reason and date (bounce row written in another case)', async () => {
    const r = await lookup('grace.whitaker@aol.com');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}SUPPRESSED \(bounce\) since 2026-07-02: no email reaches this address$/m);
    expect(r.stdout).toMatch(/^Next: Only if they confirm this address works, lift the bounce/m);
    expect((await lookupJson('tyler.brooks@yahoo.com')).body.matches[0].suppression).toEqual({ reason: 'complaint', since: '2026-10-30' });
    expect((await lookupJson('jane.doe@gmail.com')).body.matches[0].suppression).toBeNull();
  });

  it('an unverified account says so', async () => {
    expect((await lookupJson('noah.kim@icloud.com')).body.matches[0].verified).toBe(false);
    expect((await lookup('noah.kim@icloud.com')).stdout).toMatch(/^ {2}NOT VERIFIED: a reset sends the verification email first$/m);
  });

  it("a provider: contract status and caseload counts by where clients came from, no notes", async () => {
    const p202 = (await lookupJson('rafael.castellanos@proton.me')).body.matches[0];
    expect(p202.contract).toEqual({ status: 'terminated', ends_at: null });
    expect(p202.caseload).toEqual({ search: 3, provider: 3 });
    const p201 = (await lookupJson('m.okafor@brightpathcounseling.com')).body.matches[0];
    expect(p201.contract.status).toBe('active');
    expect(p201.caseload).toEqual({ search: 4, provider: 4 });
    expect(JSON.stringify(p202)).not.toMatch(/passwd|SOAP|note/i);
  });

  it("a client: their providers with the source, and a deactivated client's retention date", async () => {
    const fatima = (await lookupJson('fatima.alsayed@gmail.com')).body.matches[0];
    expect(fatima.providers.map((p: any) => [p.id, p.source]).sort()).toEqual([['p201', 'provider'], ['p205', 'search']]);
    const gordon = (await lookupJson('gordon.pike@aol.com')).body.matches[0];
    expect(gordon.retention).toMatchObject({ retain_until: '2025-03-24', recorded: false, rule: expect.stringContaining('last service 2018-03-24') });
    expect((await lookupJson('jane.doe@gmail.com')).body.matches[0].retention).toBeUndefined();
  });

  it("shows what cx recorded: a deactivation's retention date, a termination's effective date", async () => {
    const mirror = demoMirror();
    expect((await cxIn(['deactivate', 'hannah.schafer@gmail.com', '--ticket', 'T-L1', '--yes'], { db: mirror })).code).toBe(0);
    expect((await cxIn(['offboard', 'm.okafor@brightpathcounseling.com', '--effective', '2026-11-26', '--ticket', 'T-L2', '--yes'], { db: mirror })).code).toBe(0);
    const hannah = (await cxIn(['lookup', '--json', 'hannah.schafer@gmail.com'], { db: mirror })).json().matches[0];
    expect(hannah).toMatchObject({ status: 'deactivated', retention: { retain_until: '2031-02-28', recorded: true } });
    const okafor = (await cxIn(['lookup', '--json', 'm.okafor@brightpathcounseling.com'], { db: mirror })).json().matches[0];
    expect(okafor.contract).toEqual({ status: 'terminated', ends_at: '2026-11-26' });
    const card = (await cxIn(['lookup', 'm.okafor@brightpathcounseling.com'], { db: mirror })).stdout;
    expect(card).toMatch(/^ {2}contract +terminated, effective 2026-11-26$/m);
    expect(card).toMatch(/^ {2}TERMINATED: the provider's contract has ended, effective 2026-11-26/m);
    expect((await cxIn(['lookup', 'hannah.schafer@gmail.com'], { db: mirror })).stdout).toMatch(/^ {2}DEACTIVATED: the account is closed and cannot sign in; records kept until 2031-02-28$/m);
  });

  it('never shows a date of birth, a state or note content for an address lookup', async () => {
    const r = await lookup('--json', 'jane.doe+sam@gmail.com');
    expect(r.stdout).not.toContain('2012-03-09');
    expect(r.json().matches[0]).not.toHaveProperty('dob');
    expect(r.json().matches[0]).not.toHaveProperty('state');
  });

  it('flags a disposable domain and still finds the account', async () => {
    const r = await lookupJson('quinn.harper@mailinator.com');
    expect(r.code).toBe(0);
    expect(r.body.disposable).toBe(true);
    expect(r.body.matches[0]).toMatchObject({ id: '1018', disposable: true });
    const human = await lookup('quinn.harper@mailinator.com');
    expect(human.stderr).toMatch(/disposable/);
    expect((await lookupJson('jane.doe@gmail.com')).body.matches[0].disposable).toBe(false);
  });

  it('writes nothing to the mirror', async () => {
    const before = snapshot(db);
    await lookup('jane.doe@gmail.com');
    await lookup('nobody.here@example.com');
    expect(snapshot(db)).toEqual(before);
  });
});

describe('cx lookup <email>: not found, suggestions, invalid', () => {
  it('exit 3 with a domain-typo suggestion, never applied', async () => {
    const r = await lookupJson('jane.doe@gmial.com');
    expect(r.code).toBe(3);
    expect(r.body.matches).toEqual([]);
    expect(r.body.family).toEqual([]);
    expect(r.body.suggestions[0]).toBe('jane.doe@gmail.com');
    const human = await lookup('jane.doe@gmial.com');
    expect(human.code).toBe(3);
    expect(human.stdout).toBe('');
    expect(human.stderr).toMatch(/^cx: no account uses jane\.doe@gmial\.com/);
    // Each suggestion is a ready command, saying whether an account uses it; a typo is not called disposable.
    expect(human.stderr).toMatch(/^ {2}cx lookup jane\.doe@gmail\.com +# account 1001 uses this address$/m);
    expect(human.stderr).not.toMatch(/disposable/);
    expect(r.body.disposable).toBe(false);
    expect(r.body.suggested).toEqual([{ email: 'jane.doe@gmail.com', account_id: '1001' }]);
    const nobody = await lookup('jane.nobody@hotmial.com');
    expect(nobody.stderr).toMatch(/^ {2}cx lookup jane\.nobody@hotmail\.com +# no account uses this address either/m);
    expect(nobody.stderr).not.toMatch(/disposable/);
  });

  it.each([
    ['priya.ramen@hotmail.com', 'priya.raman@hotmail.com'], // one edit, late in the name
    ['pirya.raman@hotmail.com', 'priya.raman@hotmail.com'], // a swap (two edits), early in the name
    ['benjamin.hartly@gmail.com', 'benjamin.hartley@gmail.com'],
    ['kai.nakamuro1@gmail.com', 'kai.nakamura@gmail.com'], // two edits
  ])('%s suggests the existing account %s', async (typed, existing) => {
    const r = await lookupJson(typed);
    expect(r.code).toBe(3);
    expect(r.body.suggestions).toContain(existing);
  });

  it('suggests nothing three edits away, and nothing on an unrelated address', async () => {
    expect((await lookupJson('priya.rxxxx@hotmail.com')).body.suggestions).toEqual([]);
    const r = await lookupJson('nobody.here@example.com');
    expect(r.code).toBe(3);
    expect(r.body.suggestions).toEqual([]);
  });

  it('an invalid address: exit 2 with the reason, JSON outcome invalid', async () => {
    const r = await lookup('jane.doe@gmail..com');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/not a usable address: .*dot/);
    const j = await lookup('--json', 'not-an-address');
    expect(j.code).toBe(2);
    expect(j.json()).toMatchObject({ outcome: 'invalid', detail: expect.stringMatching(/no @/i) });
  });

  it('needs an address or --name, not both, and --dob only with --name', async () => {
    expect((await lookup()).code).toBe(2);
    expect((await lookup('jane.doe@gmail.com', '--name', 'Jane Doe')).code).toBe(2);
    const dob = await lookup('jane.doe@gmail.com', '--dob', '1984-06-12');
    expect(dob.code).toBe(2);
    expect(dob.stderr).toMatch(/--dob/);
  });
});

describe('cx lookup --name', () => {
  it.each([
    ['Zoe Oneil', '1021'],
    ['ZOË O’NEIL', '1021'],
    ['Oneil Zoe', '1021'], // reversed
    ['Nunez Jose', '1020'],
    ["marco d'angelo", '1022'],
    ['Dangelo, Marco', '1022'],
    ['Siobhan McCarthy', '1036'],
    ['Fatima Al Sayed', '1034'], // a space where the record has a hyphen
  ])('%s finds %s', async (name, id) => {
    const r = await lookupJson('--name', name);
    expect(r.code, r.stderr).toBe(0);
    expect(ids(r.body.matches)).toEqual([id]);
    expect(r.body.matches[0].matched_by).toBe('name');
    expect(r.body.matches[0]).not.toHaveProperty('dob');
  });

  it('lists several matches without a terminal (no prompt), and --dob narrows them', async () => {
    const both = await lookupJson('--name', 'maria garcia');
    expect(both.code).toBe(0);
    expect(ids(both.body.matches).sort()).toEqual(['1016', '1017']);
    const human = await lookup('--name', 'Maria Garcia');
    // Piped: the table alone on stdout, tab-separated with a header row; the title on stderr.
    expect(human.stderr).toMatch(/2 accounts match/);
    const rows = human.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
    expect(rows[0]).toEqual(['id', 'name', 'email', 'role', 'status', 'suppressed']);
    expect(rows.slice(1).map((r) => r[2]).sort()).toEqual(['maria.garcia84@gmail.com', 'mgarcia.pa@comcast.net']);
    const one = await lookupJson('--name', 'María García', '--dob', '1991-07-30');
    expect(ids(one.body.matches)).toEqual(['1017']);
    expect(one.body.matches[0].dob).toBe('1991-07-30'); // the date the agent typed, echoed
    expect(ids((await lookupJson('--name', 'maria garcia', '--dob', '1984-02-11')).body.matches)).toEqual(['1016']);
  });

  it('exit 3 when no one has that name (or that date of birth); exit 2 for one word or a bad date', async () => {
    expect((await lookup('--name', 'No Body')).code).toBe(3);
    expect((await lookup('--name', 'Maria Garcia', '--dob', '2000-01-01')).code).toBe(3);
    expect((await lookup('--name', 'Jane')).code).toBe(2);
    const bad = await lookup('--name', 'Maria Garcia', '--dob', '1991-02-30');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a date/);
  });

  it('lists the family of a match found by name', async () => {
    const r = await lookupJson('--name', 'Sam Doe');
    expect(ids(r.body.matches)).toEqual(['1002']);
    expect(ids(r.body.family).sort()).toEqual(['1001', '1003']);
  });
});
