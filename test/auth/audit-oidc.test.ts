// Audit records and metrics of the OAuth / OpenID Connect provider, once per driver, with
// openid-client as the client: tokens issued and refreshed, refresh token reuse detected (the grant
// revoked), revocation; each with the user and the grant's tenant. Also the per-IP limit on /oidc/token.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { drivers } from '../harness.ts';
import { authorize, Browser, clientFor, startOidcApp, verifiedUser, type OidcApp } from './oidc-helpers.ts';
import { withEnv } from './abuse-client.ts';
import { sample } from './metrics-sample.ts';

type Entry = { kind: string; tenant: string | null; user: string | null; details: Record<string, unknown> };

const EMAIL = 'tess@example.com';

for (const driver of await drivers()) {
  describe(`audit and metrics of the OAuth provider (${driver})`, () => {
    let app: OidcApp;
    let userId: string;
    let mobile: oidc.Configuration;
    before(async () => {
      // No grace window: a second use of a rotated refresh token is reuse at once. A per-IP budget of
      // 3 attempts makes /oidc/token's (ten times the base) 30.
      app = await withEnv({ KILN_AUTH_RATE_LIMIT: '3' }, () => startOidcApp(driver, { graceSeconds: 0, roles: async (_u, tenant) => (tenant === 'northwind' ? ['editor'] : []) }));
      userId = await verifiedUser(app, EMAIL);
      assert.equal((await app.api('/api/tenants', { body: { slug: 'northwind', name: 'Northwind' } })).status, 201);
      mobile = await clientFor(app, 'mobile');
    });
    after(() => app?.close());

    const events = async (kind: string): Promise<Entry[]> => (await app.api(`/api/audit?kind=${kind}&user=${userId}`)).body.data;
    const scrape = async () => {
      const r = await app.api('/metrics');
      assert.equal(r.status, 200);
      return r.body as string;
    };

    test('issued, refreshed, reuse detected, revoked: recorded with user and tenant, and counted', async () => {
      const before = await scrape();
      const r = await authorize(app, new Browser(app.url), mobile, { tenant: 'northwind', extra: { login_hint: EMAIL } });
      const first = await oidc.authorizationCodeGrant(mobile, new URL(r.page.url), { pkceCodeVerifier: r.verifier, expectedState: r.state });
      const issued = await events('token.issued');
      assert.equal(issued.length, 1);
      assert.deepEqual({ tenant: issued[0].tenant, client: issued[0].details.client, grantType: issued[0].details.grantType }, { tenant: 'northwind', client: 'mobile', grantType: 'authorization_code' });
      // The sign-in form of the interaction is a password sign-in like any other.
      assert.equal((await events('sign_in.success')).length, 1);

      const second = await oidc.refreshTokenGrant(mobile, first.refresh_token!);
      const refreshed = await events('token.refreshed');
      assert.equal(refreshed.length, 1);
      assert.equal(refreshed[0].tenant, 'northwind');

      await oidc.tokenRevocation(mobile, second.access_token, { token_type_hint: 'access_token' });
      const revoked = await events('token.revoked');
      assert.equal(revoked.length, 1);
      assert.equal(revoked[0].tenant, 'northwind');

      await assert.rejects(oidc.refreshTokenGrant(mobile, first.refresh_token!), (e: oidc.ResponseBodyError) => e.error === 'invalid_grant');
      const reuse = await events('token.refresh_reuse');
      assert.equal(reuse.length, 1);
      assert.equal(reuse[0].tenant, 'northwind');

      const after = await scrape();
      const moved = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
      assert.equal(moved('kiln_auth_tokens_issued_total', { grant_type: 'authorization_code' }), 1);
      assert.equal(moved('kiln_auth_tokens_issued_total', { grant_type: 'refresh_token' }), 1);
      assert.equal(moved('kiln_auth_refresh_token_reuse_total'), 1);
      assert.equal(moved('kiln_auth_sign_ins_total', { provider: 'kiln', method: 'password', outcome: 'success' }), 1);
    });

    test('the token endpoint is rate limited per IP', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 40 && !statuses.includes(429); i++) {
        const res = await fetch(`${app.url}/oidc/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'not-a-token', client_id: 'mobile' }) });
        statuses.push(res.status);
        if (res.status === 429) {
          assert.ok(Number(res.headers.get('retry-after')) >= 1);
          assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
        }
        await res.arrayBuffer();
      }
      assert.equal(statuses.at(-1), 429);
      assert.ok(statuses.length > 3, 'the token endpoint has a larger budget than a sign-in form');
    });
  });
}
