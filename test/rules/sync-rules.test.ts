// The pure parts of platform sync: backoff with full jitter, Retry-After, what an answer means, the request
// body, and the settings (exit 2 naming what to set, never echoing the secret).
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { BASE_DELAY_MS, backoffDelay, LONGEST_RETRY_AFTER_MS, MAX_DELAY_MS, retryAfterMs } from '../../src/rules/backoff.js';
import { verdictOf } from '../../src/rules/sync-response.js';
import { changeBody } from '../../src/sync/job.js';
import { isWebhookSecret, platformSettings } from '../../src/config/platform.js';
import type { ClaimedChange } from '../../src/store/sync-queue.js';

describe('backoff', () => {
  it('draws from [0, base * 2^(attempt-1)), capped: full jitter', () => {
    expect(backoffDelay(1, () => 0)).toBe(0);
    expect(backoffDelay(1, () => 0.999999)).toBe(BASE_DELAY_MS - 1);
    expect(backoffDelay(4, () => 0.5)).toBe(BASE_DELAY_MS * 4);
    expect(backoffDelay(40, () => 0.999999)).toBeLessThan(MAX_DELAY_MS);
    expect(backoffDelay(40, () => 0.999999)).toBeGreaterThan(MAX_DELAY_MS - 2);
  });

  it('reads Retry-After as seconds or an HTTP date; a past date is no wait; junk is null', () => {
    const now = Date.parse('2026-11-27T12:00:00Z');
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Fri, 27 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Friday, 27-Nov-26 12:01:00 GMT', now)).toBe(60_000);
    expect(retryAfterMs('Fri, 27 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs('-5', now)).toBeNull();
    expect(retryAfterMs('1.5', now)).toBeNull();
    expect(retryAfterMs(undefined, now)).toBeNull();
    expect(retryAfterMs(['3', '9'], now)).toBe(3000);
  });

  it('honours Retry-After up to one hour, however far it says', () => {
    const now = Date.parse('2026-11-27T12:00:00Z');
    expect(LONGEST_RETRY_AFTER_MS).toBe(3_600_000);
    expect(retryAfterMs('3600', now)).toBe(3_600_000);
    expect(retryAfterMs('3601', now)).toBe(3_600_000);
    expect(retryAfterMs('1000000000', now)).toBe(3_600_000);
    expect(retryAfterMs('99999999999999', now)).toBe(3_600_000);
    expect(retryAfterMs('9'.repeat(400), now)).toBe(3_600_000); // Infinity seconds
    expect(retryAfterMs('Fri, 31 Dec 9999 23:59:59 GMT', now)).toBe(3_600_000);
    expect(retryAfterMs('Fri, 27 Nov 2026 12:30:00 GMT', now)).toBe(1_800_000);
  });
});

describe('what an answer means', () => {
  it('follows the contract, code by code', () => {
    expect(verdictOf(201, '{"receipt":"r-9"}', null)).toEqual({ kind: 'delivered', status: 201, receipt: 'r-9', before: false });
    // Only a JSON receipt is a delivery: any other 2xx is a web server that is not the platform.
    expect(verdictOf(204, '', null)).toEqual({ kind: 'misdirected', status: 204, why: 'with a body that is not JSON' });
    expect(verdictOf(200, '<html>Welcome</html>', null)).toEqual({ kind: 'misdirected', status: 200, why: 'with a body that is not JSON' });
    expect(verdictOf(200, '{"ok":true}', null)).toEqual({ kind: 'misdirected', status: 200, why: 'without a string receipt' });
    expect(verdictOf(200, '{"receipt":7}', null)).toEqual({ kind: 'misdirected', status: 200, why: 'without a string receipt' });
    expect(verdictOf(200, '["r-1"]', null).kind).toBe('misdirected');
    expect(verdictOf(409, '{"error":"dup","receipt":"r-1"}', null)).toEqual({ kind: 'delivered', status: 409, receipt: 'r-1', before: true });
    for (const s of [401, 403]) expect(verdictOf(s, '{"error":"bad key"}', null).kind).toBe('unauthorized');
    for (const s of [400, 404, 422]) expect(verdictOf(s, '{"error":"no such account"}', null)).toEqual({ kind: 'failed', status: s, error: `HTTP ${s}: no such account` });
    for (const s of [408, 425, 429, 500, 502, 503, 504]) expect(verdictOf(s, '', '3')).toEqual({ kind: 'retry', reason: `HTTP ${s}`, retryAfter: '3' });
    expect(verdictOf(301, '', null)).toEqual({ kind: 'misdirected', status: 301, why: null });
    expect(verdictOf(422, '<html>oops</html>', null)).toEqual({ kind: 'failed', status: 422, error: 'HTTP 422' });
    expect(verdictOf(400, 'plain words', null)).toEqual({ kind: 'failed', status: 400, error: 'HTTP 400: plain words' });
    expect((verdictOf(422, JSON.stringify({ error: 'x'.repeat(2000) }), null) as { error: string }).error.length).toBeLessThan(520);
  });
});

describe('the request body', () => {
  it('is the contract\'s seven fields in order, data spliced in as stored', () => {
    const change = { key: 'k'.repeat(64), kind: 'email', account_id: '1001', ticket: 'T"1', agent: 'dana', created_at: '2026-11-27T12:00:00.000Z', data: '{"template":"t","to":"a@b.c","subject":"S"}' } as ClaimedChange;
    const body = changeBody(change);
    expect(Object.keys(JSON.parse(body))).toEqual(['key', 'kind', 'account_id', 'ticket', 'agent', 'created_at', 'data']);
    expect(JSON.parse(body).data).toEqual({ template: 't', to: 'a@b.c', subject: 'S' });
    expect(JSON.parse(body).ticket).toBe('T"1');
  });
});

describe('settings', () => {
  /** The URL as src/config/resolve.ts gives it when only the environment sets it. */
  const fromEnv = (env: NodeJS.ProcessEnv) => ({ env, url: { value: env.CX_PLATFORM_URL ?? null, from: 'CX_PLATFORM_URL' } });
  const SECRET = 'whsec_U0VDUkVULUNBTkFSWS0wMTIzNDU2Nzg5YWJjZGVm';
  const fails = (env: NodeJS.ProcessEnv): UsageError => {
    try {
      platformSettings(fromEnv(env));
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      return err as UsageError;
    }
    throw new Error('expected a UsageError');
  };

  it('takes https anywhere, http only on localhost and 127.0.0.1, and a base path', () => {
    const s = platformSettings(fromEnv({ CX_PLATFORM_URL: 'https://api.example.com/platform', CX_PLATFORM_SECRET: SECRET }));
    expect(s.base.href).toBe('https://api.example.com/platform/');
    expect(new URL('cx/v1/changes', s.base).href).toBe('https://api.example.com/platform/cx/v1/changes');
    expect(s).toMatchObject({ timeoutMs: 10_000, maxAttempts: 8, concurrency: 8 });
    expect(platformSettings(fromEnv({ CX_PLATFORM_URL: 'http://127.0.0.1:8080', CX_PLATFORM_SECRET: SECRET })).base.href).toBe('http://127.0.0.1:8080/');
    expect(platformSettings(fromEnv({ CX_PLATFORM_URL: 'http://localhost', CX_PLATFORM_SECRET: SECRET })).base.host).toBe('localhost');
    expect(platformSettings({ env: { CX_PLATFORM_SECRET: SECRET }, url: { value: 'https://from.config', from: '/home/dana/.config/cx/config.json' } }).base.host).toBe('from.config');
  });

  it('names what to set, and never repeats the secret or a password', () => {
    expect(JSON.stringify(fails({ CX_PLATFORM_SECRET: SECRET }).hint)).toMatch(/CX_PLATFORM_URL/);
    expect(fails({ CX_PLATFORM_URL: 'http://platform.example.com', CX_PLATFORM_SECRET: SECRET }).message).toMatch(/https/);
    expect(fails({ CX_PLATFORM_URL: 'ftp://x', CX_PLATFORM_SECRET: SECRET }).message).toMatch(/https/);
    expect(fails({ CX_PLATFORM_URL: 'not a url', CX_PLATFORM_SECRET: SECRET }).message).toMatch(/CX_PLATFORM_URL/);
    const pw = fails({ CX_PLATFORM_URL: 'https://u:hunter2@x.example', CX_PLATFORM_SECRET: SECRET });
    expect(`${pw.message} ${pw.hint}`).not.toContain('hunter2');
    expect(fails({ CX_PLATFORM_URL: 'https://x.example' }).hint).toMatch(/CX_PLATFORM_SECRET/);
    for (const bad of ['U0VDUkVU', 'whsec_', 'whsec_not base64!', 'whsec_QUJD=A', `${SECRET} extra`]) {
      const e = fails({ CX_PLATFORM_URL: 'https://x.example', CX_PLATFORM_SECRET: bad });
      expect(e.message).toMatch(/CX_PLATFORM_SECRET is not a Standard Webhooks secret/);
      expect(`${e.message} ${e.hint}`).not.toContain(bad.replace('whsec_', '') || 'never');
    }
    expect(fails({ CX_PLATFORM_URL: 'https://x.example', CX_PLATFORM_SECRET: SECRET, CX_PLATFORM_SECRET_FILE: '/x' }).message).toMatch(/both/);
    expect(fails({ CX_PLATFORM_URL: 'https://x.example', CX_PLATFORM_SECRET_FILE: '/nonexistent/secret' }).message).toMatch(/\/nonexistent\/secret does not exist/);
    for (const [name, value] of [['CX_PLATFORM_TIMEOUT_MS', '0'], ['CX_PLATFORM_TIMEOUT_MS', '10s'], ['CX_SYNC_MAX_ATTEMPTS', '-1'], ['CX_SYNC_CONCURRENCY', '1000']]) {
      expect(fails({ CX_PLATFORM_URL: 'https://x.example', CX_PLATFORM_SECRET: SECRET, [name!]: value }).message).toContain(name);
    }
  });

  it('knows a Standard Webhooks secret', () => {
    expect(isWebhookSecret(SECRET)).toBe(true);
    expect(isWebhookSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBe(true);
    expect(isWebhookSecret('whsec_QUJD')).toBe(true);
    expect(isWebhookSecret('whsec_QUJDRA==')).toBe(true);
    expect(isWebhookSecret('whsec_QU=JD')).toBe(false);
    expect(isWebhookSecret('whsec_QUJDRB')).toBe(false); // not canonical: bits the key does not have
    expect(isWebhookSecret('QUJD')).toBe(false);
  });
});
