// The connection to the platform: one undici Pool (keep-alive connections, as many as lanes in flight)
// and its `request`. Node 20's global fetch bundles its own older undici: a dispatcher from the
// npm package is never handed to it.
//
// CX_PLATFORM_TIMEOUT_MS is a deadline for the whole exchange: connecting, sending, and the whole answer.
// (undici's own timeouts are per read: an answer dripped a byte at a time would never end.) A push's lease on
// a change outlasts any exchange only because an exchange cannot outlast its deadline (deliver.ts).
import { EventEmitter } from 'node:events';
import { Pool } from 'undici';
import type { SignedHeaders } from './signer.js';

export interface Answer {
  status: number;
  retryAfter: string | null;
  location: string | null;
  body: string;
}

/** Thrown for a request that got no answer: a timeout, a refused or dropped connection. */
export class NoAnswer extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * Thrown when the connection cannot be made safe: a certificate cx cannot trust (self-signed, expired, for
 * another name: someone in between, or not the platform), or no TLS at all. A setting to fix, not a network
 * blip: never retried.
 */
export class TlsFailure extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export interface Platform {
  post(path: string, body: string, idempotencyKey: string, signed: SignedHeaders, stop: AbortSignal): Promise<Answer>;
  /** A signed GET (empty body); `path` may carry a query. */
  get(path: string, signed: SignedHeaders, stop: AbortSignal): Promise<Answer>;
  close(): Promise<void>;
}

/** Bodies of answers are read up to this size (a receipt or an error); the rest is dropped. */
const MAX_ANSWER_BYTES = 64 * 1024;
const USER_AGENT = 'cx-sync/1';

export function connectPlatform(base: URL, connections: number, timeoutMs: number): Platform {
  // undici's per-read timeouts stay as a backstop; the deadline (below) ends an exchange first.
  const pool = new Pool(base.origin, { connections, keepAliveTimeout: 30_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connect: { timeout: timeoutMs } });
  const deadlines = new Deadlines(timeoutMs);
  const paths = new Map<string, string>();
  const fullPath = (path: string) => {
    let full = paths.get(path);
    if (!full) paths.set(path, (full = new URL(path, base).pathname));
    return full;
  };
  const exchange = async (method: 'GET' | 'POST', path: string, headers: Record<string, string>, body: string | null, stop: AbortSignal): Promise<Answer> => {
    const open = deadlines.start(stop);
    try {
      // The pool's own request (what undici.request calls for it), without parsing a URL each time.
      const res = await pool.request({ path, method, headers: { 'user-agent': USER_AGENT, ...headers }, body, signal: open.signal });
      // A short answer that says its length is read whole; anything else through the capped reader.
      const length = Number(header(res.headers['content-length']) ?? NaN);
      const text = length <= MAX_ANSWER_BYTES ? await res.body.text() : await readCapped(res.body);
      return { status: res.statusCode, retryAfter: header(res.headers['retry-after']), location: header(res.headers.location), body: text };
    } catch (err) {
      if (stop.aborted) throw stop.reason;
      if (open.timedOut) throw new NoAnswer(`no answer within ${timeoutMs} ms`);
      const tls = tlsProblem(err);
      if (tls) throw new TlsFailure(tls);
      throw new NoAnswer(describe(err, timeoutMs));
    } finally {
      deadlines.end(open);
    }
  };
  return {
    post: (path, body, idempotencyKey, signed, stop) =>
      exchange('POST', fullPath(path), { 'content-type': 'application/json', 'idempotency-key': idempotencyKey, ...signed }, body, stop),
    get(path, signed, stop) {
      const url = new URL(path, base);
      return exchange('GET', `${url.pathname}${url.search}`, { ...signed }, null, stop);
    },
    // Every request has ended (answered, timed out or aborted) when the run closes the pool.
    close: () => pool.destroy(),
  };
}

/**
 * A request's abort signal as undici takes it: an EventEmitter (its documented alternative to an AbortSignal)
 * that knows whether it fired and why. A fraction of an AbortController's cost, which counts at thousands of
 * requests a second.
 */
