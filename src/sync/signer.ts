// Standard Webhooks signatures (https://www.standardwebhooks.com): each attempt is signed afresh with its own
// timestamp. The reference package checks the secret; the HMAC is node:crypto's, the same bytes as the
// package's `sign` (test/rules/platform-doc.test.ts; the stand-in verifies every request with the package)
// at a fraction of its cost: the package encodes and hashes in JavaScript, and an audit page is a megabyte.
// The secret's key stays inside the signer.
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export type Signer = (id: string, body: string, at: Date) => SignedHeaders;

const PREFIX = 'whsec_';

export function signer(secret: string): Signer {
  new Webhook(secret); // throws for a secret that is empty or not base64, as it always has
  const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
  return (id, body, at) => {
    const timestamp = String(Math.floor(at.getTime() / 1000));
    const signature = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
    return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
  };
}
