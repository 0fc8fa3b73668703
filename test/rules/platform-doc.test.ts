// docs/platform-api.md's worked examples are computed here, so the doc cannot drift from what cx sends: the
// key from the change's identity, the body as cx builds it, and the signature as cx makes it, held to the one
// made by hand from the Standard Webhooks definition and to the reference package's own check; and the signed
// anchor request of `cx audit --verify`.
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { withAccountList } from '../../src/rules/audit-accounts.js';
import { changeKey } from '../../src/rules/change-key.js';
import type { ClaimedChange } from '../../src/store/sync-queue.js';
import { changeBody } from '../../src/sync/job.js';
import { signer } from '../../src/sync/signer.js';
import { anchorRequest } from '../../src/sync/witness.js';
import { REPO } from '../helpers/cx.js';

const DOC = readFileSync(join(REPO, 'docs/platform-api.md'), 'utf8');
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe("cx's signatures", () => {
  it('are taken by the reference package, for a body of any size, and refused once a byte changes', () => {
    const sign = signer(SECRET);
    const webhook = new Webhook(SECRET);
    for (const body of ['', '{"a":1}', `{"rows":"${'é✓x'.repeat(300_000)}"}`]) {
      const headers = sign('key-1', body, new Date());
      expect(() => webhook.verify(body, headers)).not.toThrow();
      expect(() => webhook.verify(`${body} `, headers)).toThrow();
    }
  });

  it('need a secret the package takes: an empty or non-base64 one is refused', () => {
    expect(() => signer('')).toThrow();
    expect(() => signer('whsec_not base64!')).toThrow();
  });
});

describe('docs/platform-api.md', () => {
  it('shows a signed request exactly as cx makes it', () => {
    const key = changeKey({ desk: 'zendesk', ticket: '48213', action: 'deactivate_client', accountId: '1011', kind: 'deactivate_client', n: 1 });
    const data = { deactivated_at: '2026-11-27', retain_until: '2033-11-25', retention_rule: 'adult: last service 2026-11-25 + 7y (default)' };
    const change = { key, kind: 'deactivate_client', account_id: '1011', ticket: '48213', agent: 'dana', created_at: '2026-11-27T12:00:00.000Z', data: JSON.stringify(data) } as ClaimedChange;
    const body = changeBody(change);
    const at = new Date('2026-11-27T12:00:05Z');
    const signed = signer(SECRET)(key, body, at);
    const byHand = createHmac('sha256', Buffer.from(SECRET.slice('whsec_'.length), 'base64')).update(`${key}.${signed['webhook-timestamp']}.${body}`).digest('base64');
    expect(signed['webhook-signature']).toBe(`v1,${byHand}`);
    expect(signed['webhook-timestamp']).toBe(String(at.getTime() / 1000));

    expect(DOC).toContain(`\`\`\`\n${SECRET}\n\`\`\``);
    expect(DOC).toContain('`zendesk|48213|deactivate_client|1011|deactivate_client|1`');
    expect(DOC).toContain(`\`\`\`\n${key}\n\`\`\``);
    for (const header of [`Idempotency-Key: ${key}`, `webhook-id: ${key}`, `webhook-timestamp: ${signed['webhook-timestamp']}`, `webhook-signature: ${signed['webhook-signature']}`]) {
      expect(DOC).toContain(`\n${header}\n`);
    }
    expect(DOC).toContain(`\n\n${body}\n\`\`\``);
  });

  it('shows the anchor request of `cx audit --verify` exactly as cx signs it: an empty body, the anchor id', () => {
    const mirror = '9f2c61d0a4b84e5e8c3a7f1b2d6e0a94';
    const at = new Date('2026-11-27T12:00:05Z');
    const { path, id } = anchorRequest(mirror, at);
    expect(id).toBe(`${mirror}:anchor:1795780805`);
    const signed = signer(SECRET)(id, '', at);
    const byHand = createHmac('sha256', Buffer.from(SECRET.slice('whsec_'.length), 'base64')).update(`${id}.${signed['webhook-timestamp']}.`).digest('base64');
    expect(signed['webhook-signature']).toBe(`v1,${byHand}`);
    expect(DOC).toContain(`\`${id}.${signed['webhook-timestamp']}.\``);
    expect(DOC).toContain(`\nGET /${path} HTTP/1.1\n`);
    for (const header of [`webhook-id: ${id}`, `webhook-timestamp: ${signed['webhook-timestamp']}`, `webhook-signature: ${signed['webhook-signature']}`]) {
      expect(DOC).toContain(`\n${header}\n`);
    }
  });

  it("describes the list mark of a row about several accounts as cx writes it: the SHA-256 of the ids' JSON array", () => {
    const ids = ['1001', '1003', '1002'];
    const byHand = createHash('sha256').update('["1001","1003","1002"]').digest('hex');
    expect(withAccountList('by address: showed 3 accounts: 1001, 1003, 1002', ids)).toBe(`by address: showed 3 accounts: 1001, 1003, 1002 [account ids: 3, sha256 ${byHand}]`);
    expect(DOC).toContain('ends with `[account ids: <count>, sha256 <hex>]`');
    expect(DOC).toContain('(`["1001","1003","1002"]`)');
  });
});
