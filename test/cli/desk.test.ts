// The guided desk through a real terminal (a tmux pane, keys sent as an agent types them): a reset for an
// unsubscribed client offered the re-subscribe, a ticket kept across two changes, the mirror and audit log
// afterwards as the single commands leave them; a name search with a pick, a typo's suggestion, back with Esc
// and Ctrl-C inside a step, Ctrl-C at the menu leaving with exit 0; Ctrl-C while a step waits for another
// writer's lock, back to the menu. Without a terminal: help or exit 2.
import { openDb } from '../helpers/sqlite.js';
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { demoMirror, query, readRows, REPO, snapshot } from '../helpers/cx.js';
import { auditChainHolds, cxIn } from '../helpers/in-process.js';
import { hasTmux, Pane } from '../helpers/tmux.js';

const MENU = /\? What does the person need\?/;
const WHO = /\? Who is it\?/;

let pane: Pane | undefined;
afterEach(() => {
  pane?.close();
  pane = undefined;
});

describe.skipIf(!hasTmux)(`the desk in a terminal${hasTmux ? '' : ': skipped, no tmux'}`, () => {
  it('cx alone: a reset for an unsubscribed client offers the re-subscribe; the ticket is kept for the next change; the mirror ends as the commands leave it', async () => {
    const db = demoMirror();
    const p = (pane = new Pane(db, []));
    await p.waitFor(/\? Ticket id/);
    p.type('T-DESK-1');
    p.keys('Enter');

    await p.waitFor(MENU);
    p.keys('Down', 'Enter'); // Password reset
    await p.waitFor(WHO);
    p.type('priya.raman@hotmail.com');
    p.keys('Enter');
    // The card, the reset's refusal with what to tell the person, then the fix it names, as a question.
    await p.waitFor(/Priya Raman · client 1008\n +SUPPRESSED \(unsubscribe\)/);
    await p.waitFor(/^cx: priya\.raman@hotmail\.com unsubscribed/m);
    await p.waitFor(/\? Take priya\.raman@hotmail\.com off the unsubscribe list and queue this email\?/);
    p.keys('y', 'Enter');
    await p.waitFor(/^done: took priya\.raman@hotmail\.com off the suppression list/m);
    await p.waitFor(/^Tell the person, once it is sent: a password reset email is on its way to priya\.raman@hotmail\.com/m);

    await p.waitFor(MENU);
    p.keys('Down', 'Down', 'Down', 'Enter'); // Close a client's account
    // A new person: the ticket is confirmed for them, never carried over silently (Enter: yes, the same).
    await p.waitFor(/\? Same ticket T-DESK-1 for this person\?/);
    p.keys('Enter');
    await p.waitFor(WHO);
    p.type('hannah.schafer@gmail.com');
    p.keys('Enter');
    await p.waitFor(/\? The request came from which address\?/);
    p.keys('Enter');
    await p.waitFor(/\? Deactivate 1030 <hannah\.schafer@gmail\.com> and keep the records until 2031-02-28\?/);
    p.keys('y', 'Enter');
    await p.waitFor(/^Tell the person, once it is sent: their account is closed/m);

    await p.waitFor(MENU);
    p.keys('C-c');
    await p.waitFor(/Left the desk\./);
    expect(await p.exitCode()).toBe(0);

    // Both changes carry the one ticket, asked once.
    const changes = query(db, 'SELECT kind, account_id, ticket FROM changes ORDER BY id');
    expect(changes.map((c) => `${c.kind} ${c.account_id} ${c.ticket}`)).toEqual([
      'lift_suppression 1008 T-DESK-1',
      'email 1008 T-DESK-1',
      'deactivate_client 1030 T-DESK-1',
      'email 1030 T-DESK-1',
    ]);
    const audited = query(db, "SELECT action, account_id, ticket FROM audit_log WHERE outcome = 'done' AND ticket IS NOT NULL ORDER BY id");
    expect(audited.map((a) => `${a.action} ${a.account_id} ${a.ticket}`)).toEqual(['resubscribe 1008 T-DESK-1', 'reset 1008 T-DESK-1', 'deactivate 1030 T-DESK-1']);
    // The cards shown were audited as lookup's reads are, under the ticket.
    expect(readRows(db).filter((r) => r.action === 'lookup').map((r) => [r.account_id, r.ticket])).toEqual([
      ['1008', 'T-DESK-1'],
      ['1030', 'T-DESK-1'],
    ]);
    expect(await auditChainHolds(db)).toBe(true);

    // The same work as single commands on another copy of the demo mirror leaves the same data and log.
    const other = demoMirror();
    const ticket = ['--ticket', 'T-DESK-1', '--yes'];
    expect((await cxIn(['reset', 'priya.raman@hotmail.com', ...ticket], { db: other })).code).toBe(4);
    expect((await cxIn(['reset', 'priya.raman@hotmail.com', '--resubscribe', ...ticket], { db: other })).code).toBe(0);
    expect((await cxIn(['deactivate', 'hannah.schafer@gmail.com', ...ticket], { db: other })).code).toBe(0);
    expect(snapshot(db)).toEqual(snapshot(other));
  });

  it('cx desk: a name search with a pick, back with Esc and Ctrl-C, a typo offered its suggestion; nothing changed', async () => {
    const db = demoMirror();
    const before = snapshot(db);
    const p = (pane = new Pane(db, ['desk', '--ticket', 'T-DESK-2']));

    await p.waitFor(MENU);
    p.keys('Enter'); // Find an account
    await p.waitFor(WHO);
    p.keys('C-c'); // Ctrl-C inside a step: back, not out
    await p.waitFor(/Back to the menu\./);

    await p.waitFor(MENU);
    p.keys('Enter');
    await p.waitFor(WHO);
    p.type('maria garcia');
    p.keys('Enter');
    await p.waitFor(/\? Date of birth/);
    p.keys('Enter');
    await p.waitFor(/2 accounts match:/);
    await p.waitFor(/\? Which account\?/);
    p.keys('Down', 'Enter');
    await p.waitFor(/^María García · client 1016$/m);
    await p.waitFor(/\? What now\?/);
    p.keys('Escape');
    await p.waitFor(/Back to the menu\./);

    await p.waitFor(MENU);
    p.keys('Enter');
    await p.waitFor(/\? Same ticket T-DESK-2 for this person\?/);
    p.keys('Enter');
    await p.waitFor(WHO);
    p.type('jane.doe@gmial.com');
    p.keys('Enter');
    await p.waitFor(/^cx: no account uses jane\.doe@gmial\.com/m);
    await p.waitFor(/\? Did you mean one of these\?/);
    p.keys('Enter');
    await p.waitFor(/^Jane Doe · client 1001$/m);
    // Picked from the suggestions: the person gave another address, so the card says to check who they are.
    await p.waitFor(/found by +its current address, picked from the suggestions for jane\.doe@gmial\.com/);
    await p.waitFor(/^Next: No account uses jane\.doe@gmial\.com; jane\.doe@gmail\.com is the suggestion you picked — confirm who they are before you tell them which address/m);
    await p.waitFor(/^Tell the person: no account uses jane\.doe@gmial\.com\. Check the spelling with them/m);
    await p.waitFor(/\? What now\?/);
    p.keys('Up', 'Enter'); // the last entry: nothing more
    await p.waitFor(/— next person —/);

    // A +alias address the account does not use: the card shows the mailbox's owner, but the reset is given
    // what the person typed, as `cx reset` would be, and refuses it (another family member's account).
    await p.waitFor(MENU);
    p.keys('Down', 'Enter'); // Password reset
    await p.waitFor(/\? Same ticket T-DESK-2 for this person\?/);
    p.keys('Enter');
    await p.waitFor(WHO);
    p.type('jane.doe+max@gmail.com');
    p.keys('Enter');
    await p.waitFor(/^cx: jane\.doe@gmail\.com \(account 1001\) is the account at this mailbox, but no account uses jane\.doe\+max@gmail\.com itself/m);

    await p.waitFor(MENU);
    p.keys('C-c');
    expect(await p.exitCode()).toBe(0);

    expect(snapshot(db)).toEqual(before);
    const reads = readRows(db).filter((r) => r.action === 'lookup');
    expect(reads.every((r) => r.ticket === 'T-DESK-2')).toBe(true);
    expect(reads.map((r) => r.detail)).toEqual([
      expect.stringMatching(/^by name: showed 2 accounts: 1017, 1016 \[account ids: 2, sha256 [0-9a-f]{64}\]$/),
      'by address, 1 suggested addresses: showed 1 account: 1001',
      expect.stringMatching(/^by address: showed 3 accounts: 1001, /),
      expect.stringMatching(/^by address: showed \d accounts?: 1001\b/),
    ]);
  });
});

