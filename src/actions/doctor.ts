// What `cx db doctor` concludes: a list of named checks (docs/reference.md#cx-db-doctor), each ok or not with
// a detail that never shows account data. Each check runs on its own: one that throws (a damaged page, a
// missing table) fails with the error, and the others still run. The sample reads are not audited.
import { statSync } from 'node:fs';
import { describeChain } from '../rules/audit-chain.js';
import { loadPolicy } from '../rules/policy-file.js';
import { accountsByBaseKey, accountsByMailboxKey, accountsByName, ACCOUNT_SQL, NAME_MATCH_LIMIT } from '../store/accounts.js';
import { verifyAudit } from '../store/audit.js';
import { CIPHER, CIPHER_NAME, cipherLibrary } from '../store/cipher.js';
import { mirrorCipher, type Db } from '../store/db.js';
import { auditTriggers, lastImportInAudit, lookupSample, readHealth, type Health } from '../store/health.js';
import { DETAIL_SQL } from '../store/lookup-details.js';
import { SUGGEST_SQL } from '../store/lookup-suggest.js';
import { lastImportAt } from '../store/mirror-meta.js';
import { tableScans } from '../store/query-plan.js';
import { SCHEMA_VERSION } from '../store/schema.js';
import type { PlatformRecord } from '../sync/witness.js';
import { checkAgainstPlatform, NOT_CONFIGURED } from './audit-witness.js';
import { findByAddress } from './find-account.js';
import { suggestAddresses } from './lookup-suggest.js';
import { plural, thousands } from '../rules/plural.js';

