// The provider's steps as the admin UI drives them, with fetch as the browser (the browser suite
// test/admin/oauth-pages.test.ts drives the real pages): interactions go on to /admin/consent/:uid,
// whose JSON answers (details, confirm, deny) take only same-origin JSON with the interaction
// cookie; the device flow's verification URI is /admin/device, whose lookups oidc-provider answers
// in JSON, and whose confirmation ends back there.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import { drivers } from '../harness.ts';
import { Browser, clientFor, PASSWORD, REDIRECT, startOidcApp, verifiedUser, type OidcApp } from './oidc-helpers.ts';

const EMAIL = 'iris@example.com';

type DeviceAnswer = {
  code?: string;
  xsrf?: string;
  data: { xsrf: string; userCode: string; client: { id: string; name: string }; tenant: string | null; scopes: { text: string }[]; refused: string | null };
};

for (const driver of await drivers()) {
  describe(`OAuth pages of the admin UI, over HTTP (${driver})`, () => {
    let app: OidcApp;
    let userId: string;
    let mobile: oidc.Configuration;
    before(async () => {
      app = await startOidcApp(driver, { adminUi: true });
      userId = await verifiedUser(app, EMAIL);
      for (const slug of ['northwind', 'acme']) assert.equal((await app.api('/api/tenants', { body: { slug, name: slug } })).status, 201);
      assert.equal((await app.api('/api/tenants/northwind/members', { body: { email: EMAIL, roles: ['editor'] } })).status, 201);
      mobile = await clientFor(app, 'mobile');
    });
    after(() => app.close());

    async function signedIn(): Promise<Browser> {
      const browser = new Browser(app.url);
      const res = await fetch(`${app.url}/api/auth/sign-in/email`, { method: 'POST', headers: { 'content-type': 'application/json', origin: app.url }, body: JSON.stringify({ email: EMAIL, password: PASSWORD }) });
      assert.equal(res.status, 200);
      browser.jar.take(res.headers);
      return browser;
    }

    /** What the page's fetch sends: JSON, same origin, with the browser's cookies. */
    async function json(browser: Browser, path: string, o: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
      const res = await fetch(new URL(path, app.url), {
        method: o.method ?? (o.body === undefined ? 'GET' : 'POST'),
        headers: { accept: 'application/json', cookie: browser.jar.header(), origin: app.url, ...(o.body !== undefined && { 'content-type': 'application/json' }), ...o.headers },
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
      });
      browser.jar.take(res.headers);
      const text = await res.text();
      return { status: res.status, type: res.headers.get('content-type'), body: text ? JSON.parse(text) : undefined };
    }

    async function start(tenant: string, scope = 'openid email') {
      const verifier = oidc.randomPKCECodeVerifier();
      const url = oidc.buildAuthorizationUrl(mobile, { redirect_uri: REDIRECT, scope, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state: 'st', kiln_tenant: tenant });
      return { url, verifier };
    }

    /** Follows the page's own steps: details, then confirm while nothing is to be asked; returns the consent step's uid. */
    async function toConsent(browser: Browser, tenant: string) {
      const { url, verifier } = await start(tenant);
      let page = await browser.go(url.href);
      for (;;) {
        const uid = /\/admin\/consent\/([^/?]+)$/.exec(new URL(page.url).pathname)?.[1];
        assert.ok(uid, `not on the consent page: ${page.url}`);
        const step = await json(browser, `/oidc/interaction/${uid}/details`);
        assert.equal(step.status, 200, JSON.stringify(step.body));
        if (step.body.data.ask) return { uid, step: step.body.data, verifier };
        const next = await json(browser, `/oidc/interaction/${uid}/confirm`, { body: {} });
        assert.equal(next.status, 200, JSON.stringify(next.body));
        page = await browser.go(next.body.data.redirectTo);
      }
    }

    test('an authorization request goes on to the admin UI, which signs in with the session, asks, and allows', async () => {
      const browser = await signedIn();
      const { uid, step, verifier } = await toConsent(browser, 'northwind');
      assert.equal(step.step, 'consent');
      assert.deepEqual(step.client, { id: 'mobile', name: 'Mobile App' });
      assert.equal(step.tenant, 'northwind');
      assert.deepEqual(step.scopes.map((s: { text: string }) => s.text), ['Know who you are', 'See your email address', "Use this app's API on your behalf in northwind"]);
      assert.equal(step.refused, null);

      // Only this app's pages may answer: not a form post, not another origin, not without the interaction cookie.
      const form = await fetch(`${app.url}/oidc/interaction/${uid}/confirm`, { method: 'POST', headers: { cookie: browser.jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' });
      assert.equal(form.status, 415);
      assert.equal((await json(browser, `/oidc/interaction/${uid}/confirm`, { body: {}, headers: { origin: 'https://evil.example' } })).status, 403);
      assert.equal((await json(browser, `/oidc/interaction/${uid}/confirm`, { body: {}, headers: { 'sec-fetch-site': 'cross-site' } })).status, 403);
      const stranger = await signedIn();
      stranger.jar.cookies.forEach((_v, k) => k.startsWith('kiln_oidc') && stranger.jar.cookies.delete(k));
      const noCookie = await json(stranger, `/oidc/interaction/${uid}/confirm`, { body: {} });
      assert.equal(noCookie.status, 404);
      assert.equal(noCookie.type, 'application/problem+json');
      assert.match(noCookie.body.detail, /expired or was already completed/);

      const allowed = await json(browser, `/oidc/interaction/${uid}/confirm`, { body: {} });
      assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
      const back = await browser.go(allowed.body.data.redirectTo);
      const tokens = await oidc.authorizationCodeGrant(mobile, new URL(back.url), { pkceCodeVerifier: verifier, expectedState: 'st' });
      assert.equal(tokens.claims()!.sub, userId);
      assert.equal(decodeJwt(tokens.access_token).kiln_tenant, 'northwind');
      // The step is done: answering it again finds nothing.
      assert.equal((await json(browser, `/oidc/interaction/${uid}/confirm`, { body: {} })).status, 404);
    });

    test('deny sends access_denied to the client; a tenant the person is not a member of is refused up front', async () => {
      const browser = await signedIn();
      const a = await toConsent(browser, 'northwind');
      const denied = await json(browser, `/oidc/interaction/${a.uid}/deny`, { body: {} });
      const back = new URL((await browser.go(denied.body.data.redirectTo)).url);
      assert.equal(back.origin + back.pathname, REDIRECT);
      assert.equal(back.searchParams.get('error'), 'access_denied');

      const b = await toConsent(browser, 'acme');
      assert.match(b.step.refused, /not a member of "acme"/);
      const refused = await json(browser, `/oidc/interaction/${b.uid}/confirm`, { body: {} });
      const back2 = new URL((await browser.go(refused.body.data.redirectTo)).url);
      assert.equal(back2.searchParams.get('error'), 'access_denied');
    });

    test('without a session the page is asked for one; prompt=login asks for the password again', async () => {
      const anonymous = new Browser(app.url);
      const { url } = await start('northwind');
      const page = await anonymous.go(url.href);
      const uid = /\/admin\/consent\/([^/?]+)$/.exec(new URL(page.url).pathname)![1];
      assert.equal((await json(anonymous, `/oidc/interaction/${uid}/details`)).status, 401);

      const browser = await signedIn();
      const verifier = oidc.randomPKCECodeVerifier();
      const forced = oidc.buildAuthorizationUrl(mobile, { redirect_uri: REDIRECT, scope: 'openid', prompt: 'login', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', kiln_tenant: 'northwind' });
      const p = await browser.go(forced.href);
      const uid2 = /\/admin\/consent\/([^/?]+)$/.exec(new URL(p.url).pathname)![1];
      const step = await json(browser, `/oidc/interaction/${uid2}/details`);
      assert.equal(step.body.data.step, 'login');
      assert.equal(step.body.data.password, true);
      const wrong = await json(browser, `/oidc/interaction/${uid2}/confirm`, { body: { password: 'not it' } });
      assert.equal(wrong.status, 401);
      assert.deepEqual(wrong.body.errors, [{ field: 'password', detail: 'is not right' }]);
      const right = await json(browser, `/oidc/interaction/${uid2}/confirm`, { body: { password: PASSWORD } });
      assert.equal(right.status, 200, JSON.stringify(right.body));
      assert.match(right.body.data.redirectTo, /\/oidc\/auth\//);
    });

    test('device flow: the verification URI is the admin UI page; codes are looked up in JSON; confirming ends there', async () => {
      const tv = await clientFor(app, 'tv');
      const device = await oidc.initiateDeviceAuthorization(tv, { scope: 'openid email', kiln_tenant: 'northwind' });
      assert.equal(device.verification_uri, `${app.url}/admin/device`);
      assert.equal(device.verification_uri_complete, `${app.url}/admin/device?user_code=${encodeURIComponent(device.user_code)}`);
      const browser = await signedIn();
      // The provider's own link (as an older verification URI) ends on the admin UI's page too, code and all.
      const viaProvider = await browser.submit(await browser.go(`${app.url}/oidc/device?user_code=${encodeURIComponent(device.user_code)}`), {});
      assert.equal(new URL(viaProvider.url).pathname + new URL(viaProvider.url).search, `/admin/device?user_code=${encodeURIComponent(device.user_code)}`);

      const start = await json(browser, '/oidc/device');
      assert.equal(start.status, 200);
      const xsrf = start.body.data.xsrf as string;
      assert.match(xsrf, /^[0-9a-f]{48}$/);

      const lookup = (fields: Record<string, string>) =>
        fetch(`${app.url}/oidc/device`, { method: 'POST', headers: { accept: 'application/json', cookie: browser.jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) }).then(async (r) => {
          browser.jar.take(r.headers);
          return { status: r.status, body: (await r.json()) as DeviceAnswer };
        });
      const wrong = await lookup({ xsrf, user_code: 'BCDF-GHJK' });
      assert.equal(wrong.status, 400);
      assert.equal(wrong.body.code, 'not_found');
      const found = await lookup({ xsrf: wrong.body.xsrf!, user_code: device.user_code });
      assert.equal(found.status, 200, JSON.stringify(found.body));
      assert.deepEqual(found.body.data.client, { id: 'tv', name: 'TV App' });
      assert.equal(found.body.data.userCode, device.user_code);
      assert.equal(found.body.data.refused, null);
      assert.ok(found.body.data.scopes.some((s) => s.text === 'See your email address'));

      // The page confirms with a real form post; the browser ends back on the page, told it worked.
      const done = await browser.go(`${app.url}/oidc/device`, { form: { xsrf: found.body.data.xsrf, user_code: device.user_code, confirm: 'yes' } });
      assert.equal(new URL(done.url).pathname + new URL(done.url).search, '/admin/device?done=1');
      const tokens = await oidc.pollDeviceAuthorizationGrant(tv, device);
      assert.equal(tokens.claims()!.sub, userId);
      assert.equal((await app.api('/api/t/northwind/articles', { token: tokens.access_token })).status, 200);
    });
  });
}
