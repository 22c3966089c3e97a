// Behind a proxy the client's address comes from X-Forwarded-For, but only when KILN_TRUST_PROXY
// names the proxy: otherwise any client could pick the address its failed sign-ins are charged to.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../harness.ts';
import { readTrustProxy } from '../../src/experience/trust-proxy.ts';
import { startAuthApp, type AuthApp } from './helpers.ts';

test('KILN_TRUST_PROXY: unset or false trusts no proxy; true, or addresses and CIDRs', () => {
  assert.equal(readTrustProxy({}), false);
  assert.equal(readTrustProxy({ KILN_TRUST_PROXY: 'false' }), false);
  assert.equal(readTrustProxy({ KILN_TRUST_PROXY: 'true' }), true);
  assert.equal(readTrustProxy({ KILN_TRUST_PROXY: '10.0.0.1, 192.168.0.0/16' }), '10.0.0.1,192.168.0.0/16');
  assert.throws(() => readTrustProxy({ KILN_TRUST_PROXY: 'yes please' }), /KILN_TRUST_PROXY/);
});

for (const driver of await drivers()) {
  describe(`client addresses behind a proxy (${driver})`, () => {
    let trusting: AuthApp;
    let plain: AuthApp;
    before(async () => {
      trusting = await startAuthApp(driver, { trustProxy: '127.0.0.1' });
      plain = await startAuthApp(driver);
    });
    after(async () => {
      await trusting?.close();
      await plain?.close();
    });

    const failedSignInIp = async (app: AuthApp, email: string) => {
      const r = await app.send('/api/auth/sign-in/email', { method: 'POST', body: JSON.stringify({ email, password: 'wrong password 123' }), headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' } });
      assert.equal(r.status, 401);
      const log = await app.api('/api/audit?kind=sign_in.failure');
      assert.equal(log.status, 200, JSON.stringify(log.body));
      const entry = (log.body.data as { ip: string | null; details: { email?: string } }[]).find((e) => e.details.email === email);
      assert.ok(entry, JSON.stringify(log.body.data));
      return entry.ip;
    };

    test('the trusted proxy forwards the client address into the audit log', async () => {
      assert.equal(await failedSignInIp(trusting, 'someone@example.com'), '203.0.113.7');
    });

    test('without a trusted proxy the header is ignored', async () => {
      assert.equal(await failedSignInIp(plain, 'someone@example.com'), '127.0.0.1');
    });
  });
}
