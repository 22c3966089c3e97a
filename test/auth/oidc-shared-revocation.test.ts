// Revocation shared between processes: two app instances over one database (two processes of one
// deployment). With Redis a token revoked at one is refused by the other at once: the other reads no
// database per request, so only the Redis message can tell it. Without Redis the other learns from its poll of the database (every 10 s by default; 50 ms here). With CI=true Redis is required.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { drivers, type DriverName } from '../harness.ts';
import { authorize, Browser, clientFor, redisReachable, REDIS_URL, startOidcApp, verifiedUser, type OidcApp } from './oidc-helpers.ts';

const reachable = await redisReachable();

/** Two instances of one deployment over one database, and a member of northwind at the first. */
async function twoInstances(driver: DriverName, o: { redisUrl?: string; revocationPollMs?: number }): Promise<[OidcApp, OidcApp]> {
  const a = await startOidcApp(driver, o);
  const b = await startOidcApp(driver, { ...o, shared: a });
  await verifiedUser(a, 'grace@example.com');
  assert.equal((await a.api('/api/tenants', { body: { slug: 'northwind', name: 'Northwind' } })).status, 201);
  // Tokens are only issued to members of the tenant.
  assert.equal((await a.api('/api/tenants/northwind/members', { body: { email: 'grace@example.com', roles: ['editor'] } })).status, 201);
  return [a, b];
}

/** Revokes a token at `a`; resolves with the status `b` answers once it stops accepting it (or after `tries`). */
async function revokedElsewhere(a: OidcApp, b: OidcApp, tries: number): Promise<number> {
  const config = await clientFor(a, 'mobile');
  const r = await authorize(a, new Browser(a.url), config, { tenant: 'northwind', extra: { login_hint: 'grace@example.com' } });
  const tokens = await oidc.authorizationCodeGrant(config, new URL(r.page.url), { pkceCodeVerifier: r.verifier, expectedState: r.state });
  assert.equal((await b.api('/api/t/northwind/tags', { token: tokens.access_token })).status, 200, 'instance b accepts the token first');
  await oidc.tokenRevocation(config, tokens.access_token);
  assert.equal((await a.api('/api/t/northwind/tags', { token: tokens.access_token })).status, 401);
  // The news travels asynchronously: allow it a bounded number of looks.
  let status = 0;
  for (let i = 0; i < tries && status !== 401; i++) {
    status = (await b.api('/api/t/northwind/tags', { token: tokens.access_token })).status;
    if (status !== 401) await new Promise((res) => setTimeout(res, 20));
  }
  return status;
}

for (const driver of await drivers()) {
  describe(`access token revocation through Redis (${driver})`, { skip: reachable ? false : `Redis at ${REDIS_URL} is not reachable` }, () => {
    let apps: OidcApp[] = [];
    before(async () => {
      apps = await twoInstances(driver, { redisUrl: REDIS_URL });
    });
    after(async () => {
      for (const app of apps.reverse()) await app.close();
    });

    test('a token revoked at one instance is refused by the other', async () => {
      assert.equal(await revokedElsewhere(apps[0], apps[1], 100), 401);
    });
  });

  describe(`access token revocation without Redis (${driver})`, () => {
    let apps: OidcApp[] = [];
    before(async () => {
      apps = await twoInstances(driver, { revocationPollMs: 50 });
    });
    after(async () => {
      for (const app of apps.reverse()) await app.close();
    });

    test('the other instance learns of the revocation from the database within its poll', async () => {
      assert.equal(await revokedElsewhere(apps[0], apps[1], 200), 401);
    });
  });
}
