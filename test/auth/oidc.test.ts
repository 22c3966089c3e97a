// The OAuth 2.1 / OpenID Connect provider end to end, once per driver, with openid-client as the
// client and fetch with a cookie jar as the browser: discovery, code + PKCE, refusals, device flow,
// refresh rotation with reuse detection and the grace window, revocation, introspection, ID token
// claims, logout, key rotation, and bearer access tokens on the content API.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { drivers } from '../harness.ts';
import { rotateSigningKeys } from '../../src/auth/provider/signing-keys.ts';
import { authorize, Browser, clientFor, PASSWORD, REDIRECT, startOidcApp, verifiedUser, type OidcApp } from './oidc-helpers.ts';

const EMAIL = 'ada@example.com';

for (const driver of await drivers()) {
  describe(`OAuth / OpenID Connect provider (${driver})`, () => {
    let app: OidcApp;
    let userId: string;
    let mobile: oidc.Configuration;
    let web: oidc.Configuration;
    before(async () => {
      app = await startOidcApp(driver, { keyPollMs: 100, roles: async (_user, tenant) => (tenant === 'northwind' ? ['editor'] : []) });
      userId = await verifiedUser(app, EMAIL);
      for (const slug of ['northwind', 'acme']) assert.equal((await app.api('/api/tenants', { body: { slug, name: slug } })).status, 201);
      mobile = await clientFor(app, 'mobile');
      web = await clientFor(app, 'web');
    });
    after(() => app.close());

    const me = async (browser: Browser) => ((await (await fetch(`${app.url}/api/me`, { headers: { cookie: browser.jar.header() } })).json()) as { data: { kind: string } }).data;

    /** Signs in through the form and consents; returns the token response. */
    async function codeFlow(config = mobile, o: { tenant?: string; browser?: Browser } = {}) {
      const browser = o.browser ?? new Browser(app.url);
      const r = await authorize(app, browser, config, { tenant: o.tenant ?? 'northwind', extra: { login_hint: EMAIL } });
      assert.equal(new URL(r.page.url).origin + new URL(r.page.url).pathname, REDIRECT, r.page.text);
      return oidc.authorizationCodeGrant(config, new URL(r.page.url), { pkceCodeVerifier: r.verifier, expectedState: r.state });
    }

    test('discovery and JWKS describe the provider', async () => {
      const meta = mobile.serverMetadata();
      assert.equal(meta.issuer, app.issuer);
      assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
      assert.deepEqual(meta.response_types_supported, ['code']);
      for (const g of ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code']) assert.ok(meta.grant_types_supported?.includes(g), g);
      for (const e of ['token_endpoint', 'revocation_endpoint', 'introspection_endpoint', 'device_authorization_endpoint', 'end_session_endpoint', 'jwks_uri']) {
        assert.ok(String(meta[e as keyof typeof meta]).startsWith(`${app.issuer}/`), e);
      }
      const jwks = (await (await fetch(meta.jwks_uri!)).json()) as { keys: Record<string, unknown>[] };
      assert.ok(jwks.keys.length >= 1);
      for (const k of jwks.keys) {
        assert.equal(k.alg, 'RS256');
        assert.equal(k.d, undefined, 'no private parts are published');
      }
      // A forged Host header does not change the URLs the provider advertises.
      const forged = await fetch(`${app.issuer}/.well-known/openid-configuration`, { headers: { 'x-forwarded-host': 'evil.example' } });
      assert.equal(((await forged.json()) as { token_endpoint: string }).token_endpoint, meta.token_endpoint);
    });

    test('code + PKCE: sign-in form, consent page, tokens, ID token claims, and the token on the content API', async () => {
      const browser = new Browser(app.url);
      const verifier = oidc.randomPKCECodeVerifier();
      const url = oidc.buildAuthorizationUrl(mobile, {
        redirect_uri: REDIRECT,
        scope: 'openid email offline_access',
        prompt: 'consent',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: 's1',
        kiln_tenant: 'northwind',
      });
      const signIn = await browser.go(url.href);
      assert.equal(signIn.status, 200);
      assert.match(signIn.text, /<label for="email">Email<\/label>/);
      const wrong = await browser.submit(signIn, { email: EMAIL, password: 'not the password' });
      assert.equal(wrong.status, 401);
      assert.match(wrong.text, /role="alert">The email or password is not right/);
      const consent = await browser.submit(wrong, { email: EMAIL, password: PASSWORD });
      assert.equal(consent.status, 200);
      assert.match(consent.text, /Allow Mobile App\?/);
      assert.match(consent.text, /See your email address/);
      assert.match(consent.text, /in northwind/);
      const back = await browser.go(/action="([^"]+)"/.exec(consent.text)![1], { form: { decision: 'allow' } });
      const tokens = await oidc.authorizationCodeGrant(mobile, new URL(back.url), { pkceCodeVerifier: verifier, expectedState: 's1' });

      const id = tokens.claims()!;
      assert.equal(id.sub, userId);
      assert.equal(id.email, EMAIL);
      assert.equal(id.email_verified, true);
      assert.equal(id.aud, 'mobile');
      assert.equal(id.iss, app.issuer);
      assert.ok(tokens.refresh_token);

      assert.equal(decodeProtectedHeader(tokens.access_token).typ, 'at+jwt');
      const at = decodeJwt(tokens.access_token);
      assert.equal(at.sub, userId);
      assert.equal(at.aud, `${app.url}/api`);
      assert.equal(at.client_id, 'mobile');
      assert.equal(at.kiln_tenant, 'northwind');
      assert.deepEqual(at.kiln_roles, ['editor']);
      assert.equal(at.exp! - at.iat!, 300);

      // The tenant and roles it carries apply, exactly as for an API key.
      const bearer = tokens.access_token;
      const me = await app.api('/api/me', { token: bearer });
      assert.deepEqual(me.body.data, { kind: 'user', id: userId, roles: ['editor'] });
      const created = await app.api('/api/t/northwind/tags', { token: bearer, body: { name: 'oauth' } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal((await app.api('/api/t/northwind/tags', { token: bearer })).body.data.length, 1);
      assert.equal((await app.api('/api/t/acme/tags', { token: bearer })).status, 404);
      assert.equal((await app.api('/api/t/acme/tags', { token: bearer, body: { name: 'x' } })).status, 404);
      // A tampered token is refused, never downgraded to anonymous.
      const [h, p] = bearer.split('.');
      assert.equal((await app.api('/api/t/northwind/tags', { token: `${h}.${p}.${'A'.repeat(342)}` })).status, 401);
    });

    test('a request without PKCE, or with a redirect URI the client did not register, is refused', async () => {
      const browser = new Browser(app.url);
      const noPkce = await browser.go(oidc.buildAuthorizationUrl(mobile, { redirect_uri: REDIRECT, scope: 'openid', state: 's2' }).href);
      const err = new URL(noPkce.url);
      assert.equal(err.origin + err.pathname, REDIRECT);
      assert.equal(err.searchParams.get('error'), 'invalid_request');
      assert.match(err.searchParams.get('error_description') ?? '', /PKCE/);

      const challenge = await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier());
      const wrong = await browser.go(oidc.buildAuthorizationUrl(mobile, { redirect_uri: 'http://127.0.0.1:9/elsewhere', scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' }).href);
      assert.equal(wrong.status, 400);
      assert.equal(new URL(wrong.url).origin, app.url, 'no redirect to an unregistered URI');
      assert.match(wrong.text, /redirect_uri/);

      // PKCE is required of confidential clients too.
      const conf = await browser.go(oidc.buildAuthorizationUrl(web, { redirect_uri: REDIRECT, scope: 'openid', state: 's3' }).href);
      assert.equal(new URL(conf.url).searchParams.get('error'), 'invalid_request');
    });

    test('a confidential client signs in with an existing Kiln session and is consented automatically', async () => {
      const browser = new Browser(app.url);
      const signIn = await fetch(`${app.url}/api/auth/sign-in/email`, { method: 'POST', headers: { 'content-type': 'application/json', origin: app.url }, body: JSON.stringify({ email: EMAIL, password: PASSWORD }) });
      assert.equal(signIn.status, 200);
      browser.jar.take(signIn.headers);
      const r = await authorize(app, browser, web, { tenant: 'northwind' });
      assert.equal(r.page.status, 303, 'no sign-in form and no consent page');
      const tokens = await oidc.authorizationCodeGrant(web, new URL(r.page.url), { pkceCodeVerifier: r.verifier, expectedState: r.state });
      assert.equal(tokens.claims()!.sub, userId);
      assert.equal(decodeJwt(tokens.access_token).client_id, 'web');
    });

    test('device flow: the TV shows a code, the user enters and confirms it, the TV gets tokens', async () => {
      const tv = await clientFor(app, 'tv');
      const device = await oidc.initiateDeviceAuthorization(tv, { scope: 'openid email offline_access', kiln_tenant: 'northwind' });
      assert.match(device.user_code, /^[A-Z]{4}-[A-Z]{4}$/);
      const browser = new Browser(app.url);
      const signIn = await fetch(`${app.url}/api/auth/sign-in/email`, { method: 'POST', headers: { 'content-type': 'application/json', origin: app.url }, body: JSON.stringify({ email: EMAIL, password: PASSWORD }) });
      browser.jar.take(signIn.headers);

      const entry = await browser.go(device.verification_uri);
      assert.equal(entry.status, 200);
      assert.match(entry.text, /Enter the code shown on your device/);
      const bad = await browser.submit(entry, { user_code: 'BCDF-GHJK' });
      assert.match(bad.text, /That code is not valid/);
      const confirm = await browser.submit(bad, { user_code: device.user_code });
      assert.match(confirm.text, /TV App/);
      assert.ok(confirm.text.includes(device.user_code));
      const consent = await browser.submit(confirm, {}, /deviceConfirmForm/);
      assert.match(consent.text, /Allow TV App\?/);
      const done = await browser.go(/action="([^"]+)"/.exec(consent.text)![1], { form: { decision: 'allow' } });
      assert.match(done.text, /TV App is signed in/);

      const tokens = await oidc.pollDeviceAuthorizationGrant(tv, device);
      assert.equal(tokens.claims()!.sub, userId);
      const at = decodeJwt(tokens.access_token);
      assert.equal(at.kiln_tenant, 'northwind');
      assert.equal((await app.api('/api/t/northwind/tags', { token: tokens.access_token })).status, 200);
      assert.ok(tokens.refresh_token);
    });

    test('refresh tokens rotate; a retry within the grace window gets the same answer; other reuse revokes the grant', async () => {
      const first = await codeFlow();
      const rt1 = first.refresh_token!;
      const second = await oidc.refreshTokenGrant(mobile, rt1);
      assert.notEqual(second.refresh_token, rt1, 'rotated');
      assert.notEqual(second.access_token, first.access_token);
      // The client never saw that answer and retries, twice at once: the same tokens, not new ones.
      const [retryA, retryB] = await Promise.all([oidc.refreshTokenGrant(mobile, rt1), oidc.refreshTokenGrant(mobile, rt1)]);
      for (const retry of [retryA, retryB]) {
        assert.equal(retry.refresh_token, second.refresh_token);
        assert.equal(retry.access_token, second.access_token);
      }
      // Concurrent first use of one token: one rotation, both callers get it.
      const [c1, c2] = await Promise.all([oidc.refreshTokenGrant(mobile, second.refresh_token!), oidc.refreshTokenGrant(mobile, second.refresh_token!)]);
      assert.equal(c1.refresh_token, c2.refresh_token);
      const rt3 = c1.refresh_token!;
      assert.equal((await app.api('/api/t/northwind/tags', { token: c1.access_token })).status, 200);
      const third = await oidc.refreshTokenGrant(mobile, rt3);

      // rt1 is no longer the immediately previous token: presenting it is theft, and the grant goes.
      await assert.rejects(oidc.refreshTokenGrant(mobile, rt1), (e: oidc.ResponseBodyError) => e.error === 'invalid_grant');
      await assert.rejects(oidc.refreshTokenGrant(mobile, third.refresh_token!), (e: oidc.ResponseBodyError) => e.error === 'invalid_grant');
      assert.equal((await app.api('/api/t/northwind/tags', { token: third.access_token })).status, 401);
      assert.equal((await app.api('/api/t/northwind/tags', { token: c1.access_token })).status, 401);
    });

    test('revocation (RFC 7009) of access and refresh tokens; the API refuses a revoked access token at once', async () => {
      const a = await codeFlow();
      assert.equal((await app.api('/api/t/northwind/tags', { token: a.access_token })).status, 200);
      await oidc.tokenRevocation(mobile, a.access_token, { token_type_hint: 'access_token' });
      const refused = await app.api('/api/t/northwind/tags', { token: a.access_token });
      assert.equal(refused.status, 401);
      assert.equal(refused.headers.get('content-type'), 'application/problem+json');
      // Only that access token: the refresh token still works.
      const b = await oidc.refreshTokenGrant(mobile, a.refresh_token!);
      assert.equal((await app.api('/api/t/northwind/tags', { token: b.access_token })).status, 200);

      await oidc.tokenRevocation(mobile, b.refresh_token!, { token_type_hint: 'refresh_token' });
      await assert.rejects(oidc.refreshTokenGrant(mobile, b.refresh_token!), (e: oidc.ResponseBodyError) => e.error === 'invalid_grant');
      assert.equal((await app.api('/api/t/northwind/tags', { token: b.access_token })).status, 401, 'the grant\'s access tokens go with it');

      // Another client cannot revoke this client's token.
      const c = await codeFlow();
      await oidc.tokenRevocation(web, c.access_token);
      assert.equal((await app.api('/api/t/northwind/tags', { token: c.access_token })).status, 200);
    });

    test('introspection (RFC 7662) of access and refresh tokens', async () => {
      const t = await codeFlow(web, { tenant: 'northwind' });
      const at = await oidc.tokenIntrospection(web, t.access_token);
      assert.equal(at.active, true);
      assert.equal(at.sub, userId);
      assert.equal(at.client_id, 'web');
      assert.equal(at.kiln_tenant, 'northwind');
      const rt = await oidc.tokenIntrospection(web, t.refresh_token!);
      assert.equal(rt.active, true);
      assert.equal(rt.client_id, 'web');
      assert.equal(rt.sub, userId);
      await oidc.tokenRevocation(web, t.access_token);
      assert.equal((await oidc.tokenIntrospection(web, t.access_token)).active, false);
      assert.equal((await oidc.tokenIntrospection(web, 'not-a-token')).active, false);
    });

    test('RP-initiated logout ends the provider and Kiln sessions and returns to the client', async () => {
      const browser = new Browser(app.url);
      const t = await codeFlow(web, { browser });
      assert.equal((await me(browser)).kind, 'user');
      const confirm = await browser.go(oidc.buildEndSessionUrl(web, { id_token_hint: t.id_token!, post_logout_redirect_uri: 'http://127.0.0.1:9/bye', state: 'bye' }).href);
      assert.match(confirm.text, /Sign out of/);
      const out = await browser.submit(confirm, { logout: 'yes' });
      assert.equal(new URL(out.url).origin + new URL(out.url).pathname, 'http://127.0.0.1:9/bye');
      assert.equal(new URL(out.url).searchParams.get('state'), 'bye');
      assert.equal((await me(browser)).kind, 'anonymous', 'the Kiln session is gone too');
    });

    test('key rotation: the new key signs, the old one stays published, old tokens still verify', async () => {
      const before = await codeFlow();
      const oldKid = decodeProtectedHeader(before.access_token).kid;
      const { kid } = await rotateSigningKeys(app.store.driver, { activateIn: 0, keepSeconds: 3600 });
      // Every process reads the key table now and then (here every 100 ms): wait until this one publishes it.
      for (let i = 0; i < 100; i++) {
        const keys = (await (await fetch(`${app.issuer}/jwks`)).json()) as { keys: { kid: string }[] };
        if (keys.keys.some((k) => k.kid === kid)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const after = await codeFlow();
      assert.equal(decodeProtectedHeader(after.access_token).kid, kid);
      const jwks = (await (await fetch(`${app.issuer}/jwks`)).json()) as { keys: { kid: string }[] };
      assert.deepEqual(new Set(jwks.keys.map((k) => k.kid)), new Set([kid, oldKid]));
      assert.equal((await app.api('/api/t/northwind/tags', { token: before.access_token })).status, 200);
      assert.equal((await app.api('/api/t/northwind/tags', { token: after.access_token })).status, 200);
      assert.equal(after.claims()!.sub, userId, 'ID tokens signed with the new key verify against the published set');
    });
  });
}
