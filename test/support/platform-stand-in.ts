// A stand-in for the platform's receiving side (docs/platform-api.md), for the sync tests and bench: a
// real HTTP server on 127.0.0.1 (node:http) that checks every request the way the platform must: the
// Standard Webhooks signature with the reference package's verifier (not cx's code), the Idempotency-Key,
// the body's shape; applies each change key once and answers a repeat with 409; keeps each mirror's audit
// rows, checking the chain, and answers the anchor (to a push, and to `GET /cx/v1/audit/anchor`, the
// platform's own record that `cx audit --verify` compares with). Faults on demand: any status (with
// Retry-After), a body that is not the API's JSON, a dropped connection, a slow answer, an answer dripped a
// byte at a time; optionally after applying (the answer lost, the change applied). Over https with the
// certificate a test gives it (`tls`). Anything a correct client must never do (a bad signature, the same
// key twice in flight at once, a body that breaks the contract) is recorded in `violations`.
//
// In-process: `startStandIn({ secret })`. As a process (the bench):
//   node build/test/support/platform-stand-in.js --secret-file FILE [--port N]
// prints {"url": ...} on stdout; GET /_stand-in/stats and POST /_stand-in/reset control it.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { chainHash, GENESIS_HASH, type AuditRow } from '../../src/rules/audit-chain.js';

export type Fault =
  /**
   * Answer this status (and Retry-After, and JSON body; or `text`, sent as it is with `contentType`, as a web
   * server that is not the platform would); `apply` applies the change first.
   */
  | { status: number; retryAfter?: string; body?: unknown; text?: string; contentType?: string; apply?: boolean }
  /** Close the connection without an answer. */
  | { drop: true; apply?: boolean }
  /** Answer normally, this much later (the change is applied on arrival). */
  | { delayMs: number }
  /** Answer normally, but send the body one byte every `everyMs` (the change is applied on arrival). */
  | { dripEveryMs: number };

export interface Arrival {
  kind: 'change' | 'audit' | 'anchor';
  /** The webhook-id: the change key, `<mirror>:<first>-<last>`, or `<mirror>:anchor:<seconds>`. */
  id: string;
  accountId: string | null;
  /** How many requests with this id arrived, this one included. */
  attempt: number;
  /** When it arrived (ms since the epoch). */
  at: number;
  /** Its webhook-timestamp header. */
  timestamp: string;
  /** When its connection closed or its answer was sent in full (ms since the epoch), once it did. */
  endedAt?: number;
}

export interface AppliedChange {
  key: string;
  kind: string;
  account_id: string | null;
  ticket: string;
  body: Record<string, unknown>;
  receipt: string;
}

export interface StandInOptions {
  secret: string;
  port?: number;
  /** Decide a fault for a request (after its signature is checked). */
  fault?: (arrival: Arrival) => Fault | undefined;
  /** Extra time before each answer, to widen the window in which a second send of a key would overlap. */
  latencyMs?: () => number;
  /** Serve https with this key and certificate (PEM) instead of http. */
  tls?: { key: string; cert: string };
}

export interface StandInStats {
  requests: number;
  applied: number;
  repeats: number;
  faults: number;
  audit_rows: number;
  /** The receiver's clock (ms): the first change request's arrival, the last change answer sent. */
  first_change_ms: number | null;
  last_change_ms: number | null;
  violations: string[];
}

export interface StandIn {
  url: string;
  applied: Map<string, AppliedChange>;
  /** Keys in the order they were first applied. */
  order: string[];
  arrivals: Arrival[];
  /** Every webhook-signature header received (a test greps outputs and files for them). */
  signatures: string[];
  audit: Map<string, AuditRow[]>;
  violations: string[];
  /** Forget a mirror's last rows, as a platform restored from an old backup would (the anchor moves back). */
  forgetAuditAfter(mirror: string, id: number): void;
  stats(): StandInStats;
  setFault(fault: StandInOptions['fault']): void;
  reset(): void;
  close(): Promise<void>;
}

const CHANGE_FIELDS = ['key', 'kind', 'account_id', 'ticket', 'agent', 'created_at', 'data'];
const DATA_FIELDS: Record<string, string[]> = {
  email: ['template', 'to', 'subject'],
  deactivate_client: ['deactivated_at', 'retain_until', 'retention_rule'],
  terminate_provider: ['effective'],
  lift_suppression: ['email', 'reason', 'forced'],
};

