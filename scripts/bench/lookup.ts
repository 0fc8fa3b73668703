// Bench section "lookup": `cx lookup` on the 1,000,000-account mirror against `node -e 0`, a bare Node script
// running one prepared select, and the sqlite3 command-line tool running the same query, all in the same run;
// then each lookup query inside the process (median µs). Aim: cx lookup within 1.5x of `node -e 0`, every
// query under 1 ms. The mirror comes from the generator; without it the section says how to make it.
import { existsSync } from 'node:fs';
import { caseloadCounts, lookupAddress, lookupName } from '../../src/actions/lookup.js';
import { suggestAddresses } from '../../src/actions/lookup-suggest.js';
import { baseMailboxKey, mailboxKey } from '../../src/rules/address.js';
import {
  accountsByBaseKey, accountsByEmailKey, accountsByFormerEmailKey, accountsByMailboxKey, accountsByName, suppressionFor,
} from '../../src/store/accounts.js';
import { openMirror, type Db } from '../../src/store/db.js';
import { providersOfClient } from '../../src/store/lookup-details.js';
import { processTimes } from './lookup-process.js';
import { median } from './measure.js';
import { benchKeys } from '../paths.js';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const NOW = new Date('2026-11-27T12:00:00Z');

export interface Row {
  id: string;
  email_key: string;
  role: string;
  first_key: string;
  last_key: string;
  dob: string | null;
}

export async function benchLookup(): Promise<void> {
  const path = process.env.BENCH_BIG_DB ?? '/tmp/big.db';
  console.log('\n## lookup (1,000,000-account mirror)');
  if (!existsSync(path)) {
    console.log(`skipped: no mirror at ${path}. Make it with \`npm run gen -- --accounts 1000000 --out ${path}\``);
    console.log('(or point BENCH_BIG_DB at another generated mirror).');
    return;
  }
  const db = openMirror(path, { keys: benchKeys(), readonly: true });
  try {
    const s = samples(db);
    const accounts = (db.prepare('SELECT count(*) AS n FROM accounts').get() as { n: number }).n;
    console.log(`${path}: ${accounts.toLocaleString('en-US')} accounts; ${s.current.length} sample addresses`);
    processTimes(path, s);
    queryTimes(db, s);
  } finally {
    db.close();
  }
}

export interface Samples {
  current: Row[];
  former: string[];
  dotted: string[];
  tagged: string[];
  providers: string[];
  /** One letter changed at a random place in the local part: not found, suggestions through the indexes. */
  nearMiss: string[];
  /** Two letters changed. */
  nearMiss2: string[];
}

/** Accounts at random rowids, and the shapes each lookup step needs, drawn from the mirror itself. */
function samples(db: Db): Samples {
  const max = (db.prepare('SELECT max(rowid) AS m FROM accounts').get() as { m: number }).m;
  const at = db.prepare('SELECT id, email_key, role, first_key, last_key, dob FROM accounts WHERE rowid >= ? LIMIT 1');
  let seed = 42;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const current: Row[] = [];
  for (let i = 0; i < SAMPLES * 3 && current.length < SAMPLES; i++) {
    const row = at.get(1 + Math.floor(random() * max)) as Row | undefined;
    if (row) current.push(row);
  }
  const typo = (key: string): string => {
    const at = key.lastIndexOf('@');
    const local = [...key.slice(0, at)];
    const p = Math.floor(random() * local.length);
    local[p] = local[p] === 'q' ? 'x' : 'q';
    return `${local.join('')}${key.slice(at)}`;
  };
  const gmail = current.filter((r) => r.email_key.endsWith('@gmail.com'));
  const former = (db.prepare(`SELECT email_key FROM former_emails WHERE rowid % 97 = 0 LIMIT ${SAMPLES}`).all() as Array<{ email_key: string }>).map((r) => r.email_key);
  return {
    current,
    former,
    // The same Gmail mailbox written without its dots, or with googlemail.com.
    dotted: gmail.map((r) => r.email_key.replace(/\.(?=[^@]*@)/g, '').replace('@gmail.com', '@googlemail.com')),
    // A +tag no account uses, on the mailbox of an existing account.
    tagged: gmail.map((r) => r.email_key.replace(/(\+[^@]*)?@/, '+benchtag@')),
    providers: current.filter((r) => r.role === 'provider').map((r) => r.id),
    nearMiss: current.map((r) => typo(r.email_key)),
    nearMiss2: current.map((r) => typo(typo(r.email_key))),
  };
}

