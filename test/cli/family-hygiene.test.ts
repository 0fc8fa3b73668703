// Family hygiene on generated families: the generator's --misnamed-children sets some children's accounts up
// under the parent's name, date of birth or both (scripts/tools/generate-world.ts). What cx should flag is
// read from the generated rows themselves, plainly: each client at a +alias address against the account at
// the same address without its tag. The variants run in-process (test/helpers/in-process.ts) on copies of
// one generated mirror; the process run of each command is in test/cli/contract.test.ts.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyMirror, query, snapshot, tempDir } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';
import { generatedMirror } from '../helpers/world.js';

type Issue = 'holder_name_and_dob' | 'holder_name' | 'holder_dob';
interface Expected {
  account_id: string;
  email: string;
  issue: Issue;
  holder_id: string;
}
interface Row {
  id: string;
  email: string;
  role: string;
  first_name: string;
  last_name: string;
  dob: string | null;
}

let world: string;
let expected: Expected[];
let rows: Row[];

beforeAll(() => {
  world = generatedMirror(4000, { seed: 'families', misnamedChildren: 0.5 });
  rows = query<Row>(world, 'SELECT id, email, role, first_name, last_name, dob FROM accounts');
  expected = expectedFlags(rows);
});

/** The oracle: a generated child is `parent+tag@domain`; it is flagged when it repeats the parent's name or date. */
function expectedFlags(all: Row[]): Expected[] {
  const byEmail = new Map(all.map((r) => [r.email.toLowerCase(), r]));
  const out: Expected[] = [];
  for (const child of all) {
    if (child.role !== 'client' || !child.email.includes('+')) continue;
    const parent = byEmail.get(child.email.toLowerCase().replace(/\+[^@]*@/, '@'));
    if (!parent) continue;
    const sameName = child.first_name === parent.first_name && child.last_name === parent.last_name;
    const sameDob = child.dob !== null && child.dob === parent.dob;
    const issue: Issue | null = sameName ? (sameDob ? 'holder_name_and_dob' : 'holder_name') : sameDob ? 'holder_dob' : null;
    if (issue) out.push({ account_id: child.id, email: child.email, issue, holder_id: parent.id });
  }
  return out.sort((a, b) => a.account_id.localeCompare(b.account_id));
}

const byId = (a: { account_id: string }, b: { account_id: string }) => a.account_id.localeCompare(b.account_id);
const picked = (f: Expected & Record<string, unknown>) => ({ account_id: f.account_id, email: f.email, issue: f.issue, holder_id: f.holder_id });
/** Every date of birth in the mirror: none may reach the agent's screen. */
const DATE = /\b\d{4}-\d{2}-\d{2}\b/;

describe('the generated world', () => {
  it('has families of every kind to flag, and clean ones', () => {
    const kinds = new Set(expected.map((e) => e.issue));
    expect([...kinds].sort()).toEqual(['holder_dob', 'holder_name', 'holder_name_and_dob']);
    const children = rows.filter((r) => r.role === 'client' && r.email.includes('+'));
    expect(children.length).toBeGreaterThan(expected.length); // some children carry their own name and date
  });
});

