// Helpers for the SSO, MFA and organization suites: a magazine spec with an auth section, people who
// sign up and verify through real mail, a TOTP code computed per RFC 6238 from an otpauth URI, and
// links read from mail.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { checkSpec } from '../../src/spec/check.ts';
import type { AuthSection, Spec } from '../../src/spec/schema.ts';
import { exampleSpec } from '../harness.ts';
import { startMailWorker } from '../../src/auth/mail/mail-delivery.ts';
import { CookieJar, linkIn, SmtpInbox, startAuthApp, type AuthApp } from './helpers.ts';
import type { DriverName } from '../harness.ts';

export const PASSWORD = 'correct horse battery staple';

/**
 * The magazine app where anonymous callers may read nothing (so a tenant's content is visible only
 * to its members), with an "admin" role that manages members, and the given auth section.
 */
export function magazineWithAuth(auth: AuthSection = {}): Spec {
  const base = exampleSpec('magazine');
  const { public: _public, ...roles } = base.roles ?? {};
  const r = checkSpec({ ...base, roles: { ...roles, admin: { description: 'Manages the tenant.', can: { '*': ['read', 'create', 'update', 'delete'] } } }, auth });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.spec;
}

/** Counts the messages of one inbox so each test can wait for "the next one". */
export class Mailbox {
  #seen = 0;
  readonly inbox: SmtpInbox;
  constructor(inbox: SmtpInbox) {
    this.inbox = inbox;
  }
  next() {
    return this.inbox.nth(++this.#seen);
  }
}

/** Signs up, follows the mailed verification link and signs in; returns the jar and the user id. */
export async function verifiedPerson(app: AuthApp, mail: Mailbox, email: string, name = 'Someone'): Promise<{ jar: CookieJar; id: string }> {
  const up = await app.post('/api/auth/sign-up/email', { email, password: PASSWORD, name });
  assert.equal(up.status, 200, JSON.stringify(up.body));
  const m = await mail.next();
  assert.deepEqual(m.to, [email]);
  assert.equal((await app.get(linkIn(m.raw, app.url).slice(app.url.length))).status, 302);
  const jar = new CookieJar();
  const signIn = await app.post('/api/auth/sign-in/email', { email, password: PASSWORD }, jar);
  assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
  return { jar, id: signIn.body.user.id };
}

/** The message body with quoted-printable soft breaks and escapes undone. */
export function decodedMail(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (no padding) to bytes. */
function base32Decode(s: string): Buffer {
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of s.replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | BASE32.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The current TOTP code (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits) for an otpauth:// URI. */
export function totpCode(otpauthUri: string, at = Date.now()): string {
  const url = new URL(otpauthUri);
  const key = base32Decode(url.searchParams.get('secret')!);
  const period = Number(url.searchParams.get('period') ?? 30);
  const digits = Number(url.searchParams.get('digits') ?? 6);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / period)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const n = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(n % 10 ** digits).padStart(digits, '0');
}

/**
 * An app for `spec` whose mail is delivered to a real local SMTP server by the mail worker, with
 * these tenants created; `mail` reads the inbox message by message.
 */
export async function startMailedApp(driver: DriverName, spec: Spec, tenants: readonly string[]): Promise<{ app: AuthApp; mail: Mailbox; close: () => Promise<void> }> {
  const inbox = new SmtpInbox();
  await inbox.start();
  const app = await startAuthApp(driver, { smtpUrl: inbox.url, spec });
  const worker = startMailWorker(app.store.driver, { smtpUrl: inbox.url, from: 'Kiln Test <kiln@example.test>' }, { pollMs: 20 });
  for (const slug of tenants) assert.equal((await app.api('/api/tenants', { method: 'POST', body: { slug, name: slug.toUpperCase() } })).status, 201);
  return {
    app,
    mail: new Mailbox(inbox),
    close: async () => {
      await worker.stop();
      await app.close();
      await inbox.stop();
    },
  };
}