describe.skipIf(!hasTmux)(`who is asking${hasTmux ? '' : ': skipped, no tmux'}`, () => {
  it('an account found by name or id changes only once the date of birth or the address matches it; the date is never shown; a new person confirms the ticket', async () => {
    const db = demoMirror();
    const p = (pane = new Pane(db, ['desk', '--ticket', 'T-DESK-4']));

    await p.waitFor(MENU);
    p.keys('Down', 'Down', 'Down', 'Enter'); // Close a client's account
    await p.waitFor(WHO);
    p.type('maria garcia');
    p.keys('Enter');
    await p.waitFor(/\? Date of birth/);
    p.keys('Enter'); // the name alone: two people
    await p.waitFor(/\? Which account\?/);
    p.keys('Enter'); // 1017 Maria Garcia
    await p.waitFor(/^Maria Garcia · client 1017$/m);
    await p.waitFor(/^Found by name: before anything changes, check that the account is theirs/m);
    await p.waitFor(/\? Their date of birth, as they say it/);
    p.type('1984-02-11'); // the other Maria's
    p.keys('Enter');
    await p.waitFor(/^cx: the date of birth they gave does not match account 1017/m);
    // cx says match or no match; the account's own date never reaches the screen.
    expect(p.screen()).not.toContain('1991-07-30');
    await p.waitFor(/\? Their date of birth, as they say it/);
    p.keys('Enter'); // check the address they wrote from instead
    await p.waitFor(/\? The request came from which address\?/);
    p.type('mgarcia.pa@comcast.net');
    p.keys('Enter');
    await p.waitFor(/^The address matches account 1017\./m);
    await p.waitFor(/\? Deactivate 1017 <mgarcia\.pa@comcast\.net>/);
    p.keys('y', 'Enter');
    await p.waitFor(/^done: deactivated 1017 Maria Garcia/m);

    // The next caller: a new ticket for them. Found by id, then the date of birth they give matches.
    await p.waitFor(MENU);
    p.keys('Down', 'Enter'); // Password reset
    await p.waitFor(/\? Same ticket T-DESK-4 for this person\?/);
    p.type('n');
    p.keys('Enter');
    await p.waitFor(/\? Ticket id/);
    p.type('T-DESK-5');
    p.keys('Enter');
    await p.waitFor(WHO);
    p.type('1016');
    p.keys('Enter');
    await p.waitFor(/^María García · client 1016$/m);
    await p.waitFor(/^Found by account id: before anything changes, check that the account is theirs/m);
    await p.waitFor(/\? Their date of birth, as they say it/);
    p.type('1984-02-11');
    p.keys('Enter');
    await p.waitFor(/^The date of birth matches account 1016\./m);
    await p.waitFor(/\? Queue this email\?/);
    p.keys('y', 'Enter');
    await p.waitFor(/^done: queued the client password-reset email to maria\.garcia84@gmail\.com/m);

    // Three answers that do not match: nothing changes, back to the menu.
    await p.waitFor(MENU);
    p.keys('Down', 'Down', 'Down', 'Enter'); // Close a client's account
    await p.waitFor(/\? Same ticket T-DESK-5 for this person\?/);
    p.keys('Enter');
    await p.waitFor(WHO);
    p.type('Zoe Oneil');
    p.keys('Enter');
    await p.waitFor(/\? Date of birth/);
    p.keys('Enter');
    await p.waitFor(/^Zoë O’Neil · client 1021$/m);
    for (const dob of ['1988-10-18', '1988-01-19']) {
      await p.waitFor(/\? Their date of birth, as they say it/);
      p.type(dob);
      p.keys('Enter');
      await p.waitFor(/^cx: the date of birth they gave does not match account 1021/m);
    }
    await p.waitFor(/\? Their date of birth, as they say it/);
    p.keys('Enter');
    await p.waitFor(/\? The request came from which address\?/);
    p.type('zoe.oneil@gmail.com');
    p.keys('Enter');
    await p.waitFor(/^cx: 3 answers did not match account 1021: nothing was changed/m);
    await p.waitFor(/^Tell the person: we could not confirm that the account is theirs/m);

    await p.waitFor(MENU);
    p.keys('C-c');
    expect(await p.exitCode()).toBe(0);

    const changes = query(db, 'SELECT kind, account_id, ticket FROM changes ORDER BY id');
    expect(changes.map((c) => `${c.kind} ${c.account_id} ${c.ticket}`)).toEqual([
      'deactivate_client 1017 T-DESK-4',
      'email 1017 T-DESK-4',
      'email 1016 T-DESK-5',
    ]);
    // Each check is in the audit log under the ticket, saying match or no match, never a date.
    const checks = query(db, "SELECT account_id, ticket, outcome, detail FROM audit_log WHERE action = 'identity.check' ORDER BY id");
    expect(checks.map((r) => [r.account_id, r.ticket, r.detail])).toEqual([
      ['1017', 'T-DESK-4', 'date of birth given at the desk: no match'],
      ['1017', 'T-DESK-4', 'address the request came from (mgarcia.pa@comcast.net): match'],
      ['1016', 'T-DESK-5', 'date of birth given at the desk: match'],
      ['1021', 'T-DESK-5', 'date of birth given at the desk: no match'],
      ['1021', 'T-DESK-5', 'date of birth given at the desk: no match'],
      ['1021', 'T-DESK-5', 'address the request came from (zoe.oneil@gmail.com): no match'],
    ]);
    expect(checks.map((r) => r.outcome)).toEqual(['no_match', 'match', 'match', 'no_match', 'no_match', 'no_match']);
    expect(query(db, 'SELECT detail FROM audit_log').map((r) => r.detail).join('\n')).not.toMatch(/19\d\d-\d\d-\d\d/);
  });
});

