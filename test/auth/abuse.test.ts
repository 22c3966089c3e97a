// Rate limits and the per-account slow-down on credential endpoints, once per driver, against a real
// server with requests from distinct loopback addresses (attacker and victim on different IPs).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../harness.ts';
import { startAuthApp, type AuthApp } from './helpers.ts';
import { PASSWORD } from './identity-helpers.ts';
import { postFrom, verifiedAccount, withEnv } from './abuse-client.ts';

for (const driver of await drivers()) {
  describe(`credential rate limits (${driver})`, () => {
    let app: AuthApp;
    before(async () => {
      // Five attempts per IP per minute at each endpoint; the slow-down starts after three failures.
      app = await withEnv({ KILN_AUTH_RATE_LIMIT: '5', KILN_AUTH_RATE_WINDOW: '60', KILN_AUTH_SLOWDOWN_AFTER: '3' }, () => startAuthApp(driver));
    });
    after(async () => {
      await app?.close();
    });

    test('the sixth sign-in attempt from one IP is refused with 429 and Retry-After; another IP is not', async () => {
      const ip = '127.0.1.1';
      for (let i = 0; i < 5; i++) {
        const r = await postFrom(ip, app.url, '/api/auth/sign-in/email', { email: `nobody${i}@example.com`, password: 'wrong password' });
        assert.equal(r.status, 401, `attempt ${i + 1}`);
      }
      const limited = await postFrom(ip, app.url, '/api/auth/sign-in/email', { email: 'nobody9@example.com', password: 'wrong password' });
      assert.equal(limited.status, 429);
      assert.match(String(limited.headers['content-type']), /^application\/problem\+json/);
      const retry = Number(limited.headers['retry-after']);
      assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `Retry-After ${limited.headers['retry-after']}`);
      assert.equal(limited.body.status, 429);
      assert.equal(limited.body.type, 'urn:kiln:problem:rate-limited');
      // Each endpoint has its own budget, and other addresses have theirs.
      assert.equal((await postFrom('127.0.1.2', app.url, '/api/auth/sign-in/email', { email: 'nobody9@example.com', password: 'wrong password' })).status, 401);
      assert.notEqual((await postFrom(ip, app.url, '/api/auth/request-password-reset', { email: 'nobody9@example.com', redirectTo: '/' })).status, 429);
    });

    test('sign-up, reset requests and verification mail are limited per IP too', async () => {
      for (const [path, body] of [
        ['/api/auth/sign-up/email', (i: number) => ({ email: `new${i}@example.com`, password: PASSWORD, name: 'New' })],
        ['/api/auth/request-password-reset', (i: number) => ({ email: `r${i}@example.com`, redirectTo: '/' })],
        ['/api/auth/send-verification-email', (i: number) => ({ email: `v${i}@example.com` })],
        ['/api/auth/two-factor/verify-totp', () => ({ code: '123456' })],
      ] as const) {
        const ip = `127.0.2.${path.length}`;
        const statuses = [];
        for (let i = 0; i < 6; i++) statuses.push((await postFrom(ip, app.url, path, body(i))).status);
        assert.ok(statuses.slice(0, 5).every((s) => s !== 429), `${path}: ${statuses.join(',')}`);
        assert.equal(statuses[5], 429, path);
      }
    });

    test("an attacker's failures on a victim's email slow only the attacker; the victim signs in from another IP", async () => {
      const victimId = await verifiedAccount(app, 'victim@example.com');
      const attacker = '127.0.3.1';
      for (let i = 0; i < 3; i++) {
        assert.equal((await postFrom(attacker, app.url, '/api/auth/sign-in/email', { email: 'victim@example.com', password: `guess ${i}` })).status, 401);
      }
      // The attacker's next try waits, even with the right password (the check is not reached).
      const slowed = await postFrom(attacker, app.url, '/api/auth/sign-in/email', { email: 'victim@example.com', password: PASSWORD });
      assert.equal(slowed.status, 429);
      assert.ok(Number(slowed.headers['retry-after']) >= 1);
      // Still only the attacker's pair: another address of theirs for another account is not slowed.
      assert.equal((await postFrom(attacker, app.url, '/api/auth/sign-in/email', { email: 'someone-else@example.com', password: 'guess' })).status, 401);
      // The real user, from their own address, is not slowed at all.
      const ok = await postFrom('127.0.3.2', app.url, '/api/auth/sign-in/email', { email: 'victim@example.com', password: PASSWORD });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(ok.body.user.id, victimId);
    });

    test('answers never tell whether an account exists', async () => {
      await verifiedAccount(app, 'known@example.com');
      const unknown = await postFrom('127.0.4.1', app.url, '/api/auth/sign-in/email', { email: 'unknown@example.com', password: 'wrong password' });
      const wrong = await postFrom('127.0.4.1', app.url, '/api/auth/sign-in/email', { email: 'known@example.com', password: 'wrong password' });
      assert.equal(unknown.status, 401);
      assert.equal(wrong.status, 401);
      assert.deepEqual(unknown.body, wrong.body);
      // The slow-down counts failures for addresses as typed, existing or not, and answers alike.
      const slowed = [];
      for (const [ip, email] of [['127.0.4.2', 'unknown@example.com'], ['127.0.4.4', 'known@example.com']]) {
        for (let i = 0; i < 3; i++) assert.equal((await postFrom(ip, app.url, '/api/auth/sign-in/email', { email, password: `guess ${i}` })).status, 401);
        const r = await postFrom(ip, app.url, '/api/auth/sign-in/email', { email, password: 'guess 4' });
        assert.equal(r.status, 429);
        slowed.push(r);
      }
      assert.deepEqual(slowed[0].body, slowed[1].body);
      assert.equal(slowed[0].headers['retry-after'], slowed[1].headers['retry-after']);
      // Password reset requests answer the same for both.
      const r1 = await postFrom('127.0.4.3', app.url, '/api/auth/request-password-reset', { email: 'unknown@example.com', redirectTo: '/' });
      const r2 = await postFrom('127.0.4.3', app.url, '/api/auth/request-password-reset', { email: 'known@example.com', redirectTo: '/' });
      assert.equal(r1.status, r2.status);
      assert.deepEqual(r1.body, r2.body);
    });
  });
}