export const CHECK_NAMES = [
  'opens', 'integrity', 'foreign_keys', 'schema', 'audit_triggers', 'audit_chain', 'policy', 'freshness', 'accounts', 'lookup_paths', 'audit_remote', 'encryption',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export interface Check {
  name: CheckName;
  ok: boolean;
  detail: string;
}

/** What the doctor was asked beyond the fixed checks. */
export interface DoctorAsk {
  /** The last import may be at most this many hours old. */
  maxAgeHours?: number;
  /** The mirror must hold at least this many accounts. */
  minAccounts?: number;
  /** The retention policy in effect (undefined: the built-in defaults). */
  policyPath?: string;
  /** A plaintext mirror passes the `encryption` check (synthetic data). */
  allowPlaintext?: boolean;
  /** The run's clock, read once the mirror is open (an encrypted mirror's is the system's: src/clock.ts). */
  now: () => Date;
  /**
   * The platform's record of the audit log (audit_remote): null when no platform is configured, undefined
   * when a configured one was not asked (the mirror did not open).
   */
  platform?: PlatformRecord | null;
}

export interface DoctorReport extends Partial<Health> {
  ok: boolean;
  checks: Check[];
  /** The failed checks, as "name: detail" lines. */
  problems: string[];
  /** Not failures, but worth fixing (e.g. a mirror others can read). */
  warnings: string[];
  audit?: ReturnType<typeof verifyAudit>;
  /** The mirror's cipher ('chacha20'), null for a plaintext mirror; absent when it did not open. */
  cipher?: string | null;
}

export const NOT_ASKED = 'not asked';
const NOT_OPENED = 'not checked: the mirror did not open';

type Run = () => { ok: boolean; detail: string };

function run(name: CheckName, check: Run): Check {
  try {
    return { name, ...check() };
  } catch (err) {
    return { name, ok: false, detail: err instanceof Error ? err.message : String(err) };
  }
}

export function examineMirror(db: Db, path: string, ask: DoctorAsk): DoctorReport {
  let health: Health | undefined;
  let audit: ReturnType<typeof verifyAudit> | undefined;
  const checks: Check[] = [
    run('opens', () => {
      const mode = String(db.pragma('journal_mode', { simple: true }));
      return { ok: mode === 'wal', detail: mode === 'wal' ? 'a cx mirror, journal mode wal' : `journal mode is ${mode}, expected wal` };
    }),
    run('integrity', () => {
      health = readHealth(db);
      const ok = health.integrity.join() === 'ok';
      return { ok, detail: ok ? 'integrity_check: ok' : `integrity_check: ${health.integrity.slice(0, 5).join('; ')}` };
    }),
    run('foreign_keys', () => {
      if (!health) throw new Error('not checked: the integrity check could not run');
      const v = health.foreign_key_violations;
      const first = v.slice(0, 5).map((x) => `${x.table} row ${x.rowid} points at a missing ${x.parent}`).join('; ');
      return { ok: v.length === 0, detail: v.length === 0 ? 'foreign_key_check: ok' : `${v.length} foreign key violation(s): ${first}` };
    }),
    run('schema', () => schemaCheck(health?.schema_version ?? Number(db.pragma('user_version', { simple: true })))),
    run('audit_triggers', () => triggersCheck(db)),
    run('audit_chain', () => {
      audit = verifyAudit(db);
      return { ok: audit.ok, detail: describeChain(audit) };
    }),
    run('policy', () => policyCheck(ask.policyPath)),
    ask.maxAgeHours === undefined ? { name: 'freshness', ok: true, detail: NOT_ASKED } : run('freshness', () => freshnessCheck(db, ask.maxAgeHours!, ask.now())),
    ask.minAccounts === undefined ? { name: 'accounts', ok: true, detail: NOT_ASKED } : run('accounts', () => accountsCheck(db, ask.minAccounts!)),
    run('lookup_paths', () => lookupPathsCheck(db)),
    run('audit_remote', () => remoteCheck(db, ask.platform)),
    run('encryption', () => encryptionCheck(db, Boolean(ask.allowPlaintext))),
  ];
  const warnings: string[] = [];
  const mode = fileMode(path);
  if (mode !== null && (mode & 0o077) !== 0) {
    warnings.push(`the mirror is readable by others (mode ${mode.toString(8)}); it holds patient data: chmod 600 ${path}`);
  }
  const cipher = mirrorCipher(db);
  return { ...summary(checks), warnings, ...health, audit, cipher: cipher.encrypted ? CIPHER : null };
}

/** The report for a file that did not open as a mirror: that check fails, those that need it are not run. */
export function unopenedReport(why: string, ask: DoctorAsk): DoctorReport {
  const checks = CHECK_NAMES.map((name): Check => {
    if (name === 'opens') return { name, ok: false, detail: why };
    if (name === 'policy') return run(name, () => policyCheck(ask.policyPath));
    if ((name === 'freshness' && ask.maxAgeHours === undefined) || (name === 'accounts' && ask.minAccounts === undefined)) {
      return { name, ok: true, detail: NOT_ASKED };
    }
    if (name === 'audit_remote' && ask.platform === null) return { name, ok: true, detail: NOT_CONFIGURED };
    return { name, ok: false, detail: NOT_OPENED };
  });
  return { ...summary(checks), warnings: [] };
}

function summary(checks: Check[]): { ok: boolean; checks: Check[]; problems: string[] } {
  const failed = checks.filter((c) => !c.ok);
  return { ok: failed.length === 0, checks, problems: failed.map((c) => `${c.name}: ${c.detail}`) };
}

function schemaCheck(version: number): { ok: boolean; detail: string } {
  if (version === SCHEMA_VERSION) return { ok: true, detail: `version ${version}, current` };
  if (version < SCHEMA_VERSION) return { ok: false, detail: `version ${version}, expected ${SCHEMA_VERSION}: upgrade it with cx db init` };
  return { ok: false, detail: `version ${version}, newer than this cx knows (${SCHEMA_VERSION}): update cx` };
}

/** The platform's record of the audit log matches this mirror's (as `cx audit --verify`); "not configured" without one. */
function remoteCheck(db: Db, platform: PlatformRecord | null | undefined): { ok: boolean; detail: string } {
  if (platform === undefined) return { ok: false, detail: 'not checked: the platform was not asked' };
  const { ok, detail } = checkAgainstPlatform(db, platform);
  return { ok, detail };
}

/** The log is append-only only while a trigger refuses each UPDATE and each DELETE, on each of its tables. */
function triggersCheck(db: Db): { ok: boolean; detail: string } {
  const tables = auditTriggers(db);
  const refuses = (triggers: Array<{ sql: string }>, event: string) =>
    triggers.some((t) => new RegExp(`\\bBEFORE\\s+${event}\\b`, 'i').test(t.sql) && /RAISE\s*\(\s*ABORT/i.test(t.sql));
  const missing = tables.flatMap(({ table, triggers }) => ['UPDATE', 'DELETE'].filter((e) => !refuses(triggers, e)).map((e) => `${e} on ${table}`));
  if (missing.length === 0) return { ok: true, detail: `UPDATE and DELETE refused (${tables.flatMap((t) => t.triggers.map((x) => x.name)).join(', ')})` };
  return { ok: false, detail: `no trigger refuses ${missing.join(' or ')}: the log can be edited; cx db init does not restore them, report it` };
}

/** Encrypted, or plaintext on purpose (synthetic data: --allow-plaintext). Says the cipher, never the key. */
function encryptionCheck(db: Db, allowPlaintext: boolean): { ok: boolean; detail: string } {
  const cipher = mirrorCipher(db);
  if (cipher.encrypted) return { ok: true, detail: `${CIPHER_NAME} (${cipherLibrary(db)}), mirror id ${cipher.id}, key from ${cipher.key.from}` };
  const plain = 'plaintext: anyone with a copy of the file can read it';
  return allowPlaintext ? { ok: true, detail: `${plain} (allowed by --allow-plaintext)` } : { ok: false, detail: `${plain}; encrypt it with cx db encrypt` };
}

function policyCheck(path: string | undefined): { ok: boolean; detail: string } {
  const policy = loadPolicy(path);
  const numbers = `${policy.adultYears} adult years, majority at ${policy.majorityAge}, ${policy.minorYears} minor years`;
  const states = Object.keys(policy.states).length;
  return { ok: true, detail: path === undefined ? `built-in defaults (${numbers})` : `${path}: ${numbers}, ${states} state override(s)` };
}

function freshnessCheck(db: Db, maxAgeHours: number, now: Date): { ok: boolean; detail: string } {
  const at = lastImportAt(db) ?? lastImportInAudit(db);
  if (at === null) return { ok: false, detail: `no import recorded (at most ${maxAgeHours} hours old asked)` };
  const hours = (now.getTime() - Date.parse(at)) / 3_600_000;
  return { ok: hours <= maxAgeHours, detail: `last import ${at}, ${hours.toFixed(1)} hours ago (at most ${maxAgeHours})` };
}

function accountsCheck(db: Db, min: number): { ok: boolean; detail: string } {
  const n = db.prepare<unknown[], { n: number }>('SELECT count(*) AS n FROM accounts').get()!.n;
  return { ok: n >= min, detail: `${plural(n, 'account')} (at least ${thousands(min)})` };
}

const LOOKUP_SQL: Record<string, string> = { ...ACCOUNT_SQL, ...DETAIL_SQL, ...SUGGEST_SQL };

/**
 * Each lookup path finds a sample account through its own index: the current address, a former one, the
 * mailbox, the base mailbox (family), the name; suggestions answer. And no lookup statement scans a table
 * (a dropped index makes a lookup read every row of a large mirror).
 */
function lookupPathsCheck(db: Db): { ok: boolean; detail: string } {
  const scanning = Object.entries(LOOKUP_SQL).filter(([, text]) => tableScans(db, text).length > 0).map(([name]) => name);
  const failed: string[] = scanning.map((name) => `${name} scans a table (an index is missing)`);
  const { account, former } = lookupSample(db);
  const paths: string[] = [];
  const expect = (path: string, found: boolean) => {
    paths.push(path);
    if (!found) failed.push(`${path}: the sample account was not found`);
  };
  if (account) {
    const byEmail = findByAddress(db, account.email);
    expect('email', byEmail.kind === 'found' && byEmail.accounts.some((a) => a.id === account.id));
    expect('mailbox', accountsByMailboxKey(db, account.mailbox_key).some((a) => a.id === account.id));
    expect('base_mailbox', accountsByBaseKey(db, account.base_key).some((a) => a.id === account.id));
    if (account.first_key && account.last_key) {
      const named = accountsByName(db, account.first_key, account.last_key, account.dob);
      expect('name', named.length > NAME_MATCH_LIMIT || named.some((a) => a.id === account.id));
    }
    suggestAddresses(db, account.email_key);
    paths.push('suggestions');
  }
  if (former) {
    const byFormer = findByAddress(db, former.email);
    expect('former_email', byFormer.kind === 'found' && byFormer.accounts.some((a) => a.id === former.account_id));
  }
  if (failed.length) return { ok: false, detail: failed.join('; ') };
  const sampled = account ? `${paths.join(', ')} answered on a sample` : 'no account to sample';
  return { ok: true, detail: `${sampled}; ${Object.keys(LOOKUP_SQL).length} lookup statements search their indexes` };
}

function fileMode(path: string): number | null {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return null;
  }
}
