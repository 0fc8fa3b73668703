// No lookup path may scan a table: the real mirror has millions of accounts. This runs every lookup path
// in-process on the demo mirror, records each SQL statement it prepares (its own and those it borrows from
// other stores), and asks SQLite's EXPLAIN QUERY PLAN about every one of them and every exported one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { familyReport } from '../../src/actions/family.js';
import { lookupAddress, lookupName } from '../../src/actions/lookup.js';
import { completeRetention } from '../../src/actions/lookup-retention.js';
import { DEFAULT_POLICY } from '../../src/rules/policy.js';
import { ACCOUNT_SQL } from '../../src/store/accounts.js';
import { openMirror, type Db } from '../../src/store/db.js';
import { DETAIL_SQL } from '../../src/store/lookup-details.js';
import { SUGGEST_SQL } from '../../src/store/lookup-suggest.js';
import { SHARED_MAILBOX_SQL } from '../../src/store/shared-mailboxes.js';
import { tableScans } from '../../src/store/query-plan.js';
import { demoMirror } from '../helpers/cx.js';
import { TEST_KEYS } from '../helpers/sqlite.js';

const EXPORTED: Record<string, string> = { ...ACCOUNT_SQL, ...DETAIL_SQL, ...SUGGEST_SQL };
const nameOf = new Map(Object.entries(EXPORTED).map(([name, text]) => [text, name]));

let db: Db;
const prepared = new Set<string>();

beforeAll(() => {
  db = openMirror(demoMirror(), { keys: TEST_KEYS });
  const prepare = db.prepare.bind(db);
  db.prepare = ((text: string) => {
    if (!/^\s*PRAGMA/i.test(text)) prepared.add(text);
    return prepare(text);
  }) as Db['prepare'];
  runEveryLookupPath(db);
  delete (db as Partial<Db>).prepare; // back to the prototype's: the EXPLAINs below are not recorded
});

afterAll(() => db?.close());

function runEveryLookupPath(conn: Db): void {
  const deps = { db: conn, now: new Date('2026-11-27T12:00:00Z') };
  for (const address of [
    'jane.doe@gmail.com', // current (+ family, suppression, providers)
    'rcastellanos@lakeshorecounseling.com', // former (+ provider caseload)
    'janedoe@googlemail.com', // mailbox
    'jane.doe+max@gmail.com', // base mailbox
    'marcus.reyes@outlook.com', // +tag account found from the untagged address
    'priya.ramen@hotmail.com', // not found: suggestions
    'olivia.marsh@gmail.com', // deactivated: last service
  ]) {
    const outcome = lookupAddress(deps, address);
    if (outcome.kind === 'report') completeRetention(conn, outcome.report, DEFAULT_POLICY, deps.now);
  }
  lookupName(deps, 'Maria Garcia', null);
  lookupName(deps, 'Maria Garcia', '1991-07-30');
  familyReport(conn, 'jane.doe@gmail.com', 'Sam');
}

/** Plan lines that read a whole table (or a whole index) rather than searching it (the doctor asks the same). */
const scans = (text: string): string[] => tableScans(db, text);

describe('EXPLAIN QUERY PLAN for every lookup query', () => {
  it('every lookup path ran: current, former, mailbox, base, family, name, suggestions, suppression, details', () => {
    const ran = new Set([...prepared].map((text) => nameOf.get(text)));
    for (const name of [
      'byEmailKey', 'byFormerEmailKey', 'byMailboxKey', 'byBaseKey', 'byName', 'suppression', 'byPrefix',
      'byReversedPrefix', 'mailboxInUse', 'clientsOfProvider', 'providersOfClient', 'intakesOfPair', 'byId',
    ]) {
      expect(ran.has(name), name).toBe(true);
    }
    // Borrowed from store/caseload.ts: a provider's intakes, a client's last service.
    expect([...prepared].some((t) => /kind = 'intake'/.test(t) && /provider_id = \?/.test(t))).toBe(true);
    expect([...prepared].some((t) => /MAX\(/.test(t) && /client_id = @client/.test(t))).toBe(true);
  });

  it.each(Object.entries(EXPORTED))('%s searches an index, scans no table', (_name, text) => {
    expect(scans(text)).toEqual([]);
  });

  it('the family audit, mirror-wide by nature, reads one index that holds the mailbox alone: no table row to count', () => {
    expect(scans(SHARED_MAILBOX_SQL.accountsInSharedMailboxes)).toEqual(['SCAN accounts USING COVERING INDEX accounts_by_base']);
  });

  it('every statement the lookup paths prepared searches an index', () => {
    expect(prepared.size).toBeGreaterThanOrEqual(15);
    const scanning = [...prepared].map((text) => ({ text, scans: scans(text) })).filter((r) => r.scans.length);
    expect(scanning).toEqual([]);
  });

  it('the check does catch a table scan', () => {
    expect(scans("SELECT * FROM accounts WHERE first_name = 'Jane'")).toEqual(['SCAN accounts']);
    expect(scans("SELECT email_key FROM accounts WHERE email_key LIKE '%jane%'")).toEqual([
      'SCAN accounts USING COVERING INDEX accounts_by_email',
    ]);
  });
});
