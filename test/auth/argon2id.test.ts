// argon2id password hashes: PHC strings with OWASP parameters, fresh salt each time, and a verify
// that refuses a wrong password or a hash it cannot read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, verifyPassword } from '../../src/auth/identity/argon2id.ts';
import { readIdentityConfig } from '../../src/auth/identity/identity-config.ts';
import { readMailConfig } from '../../src/auth/mail/mail-config.ts';

test('hashes verify with the right password only', async () => {
  const a = await hashPassword('tr0ub4dor&3');
  const b = await hashPassword('tr0ub4dor&3');
  assert.match(a, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.notEqual(a, b, 'a fresh salt each time');
  assert.equal(await verifyPassword(a, 'tr0ub4dor&3'), true);
  assert.equal(await verifyPassword(b, 'tr0ub4dor&3'), true);
  assert.equal(await verifyPassword(a, 'tr0ub4dor&4'), false);
  assert.equal(await verifyPassword('tr0ub4dor&3', 'tr0ub4dor&3'), false, 'a plaintext "hash" never matches');
  assert.equal(await verifyPassword(a.replace('argon2id', 'argon2i'), 'tr0ub4dor&3'), false);
});

test('identity and mail settings from the environment', () => {
  const { providerCredentials, ...plain } = readIdentityConfig({ HOST: '0.0.0.0', PORT: '8080', KILN_AUTH_GITHUB_CLIENT_ID: 'id', KILN_AUTH_GITHUB_CLIENT_SECRET: 'secret' });
  assert.deepEqual(plain, { secret: undefined, publicUrl: 'http://0.0.0.0:8080', cookieCacheSeconds: 300 });
  assert.deepEqual(providerCredentials?.('github'), { clientId: 'id', clientSecret: 'secret' });
  assert.equal(providerCredentials?.('google'), undefined);
  assert.equal(readIdentityConfig({ KILN_PUBLIC_URL: 'https://cms.example.com/' }).publicUrl, 'https://cms.example.com');
  assert.throws(() => readIdentityConfig({ KILN_PUBLIC_URL: 'ftp://x' }), /KILN_PUBLIC_URL/);
  assert.throws(() => readIdentityConfig({ KILN_AUTH_SESSION_CACHE: '5m' }), /KILN_AUTH_SESSION_CACHE/);
  assert.throws(() => readMailConfig({ KILN_SMTP_URL: 'http://mail' }), /KILN_SMTP_URL/);
  assert.equal(readMailConfig({ KILN_SMTP_URL: 'smtp://u:p@mail:587' }).smtpUrl, 'smtp://u:p@mail:587');
});

test('cookies become Secure on an https request, and stay as they are otherwise', async () => {
  const { secureCookies } = await import('../../src/auth/identity/identity-routes.ts');
  assert.deepEqual(secureCookies(['a=1; Path=/; HttpOnly'], true), ['a=1; Path=/; HttpOnly; Secure']);
  assert.deepEqual(secureCookies(['a=1; Secure; HttpOnly'], true), ['a=1; Secure; HttpOnly']);
  assert.deepEqual(secureCookies(['a=1; Path=/'], false), ['a=1; Path=/']);
});