export async function startStandIn(options: StandInOptions): Promise<StandIn> {
  const verifier = new Webhook(options.secret);
  let fault = options.fault;
  const state = {
    applied: new Map<string, AppliedChange>(),
    order: [] as string[],
    arrivals: [] as Arrival[],
    signatures: [] as string[],
    audit: new Map<string, AuditRow[]>(),
    auditById: new Map<string, Map<number, AuditRow>>(),
    violations: [] as string[],
    attempts: new Map<string, number>(),
    inflight: new Set<string>(),
    requests: 0,
    repeats: 0,
    faults: 0,
    firstChange: null as number | null,
    lastChange: null as number | null,
  };

  const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, raw: string, arrivedAt: number) => {
    if (req.url === '/_stand-in/stats') return answer(res, 200, stats());
    if (req.url === '/_stand-in/reset') {
      reset();
      return answer(res, 200, { ok: true });
    }
    state.requests += 1;
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const kind = endpoint(req.method, url.pathname);
    if (kind === 'change') {
      state.firstChange ??= arrivedAt;
      res.on('finish', () => (state.lastChange = performance.now()));
    }
    if (kind === null) return answer(res, 404, { error: `no such endpoint: ${req.method} ${req.url}` });
    const headers = req.headers as Record<string, string>;
    const id = headers['webhook-id'] ?? '';
    state.signatures.push(headers['webhook-signature'] ?? '');
    try {
      verifier.verify(raw, headers);
    } catch (err) {
      state.violations.push(`bad signature on ${id}: ${(err as Error).message}`);
      return answer(res, 401, { error: 'signature does not verify' });
    }
    if (kind !== 'anchor' && headers['idempotency-key'] !== id) state.violations.push(`Idempotency-Key ${headers['idempotency-key']} differs from webhook-id ${id}`);
    if (kind !== 'anchor' && !String(headers['content-type']).startsWith('application/json')) state.violations.push(`content-type ${headers['content-type']} on ${id}`);
    const body = kind === 'anchor' ? {} : (JSON.parse(raw) as Record<string, unknown>);
    const attempt = (state.attempts.get(id) ?? 0) + 1;
    state.attempts.set(id, attempt);
    const arrival: Arrival = { kind, id, accountId: kind === 'change' ? ((body.account_id as string | null) ?? null) : null, attempt, at: Date.now(), timestamp: headers['webhook-timestamp'] ?? '' };
    state.arrivals.push(arrival);
    res.on('close', () => (arrival.endedAt = Date.now()));
    // Two pushes of one mirror never send the same change at once (audit pages may overlap: they are
    // checked row by row).
    if (kind === 'change') {
      if (state.inflight.has(id)) state.violations.push(`${id} sent again while a request with it was in flight`);
      state.inflight.add(id);
      res.on('close', () => state.inflight.delete(id));
    }
    const latency = options.latencyMs?.() ?? 0;
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    const chosen = fault?.(arrival);
    if (chosen) state.faults += 1;
    const apply = () => (kind === 'change' ? applyChange(id, body) : kind === 'audit' ? appendAudit(id, body) : anchorOf(id, url, headers['webhook-timestamp'] ?? '', raw));
    if (chosen && 'drop' in chosen) {
      if (chosen.apply) apply();
      req.socket.destroy();
      return;
    }
    if (chosen && 'status' in chosen) {
      if (chosen.apply) apply();
      const extra: Record<string, string> = chosen.retryAfter ? { 'retry-after': chosen.retryAfter } : {};
      if (chosen.text !== undefined) {
        res.writeHead(chosen.status, { 'content-type': chosen.contentType ?? 'text/html', 'content-length': Buffer.byteLength(chosen.text), ...extra });
        res.end(chosen.text);
        return;
      }
      return answer(res, chosen.status, chosen.body ?? { error: `stand-in fault ${chosen.status}` }, extra);
    }
    const [status, out] = apply();
    if (chosen && 'delayMs' in chosen) await new Promise((r) => setTimeout(r, chosen.delayMs));
    if (chosen && 'dripEveryMs' in chosen) return drip(res, status, out, chosen.dripEveryMs);
    if (!res.destroyed) answer(res, status, out);
  };

  /** The answer's headers at once, then its body a byte at a time: each read is quick, the whole is slow. */
  const drip = async (res: ServerResponse, status: number, body: unknown, everyMs: number) => {
    const bytes = Buffer.from(JSON.stringify(body));
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length });
    res.flushHeaders();
    for (let i = 0; i < bytes.length && !res.destroyed; i++) {
      await new Promise((r) => setTimeout(r, everyMs));
      res.write(bytes.subarray(i, i + 1));
    }
    if (!res.destroyed) res.end();
  };

  /** The platform's record of a mirror's log (docs/platform-api.md): its last anchored row, or 404. */
  const anchorOf = (id: string, url: URL, timestamp: string, raw: string): [number, unknown] => {
    const mirror = url.searchParams.get('mirror_id') ?? '';
    if (id !== `${mirror}:anchor:${timestamp}`) state.violations.push(`anchor webhook-id ${id} is not <mirror_id>:anchor:<webhook-timestamp> for ${mirror}`);
    if (raw !== '') state.violations.push(`anchor request ${id} has a body`);
    const last = state.audit.get(mirror)?.at(-1);
    return last ? [200, { anchored_id: last.id, anchored_hash: last.hash }] : [404, { error: `no audit rows of mirror ${mirror}` }];
  };

  const applyChange = (id: string, body: Record<string, unknown>): [number, unknown] => {
    const problem = changeProblem(id, body);
    if (problem) {
      state.violations.push(`${id}: ${problem}`);
      return [422, { error: problem }];
    }
    const seen = state.applied.get(id);
    if (seen) {
      state.repeats += 1;
      return [409, { error: 'already applied', receipt: seen.receipt }];
    }
    const receipt = `r-${state.applied.size + 1}`;
    state.applied.set(id, { key: id, kind: String(body.kind), account_id: (body.account_id as string | null) ?? null, ticket: String(body.ticket), body, receipt });
    state.order.push(id);
    return [201, { receipt }];
  };

  const appendAudit = (id: string, body: Record<string, unknown>): [number, unknown] => {
    const mirror = String(body.mirror_id);
    const rows = body.rows as AuditRow[];
    if (!Array.isArray(rows) || rows.length === 0) return [422, { error: 'no rows' }];
    if (id !== `${mirror}:${rows[0]!.id}-${rows[rows.length - 1]!.id}`) state.violations.push(`audit webhook-id ${id} does not name its rows`);
    const kept = state.audit.get(mirror) ?? [];
    const byId = state.auditById.get(mirror) ?? new Map<number, AuditRow>();
    for (const row of rows) {
      const stored = byId.get(row.id);
      if (stored) {
        if (stored.hash !== row.hash) return [422, { error: `row ${row.id} differs from the row anchored before` }];
        continue;
      }
      const last = kept[kept.length - 1];
      const prev = last?.hash ?? GENESIS_HASH;
      if (Object.keys(row).join() !== 'id,at,agent,action,ticket,account_id,outcome,detail,prev_hash,hash') state.violations.push(`audit row ${row.id} has keys ${Object.keys(row).join()}`);
      if (row.prev_hash !== prev || chainHash(prev, row) !== row.hash) return [422, { error: `row ${row.id} does not continue the chain` }];
      kept.push(row);
      byId.set(row.id, row);
    }
    state.audit.set(mirror, kept);
    state.auditById.set(mirror, byId);
    // Anchored through this page (a page another push of the same mirror had sent already included).
    const last = rows[rows.length - 1]!;
    return [200, { anchored_id: last.id, anchored_hash: last.hash }];
  };

  const stats = (): StandInStats => ({
    requests: state.requests,
    applied: state.applied.size,
    repeats: state.repeats,
    faults: state.faults,
    audit_rows: [...state.audit.values()].reduce((n, rows) => n + rows.length, 0),
    first_change_ms: state.firstChange,
    last_change_ms: state.lastChange,
    violations: state.violations.slice(0, 20),
  });

  const reset = () => {
    state.applied.clear();
    state.order.length = 0;
    state.arrivals.length = 0;
    state.signatures.length = 0;
    state.audit.clear();
    state.auditById.clear();
    state.violations.length = 0;
    state.attempts.clear();
    state.requests = state.repeats = state.faults = 0;
    state.firstChange = state.lastChange = null;
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const arrivedAt = performance.now();
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      handle(req, res, Buffer.concat(parts).toString('utf8'), arrivedAt).catch((err: unknown) => {
        state.violations.push(`stand-in error: ${(err as Error).message}`);
        if (!res.headersSent) answer(res, 500, { error: 'stand-in error' });
      });
    });
  };
  const server: Server = options.tls ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest) : createServer(onRequest);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    applied: state.applied,
    order: state.order,
    arrivals: state.arrivals,
    signatures: state.signatures,
    audit: state.audit,
    violations: state.violations,
    forgetAuditAfter(mirror, id) {
      const kept = (state.audit.get(mirror) ?? []).filter((r) => r.id <= id);
      state.audit.set(mirror, kept);
      state.auditById.set(mirror, new Map(kept.map((r) => [r.id, r])));
    },
    stats,
    setFault: (f) => (fault = f),
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Which endpoint a request is for (docs/platform-api.md), or null. */
function endpoint(method: string | undefined, path: string): Arrival['kind'] | null {
  if (method === 'POST' && path === '/cx/v1/changes') return 'change';
  if (method === 'POST' && path === '/cx/v1/audit') return 'audit';
  if (method === 'GET' && path === '/cx/v1/audit/anchor') return 'anchor';
  return null;
}

/** What breaks the contract in a change request (docs/platform-api.md), or null. */
function changeProblem(id: string, body: Record<string, unknown>): string | null {
  if (!/^[0-9a-f]{64}$/.test(id)) return `webhook-id ${id} is not a change key`;
  if (body.key !== id) return `body key ${String(body.key)} differs from webhook-id`;
  if (Object.keys(body).join() !== CHANGE_FIELDS.join()) return `body fields ${Object.keys(body).join()}`;
  const expected = DATA_FIELDS[String(body.kind)];
  if (!expected) return `unknown kind ${String(body.kind)}`;
  const data = body.data as Record<string, unknown>;
  if (Object.keys(data).sort().join() !== [...expected].sort().join()) return `data fields ${Object.keys(data).join()} for ${String(body.kind)}`;
  return null;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'secret-file': { type: 'string' }, port: { type: 'string', default: '0' } } });
  if (!values['secret-file']) throw new Error('usage: platform-stand-in --secret-file FILE [--port N]');
  const standIn = await startStandIn({ secret: readFileSync(values['secret-file'], 'utf8').trim(), port: Number(values.port) });
  process.stdout.write(`${JSON.stringify({ url: standIn.url })}\n`);
  const stop = () => void standIn.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  });
}