describe.skipIf(!hasTmux)(`an address pasted with a name${hasTmux ? '' : ': skipped, no tmux'}`, () => {
  it('finds the account and the reset acts on the address lookup read out of it, not on the pasted text', async () => {
    const db = demoMirror();
    const p = (pane = new Pane(db, ['desk', '--ticket', 'T-DESK-P']));
    await p.waitFor(MENU);
    p.keys('Down', 'Enter'); // Password reset
    await p.waitFor(WHO);
    p.type('Aaliyah Johnson <aaliyah.johnson@gmail.com>');
    p.keys('Enter');
    await p.waitFor(/^Aaliyah Johnson · client 1032$/m);
    await p.waitFor(/\? Queue this email\?/);
    p.keys('y', 'Enter');
    await p.waitFor(/^done: queued the client password-reset email to aaliyah\.johnson@gmail\.com/m);
    await p.waitFor(MENU);
    expect(p.screen()).not.toMatch(/not a usable address/);
    p.keys('C-c');
    expect(await p.exitCode()).toBe(0);
    expect(query(db, 'SELECT kind, account_id, ticket FROM changes ORDER BY id').map((c) => `${c.kind} ${c.account_id} ${c.ticket}`)).toEqual(['email 1032 T-DESK-P']);
  });
});

