// Signing per the Standard Webhooks specification: the secret is `whsec_` + base64 of random bytes,
// and a signature is `v1,` + base64(HMAC-SHA256(secret bytes, "<webhook-id>.<webhook-timestamp>.<body>")).
// During a secret rotation a message carries one signature per active secret, separated by spaces,
// so a receiver verifies with whichever secret it has.
import { createHmac, randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';

/** 32 random bytes: above the specification's 24-byte minimum. */
export function newSecret(): string {
  return PREFIX + randomBytes(32).toString('base64');
}

export function sign(secret: string, msgId: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${msgId}.${timestampSeconds}.${body}`).digest('base64')}`;
}

/** The `webhook-signature` header value for every active secret. */
export function signatureHeader(secrets: readonly string[], msgId: string, timestampSeconds: number, body: string): string {
  return secrets.map((s) => sign(s, msgId, timestampSeconds, body)).join(' ');
}
