// The connection to the platform: one undici Pool (keep-alive connections, as many as lanes in flight)
// and its `request`. Node 20's global fetch bundles its own older undici: a dispatcher from the
// npm package is never handed to it.
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

export interface Platform {
  post(path: string, body: string, idempotencyKey: string, signed: SignedHeaders, stop: AbortSignal): Promise<Answer>;
  close(): Promise<void>;
}

/** Bodies of answers are read up to this size (a receipt or an error); the rest is dropped. */
const MAX_ANSWER_BYTES = 64 * 1024;
const USER_AGENT = 'cx-sync/1';

export function connectPlatform(base: URL, connections: number, timeoutMs: number): Platform {
  // The deadline is undici's own: connecting, then waiting for the answer's headers, then for each part of
  // its body, each within timeoutMs. No per-request AbortSignal or timer is made: at thousands of requests
  // a second they cost more than the request (and AbortSignal.any holds on to them on Node 20).
  const pool = new Pool(base.origin, { connections, keepAliveTimeout: 30_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connect: { timeout: timeoutMs } });
  const paths = new Map<string, string>();
  return {
    async post(path, body, idempotencyKey, signed, stop) {
      let full = paths.get(path);
      if (!full) paths.set(path, (full = new URL(path, base).pathname));
      try {
        // The pool's own request (what undici.request calls for it), without parsing a URL each time.
        const res = await pool.request({
          path: full,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, 'idempotency-key': idempotencyKey, ...signed },
          body,
          signal: stop,
        });
        // A short answer that says its length is read whole; anything else through the capped reader.
        const length = Number(header(res.headers['content-length']) ?? NaN);
        const text = length <= MAX_ANSWER_BYTES ? await res.body.text() : await readCapped(res.body);
        return { status: res.statusCode, retryAfter: header(res.headers['retry-after']), location: header(res.headers.location), body: text };
      } catch (err) {
        if (stop.aborted) throw stop.reason;
        throw new NoAnswer(describe(err, timeoutMs));
      }
    },
    // Every request has ended (answered, timed out or aborted) when the run closes the pool.
    close: () => pool.destroy(),
  };
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

/** A network failure in a few words: the code (ECONNREFUSED, UND_ERR_SOCKET), never a stack. */
function describe(err: unknown, timeoutMs: number): string {
  const e = err as { code?: unknown; cause?: { code?: unknown }; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : '';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return 'connection dropped';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code.startsWith('UND_ERR_') && code.includes('TIMEOUT')) return `no answer within ${timeoutMs} ms`;
  return code ? `network error ${code}` : `network error: ${String(e?.message ?? err)}`;
}
