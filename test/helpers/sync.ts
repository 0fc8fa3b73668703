// Platform sync in tests: a recognisable secret (grep every output and file for it), the environment a push
// needs, and the check that the platform, the mirror's change states and the audit log tell one story.
import { readFileSync, existsSync } from 'node:fs';
import { expect } from 'vitest';
import { startStandIn, type StandIn, type StandInOptions } from '../support/platform-stand-in.js';
import { cxAsync, query, type CxResult } from './cx.js';
import { cxIn } from './in-process.js';
import { openDb } from './sqlite.js';

/** The key's bytes spell a canary: it must never show up in an output, an error, the audit log or a file. */
export const CANARY = 'SECRET-CANARY-0123456789abcdef';
export const CANARY_B64 = Buffer.from(CANARY).toString('base64');
export const SECRET = `whsec_${CANARY_B64}`;

export function standIn(options: Omit<StandInOptions, 'secret'> = {}): Promise<StandIn> {
  return startStandIn({ secret: SECRET, ...options });
}

export function syncEnv(platform: StandIn | string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { CX_PLATFORM_URL: typeof platform === 'string' ? platform : platform.url, CX_PLATFORM_SECRET: SECRET, ...extra };
}

/** Every output of every cx run in a test file, for the leak check at its end. */
export const outputs: string[] = [];

/** `cx sync push --json`, in this process (the stand-in answers from this process too). */
export async function push(db: string, platform: StandIn | string, extra: Record<string, string | undefined> = {}, args: string[] = []): Promise<CxResult> {
  const r = await cxIn(['sync', 'push', '--json', ...args], { db, env: syncEnv(platform, extra) });
  outputs.push(r.stdout, r.stderr);
  return r;
}

/** The same as a process of its own: for pushes that race each other. */
export async function pushProcess(db: string, platform: StandIn | string, extra: Record<string, string | undefined> = {}, args: string[] = []): Promise<CxResult> {
  const r = await cxAsync(['sync', 'push', '--json', ...args], { db, env: syncEnv(platform, extra) });
  outputs.push(r.stdout, r.stderr);
  return r;
}

export interface ChangeState {
  id: number;
  key: string;
  kind: string;
  account_id: string | null;
  state: string;
  attempts: number;
  receipt: string | null;
  last_error: string | null;
  next_attempt_at: string | null;
  lease_owner: string | null;
}

/** Change the mirror behind cx's back (to move a change's clock, or to tamper). */
export function write(db: string, text: string, ...params: unknown[]): void {
  const conn = openDb(db);
  try {
    conn.prepare(text).run(...params);
  } finally {
    conn.close();
  }
}

export function changes(db: string): ChangeState[] {
  return query<ChangeState>(db, 'SELECT id, key, kind, account_id, state, attempts, receipt, last_error, next_attempt_at, lease_owner FROM changes ORDER BY id');
}

/**
 * What the platform applied, the mirror's change states and the audit log agree: a delivered change was
 * applied (with the receipt the platform gave) and has exactly one `sync.delivered` row; a failed one has a
 * `sync.failed` row as its latest word; no lease is left behind; the platform saw no broken request; the
 * platform's copy of the audit log is the mirror's, row for row, up to the anchor.
 */
export function expectAgreement(db: string, platform: StandIn, opts: { shared?: boolean } = {}): void {
  expect(platform.violations).toEqual([]);
  const rows = changes(db);
  const audit = query<{ id: number; action: string; detail: string; outcome: string }>(db, `SELECT id, action, detail, outcome FROM audit_log WHERE action LIKE 'sync.%' ORDER BY id`);
  const rowsAbout = (key: string) => audit.filter((a) => a.detail.includes(key));
  for (const c of rows) {
    expect(c.lease_owner, c.key).toBeNull();
    const about = rowsAbout(c.key);
    if (c.state === 'delivered') {
      const applied = platform.applied.get(c.key);
      expect(applied, `${c.key} delivered but not applied`).toBeDefined();
      if (!opts.shared) expect(c.receipt).toBe(applied!.receipt);
      expect(about.filter((a) => a.action === 'sync.delivered'), c.key).toHaveLength(1);
    } else if (c.state === 'failed') {
      expect(about.at(-1)?.action, c.key).toBe('sync.failed');
      expect(c.last_error).toBeTruthy();
    } else {
      expect(about.filter((a) => a.action === 'sync.delivered'), c.key).toHaveLength(0);
    }
  }
  if (!opts.shared) {
    const keys = new Set(rows.map((c) => c.key));
    for (const key of platform.applied.keys()) expect(keys.has(key), `${key} applied but not in the mirror`).toBe(true);
  }
  const mirror = query<{ value: string }>(db, `SELECT value FROM mirror_meta WHERE key = 'mirror_id'`)[0]!.value;
  const anchor = query<{ anchored_id: number; anchored_hash: string }>(db, 'SELECT anchored_id, anchored_hash FROM audit_anchor')[0];
  if (anchor) {
    const local = query(db, 'SELECT * FROM audit_log WHERE id <= ? ORDER BY id', anchor.anchored_id);
    const held = (platform.audit.get(mirror) ?? []).filter((r) => r.id <= anchor.anchored_id);
    expect(held).toEqual(local);
    expect(local.at(-1)).toMatchObject({ id: anchor.anchored_id, hash: anchor.anchored_hash });
  }
}

/** The secret (in any form) and every signature the platform received appear in no output and no file. */
export function expectNoLeak(signatures: string[], texts: string[], files: string[]): void {
  const needles = [SECRET, CANARY_B64, CANARY, ...new Set(signatures.flatMap((s) => s.split(' ').map((v) => v.replace(/^v1,/, ''))))].filter(Boolean);
  expect(needles.length).toBeGreaterThan(3);
  const haystacks = [
    ...texts.map((t, i) => ({ name: `output ${i}`, text: t })),
    ...files.flatMap((f) => [f, `${f}-wal`].filter(existsSync).map((p) => ({ name: p, text: readFileSync(p).toString('latin1') }))),
  ];
  for (const h of haystacks) for (const n of needles) expect(h.text.includes(n), `${n.slice(0, 12)}… in ${h.name}`).toBe(false);
}