describe.skipIf(!hasTmux)(`offboarding at the desk${hasTmux ? '' : ': skipped, no tmux'}`, () => {
  it('pages the caseload, then offers the notes export and the caseload CSV, both into the safe exports folder', async () => {
    const db = demoMirror();
    const folder = join(dirname(db), 'exports');
    // A pager that marks what it shows: the caseload went through it.
    const p = (pane = new Pane(db, ['desk', '--ticket', 'T-DESK-6'], { CX_PAGER: "sed 's/^/paged| /'" }));
    await p.waitFor(MENU);
    p.keys('Down', 'Down', 'Down', 'Down', 'Enter'); // A provider is leaving
    await p.waitFor(WHO);
    p.type('m.okafor@brightpathcounseling.com');
    p.keys('Enter');
    await p.waitFor(/\? Effective date/);
    p.keys('Enter');
    await p.waitFor(/\? Terminate the contract of p201/);
    p.keys('y', 'Enter');
    await p.waitFor(/^paged\| done: terminated the contract of p201/m);
    await p.waitFor(/^paged\| 1030 +Hannah Schäfer/m);
    await p.waitFor(/\? Export the notes now\?/);
    p.keys('y', 'Enter');
    await p.waitFor(/\? Save the zip as \(Enter: .*notes-p201-T-DESK-6-20261127\.zip/);
    p.keys('Enter');
    await p.waitFor(/\? Export 16 progress notes of p201/);
    p.keys('y', 'Enter');
    await p.waitFor(/^done: exported 16 progress notes/m);
    await p.waitFor(/\? Save the caseload \(8 clients\) as CSV\?/);
    p.keys('y', 'Enter');
    await p.waitFor(/\? Save it as \(Enter: .*caseload-p201-T-DESK-6-20261127\.csv/);
    p.keys('Enter');
    await p.waitFor(/^Caseload written to .*caseload-p201-T-DESK-6-20261127\.csv \(8 clients/m);
    await p.waitFor(MENU);
    p.keys('C-c');
    expect(await p.exitCode()).toBe(0);

    expect(statSync(join(folder, 'notes-p201-T-DESK-6-20261127.zip')).mode & 0o777).toBe(0o600);
    const csv = join(folder, 'caseload-p201-T-DESK-6-20261127.csv');
    expect(statSync(csv).mode & 0o777).toBe(0o600);
    expect(readFileSync(csv, 'utf8').trimEnd().split('\n')).toHaveLength(9);
    const done = query(db, "SELECT action, ticket FROM audit_log WHERE outcome = 'done' AND ticket IS NOT NULL ORDER BY id");
    expect(done.map((r) => `${r.action} ${r.ticket}`)).toEqual(['offboard T-DESK-6', 'notes.export T-DESK-6', 'offboard.caseload_csv T-DESK-6']);
  });
});

describe.skipIf(!hasTmux)(`no notes to export${hasTmux ? '' : ': skipped, no tmux'}`, () => {
  it('offboarding a provider with no notes asks nothing about notes; the notes of a client are refused before any file name is asked', async () => {
    const db = demoMirror();
    const p = (pane = new Pane(db, ['desk', '--ticket', 'T-DESK-N']));
    await p.waitFor(MENU);
    p.keys('Down', 'Down', 'Down', 'Down', 'Enter'); // A provider is leaving
    await p.waitFor(WHO);
    p.type('t.nguyen@harborlighttherapy.com');
    p.keys('Enter');
    await p.waitFor(/\? Effective date/);
    p.keys('Enter');
    await p.waitFor(/\? Terminate the contract of p203/);
    p.keys('y', 'Enter');
    await p.waitFor(/^done: terminated the contract of p203/m);
    await p.waitFor(MENU);
    expect(p.screen()).not.toMatch(/Export the notes now|progress notes \(0\)|Save the zip as/);

    p.keys('Down', 'Down', 'Down', 'Down', 'Down', 'Enter'); // A provider's progress notes
    await p.waitFor(/\? Same ticket T-DESK-N for this person\?/);
    p.keys('Enter');
    await p.waitFor(WHO);
    p.type('aaliyah.johnson@gmail.com');
    p.keys('Enter');
    await p.waitFor(/^cx: .*is a client, not a provider/m);
    await p.waitFor(MENU);
    expect(p.screen()).not.toMatch(/Save the zip as/);
    p.keys('C-c');
    expect(await p.exitCode()).toBe(0);
    expect(existsSync(join(dirname(db), 'exports'))).toBe(false);
  });
});

describe.skipIf(!hasTmux)(`the desk's notes export${hasTmux ? '' : ': skipped, no tmux'}`, () => {
  it('writes the zip into a folder beside the mirror that only the agent can read, never the current folder, and says where', async () => {
    const db = demoMirror();
    const folder = join(dirname(db), 'exports');
    const zip = join(folder, 'notes-p202-T-DESK-3-20261127.zip');
    const p = (pane = new Pane(db, ['desk', '--ticket', 'T-DESK-3']));
    await p.waitFor(MENU);
    p.keys('Down', 'Down', 'Down', 'Down', 'Down', 'Enter'); // A provider's progress notes
    await p.waitFor(WHO);
    p.type('rafael.castellanos@proton.me');
    p.keys('Enter');
    const escaped = zip.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    await p.waitFor(new RegExp(`\\? Save the zip as \\(Enter: ${escaped}, in a folder only you can read\\)`));
    p.keys('Enter');
    await p.waitFor(/\? Export 47 progress notes of p202/);
    p.keys('y', 'Enter');
    await p.waitFor(/^done: exported 47 progress notes/m);
    await p.waitFor(MENU);
    p.keys('C-c');
    expect(await p.exitCode()).toBe(0);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(statSync(zip).mode & 0o777).toBe(0o600);
    expect(readdirSync(REPO).filter((n) => n.endsWith('.zip'))).toEqual([]);
  });
});

describe.skipIf(!hasTmux)(`the desk waiting for another writer${hasTmux ? '' : ': skipped, no tmux'}`, () => {
  it('Ctrl-C while a step waits for the write lock goes back to the menu at once, nothing written; a wait that ends goes on', async () => {
    const db = demoMirror();
    // Another process holds the write lock (this test's own connection, as a long batch chunk would).
    const holder = openDb(db);
    holder.pragma('journal_mode = WAL');
    holder.exec('BEGIN IMMEDIATE');
    const before = snapshot(db);
    try {
      const p = (pane = new Pane(db, ['desk', '--ticket', 'T-DESK-3'], { CX_LOCK_WAIT_MS: '60000' }));
      await p.waitFor(MENU);
      p.keys('Enter'); // Find an account
      await p.waitFor(WHO);
      p.type('jane.doe@gmail.com');
      p.keys('Enter');
      // The card is shown only once its read is in the audit log: the step waits for the lock.
      await p.waitFor(/Waiting for another cx to finish writing to the mirror/);
      p.keys('C-c');
      // At once: the menu is back while the other writer still holds the lock, within waitFor's 20 s, not the
      // 60 s the wait would last.
      await p.waitFor(/Back to the menu: cancelled while waiting for another cx to finish writing; nothing changed\./);
      await p.waitFor(MENU);
      expect(holder.inTransaction).toBe(true);
      expect(p.screen()).not.toMatch(/Jane Doe · client 1001/);
      expect(snapshot(db)).toEqual(before);

      // Again, and this time the other writer finishes during the wait: the card, and the desk goes on.
      p.keys('Enter');
      await p.waitFor(WHO);
      p.type('jane.doe@gmail.com');
      p.keys('Enter');
      await p.waitFor(/Waiting for another cx to finish writing to the mirror/);
      holder.exec('COMMIT');
      await p.waitFor(/^Jane Doe · client 1001$/m);
      await p.waitFor(/\? What now\?/);
      p.keys('Up', 'Enter');
      await p.waitFor(MENU);
      p.keys('C-c');
      await p.waitFor(/Left the desk\./);
      expect(await p.exitCode()).toBe(0);
    } finally {
      if (holder.inTransaction) holder.exec('ROLLBACK');
      holder.close();
    }
    // One read in the audit log: the card shown once the lock was free; the cancelled step showed nothing.
    expect(readRows(db).filter((r) => r.action === 'lookup').map((r) => [r.ticket, r.detail])).toEqual([['T-DESK-3', expect.stringMatching(/^by address: showed \d+ accounts?: 1001/)]]);
  });
});

describe('without a terminal', () => {
  it('cx alone prints the help on stdout and exits 0; cx desk is exit 2 and says why', async () => {
    const alone = await cxIn([]);
    expect(alone.code).toBe(0);
    expect(alone.stdout).toContain('Usage: cx [options] [command]');
    expect(alone.stdout).toMatch(/^ {2}desk {2,}the guided desk/m);
    expect(alone.stderr).toBe('');
    const desk = await cxIn(['desk']);
    expect(desk.code).toBe(2);
    expect(desk.stdout).toBe('');
    expect(desk.stderr).toMatch(/^cx: the guided desk needs a terminal/);
  });
});
