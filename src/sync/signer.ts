// Standard Webhooks signatures (https://www.standardwebhooks.com), made with the reference package: each
// attempt is signed afresh with its own timestamp. The secret stays inside the Webhook object.
import { Webhook } from 'standardwebhooks';

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export type Signer = (id: string, body: string, at: Date) => SignedHeaders;

export function signer(secret: string): Signer {
  const webhook = new Webhook(secret);
  return (id, body, at) => ({
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': webhook.sign(id, at, body),
  });
}