class ExchangeSignal extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}

interface OpenExchange {
  readonly signal: ExchangeSignal;
  /** The run's stop (or Ctrl-C), which aborts the exchange too. */
  readonly stop: AbortSignal;
  readonly endsAt: number;
  timedOut: boolean;
}

/**
 * The deadline of every exchange in flight. All have the same length, so they end in the order they began:
 * one timer, set for the oldest open exchange, rather than a timer per request. A stop signal gets one
 * listener, which aborts every open exchange it stops, rather than one per request.
 */
class Deadlines {
  /** Oldest first (a Set keeps insertion order). */
  private readonly open = new Set<OpenExchange>();
  private readonly watched = new WeakSet<AbortSignal>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly ms: number) {}

  start(stop: AbortSignal): OpenExchange {
    const open: OpenExchange = { signal: new ExchangeSignal(), stop, endsAt: performance.now() + this.ms, timedOut: false };
    if (stop.aborted) open.signal.abort(stop.reason);
    this.watch(stop);
    this.open.add(open);
    this.timer ??= this.schedule(this.ms);
    return open;
  }

  end(open: OpenExchange): void {
    this.open.delete(open);
  }

  private watch(stop: AbortSignal): void {
    if (this.watched.has(stop)) return;
    this.watched.add(stop);
    stop.addEventListener('abort', () => {
      for (const open of this.open) if (open.stop === stop) open.signal.abort(stop.reason);
    }, { once: true });
  }

  private schedule(ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.expire(), Math.max(0, ms));
    timer.unref();
    return timer;
  }

  /** Abort every exchange past its deadline; wake again for the oldest one left. */
  private expire(): void {
    this.timer = null;
    const now = performance.now();
    for (const open of this.open) {
      if (open.endsAt > now) {
        this.timer = this.schedule(open.endsAt - now);
        return;
      }
      this.open.delete(open);
      open.timedOut = true;
      open.signal.abort(new NoAnswer(`no answer within ${this.ms} ms`));
    }
  }
}

function header(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const parts: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of body) {
    if (bytes + chunk.length > MAX_ANSWER_BYTES) {
      parts.push(chunk.subarray(0, MAX_ANSWER_BYTES - bytes));
      body.destroy();
      break;
    }
    parts.push(chunk);
    bytes += chunk.length;
  }
  return Buffer.concat(parts).toString('utf8');
}

type NetError = { code?: unknown; cause?: { code?: unknown; message?: unknown }; message?: unknown } | undefined;

function codeOf(err: unknown): string {
  const e = err as NetError;
  return typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : '';
}

/** OpenSSL's certificate verification failures, as Node names them (X509_V_ERR_* without the prefix). */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_REVOKED', 'CERT_UNTRUSTED', 'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE', 'CERT_CHAIN_TOO_LONG', 'INVALID_CA', 'INVALID_PURPOSE', 'PATH_LENGTH_EXCEEDED', 'HOSTNAME_MISMATCH',
]);

/** A TLS failure in a few words (the certificate's problem, or no TLS at all), or null for any other error. */
function tlsProblem(err: unknown): string | null {
  const code = codeOf(err);
  const e = err as NetError;
  const message = String((typeof e?.message === 'string' && e.message) || e?.cause?.message || code);
  if (CERTIFICATE_CODES.has(code) || code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `the platform's TLS certificate is not trusted (${message})`;
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'EPROTO') return `no safe TLS connection to the platform (${message})`;
  return null;
}

/** A network failure in a few words: the code (ECONNREFUSED, UND_ERR_SOCKET), never a stack. */
function describe(err: unknown, timeoutMs: number): string {
  const code = codeOf(err);
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return 'connection dropped';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code.startsWith('UND_ERR_') && code.includes('TIMEOUT')) return `no answer within ${timeoutMs} ms`;
  return code ? `network error ${code}` : `network error: ${String((err as NetError)?.message ?? err)}`;
}