describe('cx family --audit', () => {
  it('--json lists exactly the accounts that repeat their holder\'s name or date of birth, with what to ask', async () => {
    const db = copyMirror(world);
    const r = await cxIn(['family', '--audit', '--json'], { db });
    expect(r.code, r.stderr).toBe(0);
    const body = r.json();
    expect(body.flags.map(picked).sort(byId)).toEqual(expected);
    expect(body.flagged_mailboxes).toBe(new Set(body.flags.map((f: { mailbox: string }) => f.mailbox)).size);
    expect(body.shared_mailboxes).toBeGreaterThan(body.flagged_mailboxes);
    for (const f of body.flags) {
      expect(Object.keys(f)).toEqual(['mailbox', 'account_id', 'email', 'name', 'issue', 'holder_id', 'holder_email', 'holder_name', 'ask']);
      expect(f.ask).toContain(f.email);
      expect(f.ask).not.toMatch(DATE);
    }
    // The read is audited: every account whose data was shown, flagged and holder.
    const [read] = query(db, "SELECT ticket, account_id, detail FROM audit_log WHERE action = 'family.audit'");
    const shown = new Set(expected.flatMap((e) => [e.account_id, e.holder_id]));
    expect(read.detail).toContain(`showed ${shown.size} accounts: `);
    for (const id of shown) expect(read.detail).toContain(id);
  });

  it('for people: a table of the rows, what to do next, never a date of birth; --limit cuts it and says so', async () => {
    const db = copyMirror(world);
    const r = await cxIn(['family', '--audit', '--ticket', 'H-1'], { db });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe("mailbox\taccount\temail\tname\trepeats holder's\tholder");
    expect(lines.slice(1).map((l) => l.split('\t')[1]).sort()).toEqual(expected.map((e) => e.account_id));
    expect(r.stderr).toMatch(new RegExp(`^${expected.length} accounts repeat the holder's name or date of birth, in \\d+ of \\d+ mailboxes shared by more than one account\\.$`, 'm'));
    expect(r.stderr).toMatch(/^ {2}cx family \S+@\S+ --ticket H-1$/m);
    expect(r.stderr).toMatch(/^ {2}cx family --audit --out family-audit\.csv --ticket H-1$/m);
    expect(r.stdout + r.stderr).not.toMatch(DATE);

    const cut = await cxIn(['family', '--audit', '--limit', '3'], { db });
    expect(cut.stdout.trimEnd().split('\n')).toHaveLength(4);
    expect(cut.stderr).toContain(`Showing 3 of ${expected.length} accounts (by mailbox)`);
    const reads = query(db, "SELECT ticket, detail FROM audit_log WHERE action = 'family.audit' ORDER BY id");
    expect(reads.map((x) => x.ticket)).toEqual(['H-1', null]);
    expect(reads[1].detail).toMatch(/showed [3-6] accounts: /); // three rows and their holders
  });

  it('--out writes every row as CSV, 0600, handed over with its audit rows; an existing file needs --force; a dry run writes nothing', async () => {
    const db = copyMirror(world);
    const dir = tempDir();
    const out = join(dir, 'family-audit.csv');
    const r = await cxIn(['family', '--audit', '--out', out, '--ticket', 'H-2'], { db });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`Written to ${out} (${expected.length} accounts; mode 0600`);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const csv = parse(readFileSync(out), { columns: true }) as Array<Expected & Record<string, string>>;
    expect(csv.map(picked).sort(byId)).toEqual(expected);
    expect(Object.keys(csv[0]!)).toEqual(['mailbox', 'account_id', 'email', 'name', 'issue', 'holder_id', 'holder_email', 'holder_name', 'ask']);
    const handed = query(db, "SELECT action, ticket, outcome FROM audit_log WHERE action LIKE 'family.audit%' ORDER BY id");
    expect(handed.map((h) => `${h.action} ${h.ticket} ${h.outcome}`)).toEqual([
      'family.audit H-2 read',
      'family.audit_csv.started H-2 started',
      'family.audit_csv H-2 done',
    ]);
    // Both rows keep every account the CSV lists, flagged and holder (issue 20 §2); the started row names the
    // temporary file it was written to first (§3).
    const listed = [...new Set(csv.flatMap((row) => [row.account_id, row.holder_id]))].sort();
    const csvRows = query(db, "SELECT id, detail FROM audit_log WHERE action LIKE 'family.audit_csv%' ORDER BY id");
    for (const row of csvRows) {
      expect(query(db, 'SELECT account_id FROM audit_accounts WHERE audit_id = ?', row.id).map((x) => x.account_id).sort()).toEqual(listed);
      expect(row.detail).toMatch(new RegExp(` \\[account ids: ${listed.length}, sha256 [0-9a-f]{64}\\]$`));
    }
    expect(csvRows[0].detail).toMatch(/, written first as \.cx-tmp-[0-9a-f]+ \[account ids/);
    const someone = query(db, 'SELECT email FROM accounts WHERE id = ?', csv[csv.length - 1]!.account_id)[0].email as string;
    const found = await cxIn(['audit', '--email', someone, '--json'], { db });
    expect(found.json().map((x: { action: string }) => x.action)).toEqual(expect.arrayContaining(['family.audit_csv.started', 'family.audit_csv']));

    writeFileSync(out, 'kept\n');
    const again = await cxIn(['family', '--audit', '--out', out], { db });
    expect(again.code).toBe(2);
    expect(readFileSync(out, 'utf8')).toBe('kept\n');
    expect(again.stderr).toMatch(/^ {2}cx family --audit --out \S+ --force$/m);

    const dry = join(dir, 'dry.csv');
    const planned = await cxIn(['family', '--audit', '--out', dry, '--dry-run'], { db });
    expect(planned.code).toBe(0);
    expect(planned.stderr).toContain(`Dry run: ${dry} not written.`);
    expect(() => statSync(dry)).toThrow();
  });

  it('an address with --audit, --out without it, or neither: exit 2, nothing read', async () => {
    const db = copyMirror(world);
    const before = snapshot(db);
    for (const args of [['family', 'jane.doe@gmail.com', '--audit'], ['family', 'jane.doe@gmail.com', '--out', 'x.csv'], ['family'], ['family', '--audit', '--suggest', 'Max']]) {
      const r = await cxIn(args, { db });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^cx: /);
    }
    expect(snapshot(db)).toEqual(before);
  });
});

describe('cx family <email> on a generated family', () => {
  it('flags the accounts of the mailbox that repeat the holder, says what to ask the family, and shows no date of birth', async () => {
    const db = copyMirror(world);
    for (const issue of ['holder_name_and_dob', 'holder_name', 'holder_dob'] as const) {
      const one = expected.find((e) => e.issue === issue)!;
      const holder = rows.find((r) => r.id === one.holder_id)!;
      const mine = expected.filter((e) => e.holder_id === one.holder_id);
      const json = (await cxIn(['family', holder.email, '--json'], { db })).json();
      expect(json.flags.map(picked).sort(byId)).toEqual(mine);
      const human = await cxIn(['family', one.email], { db }); // a child's address finds the same mailbox
      expect(human.code).toBe(0);
      const asked = human.stderr.split('\n').filter((l) => l.startsWith('Ask the family: '));
      expect(asked).toHaveLength(mine.length);
      expect(asked.some((l) => l.startsWith(`Ask the family: ${one.email} `))).toBe(true);
      expect(human.stderr).toMatch(/^Next: Note their answer on the ticket/m);
      expect(human.stdout + human.stderr).not.toMatch(DATE);
    }
  });

  it('a family whose accounts carry their own names and dates: nothing to ask', async () => {
    const flagged = new Set(expected.map((e) => e.holder_id));
    const clean = rows.find((r) => r.role === 'client' && r.email.includes('+') && !flagged.has(rows.find((p) => p.email.toLowerCase() === r.email.toLowerCase().replace(/\+[^@]*@/, '@'))?.id ?? ''))!;
    const r = await cxIn(['family', clean.email, '--json'], { db: copyMirror(world) });
    expect(r.json().accounts.length).toBeGreaterThan(1);
    expect(r.json().flags).toEqual([]);
    expect((await cxIn(['family', clean.email], { db: copyMirror(world) })).stderr).not.toContain('Ask the family');
  });
});
