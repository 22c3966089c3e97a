// OAuth tokens carry the roles of the user's real membership in the tenant (organizations), and a
// user who is no member of a tenant gets no token for it: no stand-in for memberships here.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import { drivers } from '../harness.ts';
import { authorize, Browser, clientFor, REDIRECT, startOidcApp, verifiedUser, type OidcApp } from './oidc-helpers.ts';

const EMAIL = 'grace@example.com';

for (const driver of await drivers()) {
  describe(`OAuth tokens and tenant membership (${driver})`, () => {
    let app: OidcApp;
    let userId: string;
    let mobile: oidc.Configuration;
    before(async () => {
      app = await startOidcApp(driver);
      userId = await verifiedUser(app, EMAIL);
      for (const slug of ['northwind', 'acme']) assert.equal((await app.api('/api/tenants', { body: { slug, name: slug } })).status, 201);
      const added = await app.api('/api/tenants/northwind/members', { body: { email: EMAIL, roles: ['writer'] } });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      mobile = await clientFor(app, 'mobile');
    });
    after(() => app.close());

    test('a member gets an access token with the roles of their membership, and the API applies them', async () => {
      const r = await authorize(app, new Browser(app.url), mobile, { tenant: 'northwind', extra: { login_hint: EMAIL } });
      assert.equal(new URL(r.page.url).origin + new URL(r.page.url).pathname, REDIRECT, r.page.text);
      const tokens = await oidc.authorizationCodeGrant(mobile, new URL(r.page.url), { pkceCodeVerifier: r.verifier, expectedState: r.state });
      const claims = decodeJwt(tokens.access_token);
      assert.equal(claims.sub, userId);
      assert.equal(claims.kiln_tenant, 'northwind');
      assert.deepEqual(claims.kiln_roles, ['writer']);
      const me = await app.api('/api/me', { token: tokens.access_token });
      assert.deepEqual(me.body.data, { kind: 'user', id: userId, roles: ['writer'] });
    });

    test('a user who is no member of a tenant is refused a token for it', async () => {
      const r = await authorize(app, new Browser(app.url), mobile, { tenant: 'acme', extra: { login_hint: EMAIL } });
      const back = new URL(r.page.url);
      assert.equal(back.origin + back.pathname, REDIRECT, r.page.text);
      assert.equal(back.searchParams.get('error'), 'access_denied');
      assert.match(back.searchParams.get('error_description') ?? '', /not a member of tenant "acme"/);
    });
  });
}