/** Median and 90th percentile of one function over the samples, in microseconds. */
function perCall<T>(label: string, inputs: T[], run: (input: T) => unknown): void {
  if (!inputs.length) {
    console.log(`${label.padEnd(44)} (no samples in this mirror)`);
    return;
  }
  for (const input of inputs.slice(0, 20)) run(input); // warm the statement cache and pages
  const times: number[] = [];
  for (let round = 0; round < 3; round++) {
    for (const input of inputs) {
      const start = process.hrtime.bigint();
      run(input);
      times.push(Number(process.hrtime.bigint() - start) / 1e3);
    }
  }
  times.sort((a, b) => a - b);
  const p90 = times[Math.floor(times.length * 0.9)]!;
  console.log(`${label.padEnd(44)} ${`${median(times).toFixed(0)} µs`.padStart(10)} ${`${p90.toFixed(0)} µs`.padStart(10)} ${String(times.length).padStart(7)}`);
}

function queryTimes(db: Db, s: Samples): void {
  const deps = { db, now: NOW };
  console.log('\n## lookup: each query inside the process');
  console.log(`${'query'.padEnd(44)} ${'median'.padStart(10)} ${'p90'.padStart(10)} ${'calls'.padStart(7)}`);
  perCall('current address (email_key)', s.current, (r) => accountsByEmailKey(db, r.email_key));
  perCall('former address (former_emails)', s.former, (a) => accountsByFormerEmailKey(db, a));
  perCall('same mailbox (mailbox_key)', s.dotted, (a) => accountsByMailboxKey(db, mailboxKey(a)));
  perCall('base mailbox, +tag dropped (mailbox_key)', s.tagged, (a) => accountsByMailboxKey(db, baseMailboxKey(a)));
  perCall('family (base_key)', s.current, (r) => accountsByBaseKey(db, baseMailboxKey(r.email_key)));
  perCall('name (last_key, first_key)', s.current, (r) => accountsByName(db, r.first_key, r.last_key, null));
  perCall('name + dob', s.current, (r) => accountsByName(db, r.first_key, r.last_key, r.dob));
  perCall('suppression', s.current, (r) => suppressionFor(db, r.email_key));
  perCall('suggestions (bounded index ranges + distance)', s.nearMiss, (a) => suggestAddresses(db, a));
  perCall("provider's caseload by source", s.providers, (id) => caseloadCounts(db, id));
  perCall("client's providers", s.current.filter((r) => r.role === 'client'), (r) => providersOfClient(db, r.id));
  perCall('whole lookupAddress (found)', s.current, (r) => lookupAddress(deps, r.email_key));
  perCall('whole lookupAddress (not found)', s.nearMiss, (a) => lookupAddress(deps, a));
  perCall('whole lookupName', s.current, (r) => lookupName(deps, `${r.first_key} ${r.last_key}`, null));
  console.log('(medians and 90th percentiles over the sample addresses, 3 rounds, after a warm-up)');
  for (const [label, typed] of [['one-letter', s.nearMiss], ['two-letter', s.nearMiss2]] as const) {
    const cases = s.current.map((r, i) => ({ real: r.email_key, typed: typed[i]! }));
    const fair = cases.filter((c) => c.typed !== c.real && !accountsByEmailKey(db, c.typed).length);
    const hits = fair.filter((c) => suggestAddresses(db, c.typed).includes(c.real)).length;
    console.log(`suggestions: the real address was suggested for ${hits} of ${fair.length} ${label} typos`);
  }
}
