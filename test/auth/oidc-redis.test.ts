// Revocation shared through Redis: two app instances over one database (two processes of one
// deployment) and one Redis. A token revoked at one is refused by the other at once: the other reads
// no database per request, so only the Redis message can tell it. With CI=true Redis is required.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { drivers } from '../harness.ts';
import { authorize, Browser, clientFor, redisReachable, REDIS_URL, startOidcApp, verifiedUser, type OidcApp } from './oidc-helpers.ts';

const reachable = await redisReachable();

for (const driver of await drivers()) {
  describe(`access token revocation through Redis (${driver})`, { skip: reachable ? false : `Redis at ${REDIS_URL} is not reachable` }, () => {
    let a: OidcApp;
    let b: OidcApp;
    before(async () => {
      a = await startOidcApp(driver, { redisUrl: REDIS_URL });
      b = await startOidcApp(driver, { redisUrl: REDIS_URL, shared: a });
      await verifiedUser(a, 'grace@example.com');
      assert.equal((await a.api('/api/tenants', { body: { slug: 'northwind', name: 'Northwind' } })).status, 201);
      // Tokens are only issued to members of the tenant.
      assert.equal((await a.api('/api/tenants/northwind/members', { body: { email: 'grace@example.com', roles: ['editor'] } })).status, 201);
    });
    after(async () => {
      await b?.close();
      await a?.close();
    });

    test('a token revoked at one instance is refused by the other', async () => {
      const config = await clientFor(a, 'mobile');
      const r = await authorize(a, new Browser(a.url), config, { tenant: 'northwind', extra: { login_hint: 'grace@example.com' } });
      const tokens = await oidc.authorizationCodeGrant(config, new URL(r.page.url), { pkceCodeVerifier: r.verifier, expectedState: r.state });
      assert.equal((await b.api('/api/t/northwind/tags', { token: tokens.access_token })).status, 200, 'instance b accepts the token first');

      await oidc.tokenRevocation(config, tokens.access_token);
      assert.equal((await a.api('/api/t/northwind/tags', { token: tokens.access_token })).status, 401);
      // The message travels asynchronously: allow it a moment, no more.
      let status = 0;
      for (let i = 0; i < 100 && status !== 401; i++) {
        status = (await b.api('/api/t/northwind/tags', { token: tokens.access_token })).status;
        if (status !== 401) await new Promise((res) => setTimeout(res, 20));
      }
      assert.equal(status, 401);
    });
  });
}
