// What the platform's answer to a request means for the change (docs/platform-api.md, "Answers"). Pure.

export type Verdict =
  /** 2xx with a JSON body holding a string `receipt`, or 409 (delivered before under the same key). */
  | { kind: 'delivered'; status: number; receipt: string | null; before: boolean }
  /** 400, 404, 422 and the other 4xx the contract does not retry: failed for good with the platform's reason. */
  | { kind: 'failed'; status: number; error: string }
  /** 408, 425, 429, 5xx, a timeout or a dropped connection: try again later. */
  | { kind: 'retry'; reason: string; retryAfter: string | null }
  /** 401, 403: the platform refused the credentials; the run stops at once. */
  | { kind: 'unauthorized'; status: number; error: string }
  /**
   * 1xx or 3xx, or a 2xx that is not the API's JSON receipt (a catch-all web server): the URL points somewhere
   * that is not the platform's API; the run stops (a setting to fix), the change still pending.
   */
  | { kind: 'misdirected'; status: number; why: string | null }
  /** No answer: the connection could not be made safe (TLS: a certificate not trusted); the run stops (a setting to fix). */
  | { kind: 'insecure'; reason: string };

const RETRIED = new Set([408, 425, 429]);
/** The platform's text kept in the mirror and shown: bounded. */
const MAX_ERROR_LENGTH = 500;

/** What the platform's answer to a change means. */
export function verdictOf(status: number, body: string, retryAfter: string | null): Verdict {
  if (status >= 200 && status < 300) {
    const receipt = json(body)?.receipt;
    if (typeof receipt === 'string') return { kind: 'delivered', status, receipt: text(receipt), before: false };
    return { kind: 'misdirected', status, why: json(body) ? 'without a string receipt' : 'with a body that is not JSON' };
  }
  if (status === 409) return { kind: 'delivered', status, receipt: receiptOf(body), before: true };
  return failureVerdict(status, body, retryAfter);
}

/**
 * What an answer other than a success means, for any endpoint (a change, a page of the audit log, the
 * platform's anchor): each endpoint decides what its own success is.
 */
export function failureVerdict(status: number, body: string, retryAfter: string | null): Exclude<Verdict, { kind: 'delivered' }> {
  if (status === 401 || status === 403) return { kind: 'unauthorized', status, error: errorOf(body, status) };
  if (RETRIED.has(status) || status >= 500) return { kind: 'retry', reason: `HTTP ${status}`, retryAfter };
  if (status >= 400) return { kind: 'failed', status, error: errorOf(body, status) };
  return { kind: 'misdirected', status, why: null };
}

/** The body as a JSON object, or null. */
export function json(body: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(body);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return s.length > MAX_ERROR_LENGTH ? `${s.slice(0, MAX_ERROR_LENGTH)}…` : s;
}

function receiptOf(body: string): string | null {
  return text(json(body)?.receipt);
}

/** The body's `error`, else a short plain-text body, else the status alone. */
function errorOf(body: string, status: number): string {
  const fromJson = text(json(body)?.error);
  if (fromJson) return `HTTP ${status}: ${fromJson}`;
  const plain = body.trim();
  if (plain && !plain.startsWith('{') && !plain.startsWith('<')) return `HTTP ${status}: ${text(plain)}`;
  return `HTTP ${status}`;
}
