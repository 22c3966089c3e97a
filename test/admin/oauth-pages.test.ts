// The OAuth provider's pages in the admin UI, in a real browser, once per driver: a TV app (openid-
// client) starts the device flow, a member opens its link, signs in, checks the code and allows it,
// and the TV's polling gets tokens that read the tenant's content; a wrong code is refused on the
// page. A mobile app runs code + PKCE: the browser signs in, sees the consent page with the app's
// name and what it asks, allows (the app exchanges the code) or denies (access_denied).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import type { Page } from 'playwright-core';
import { drivers } from '../harness.ts';
import { clientFor, PASSWORD, REDIRECT, startOidcApp, verifiedUser, type OidcApp } from '../auth/oidc-helpers.ts';
import { ensureAdminBuild } from '../../src/experience/admin/admin-build.ts';
import { browserMissing, openBrowser, withScreenshots, type Browser } from './browser.ts';

const EMAIL = 'mira@example.com';
const skip = browserMissing();

/**
 * A browser whose visits to the client's redirect URI get a small page (nothing listens there), so
 * the test sees where the provider sent it. Chromium refuses port 9 unless told otherwise.
 */
async function clientBrowser(): Promise<Browser> {
  const b = await openBrowser(1280, 900, [`--explicitly-allowed-ports=${new URL(REDIRECT).port}`]);
  await b.context.route(`${new URL(REDIRECT).origin}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Back in the app</title><h1>Back in the app</h1>' }));
  return b;
}

async function backInTheApp(page: Page): Promise<URL> {
  await page.getByRole('heading', { name: 'Back in the app' }).waitFor();
  const url = new URL(page.url());
  assert.equal(url.origin + url.pathname, REDIRECT);
  return url;
}

async function signIn(page: Page): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in to Kiln' }).waitFor();
  await page.getByLabel('Email', { exact: true }).fill(EMAIL);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

for (const driver of await drivers()) {
  describe(`OAuth pages of the admin UI in a browser (${driver})`, { skip }, () => {
    let app: OidcApp;
    let userId: string;
    const browsers: Browser[] = [];
    const pages = () => browsers.map((b) => b.page);

    before(async () => {
      const build = await ensureAdminBuild();
      assert.equal(build.error, undefined, build.error);
      app = await startOidcApp(driver, { adminUi: true });
      userId = await verifiedUser(app, EMAIL);
      assert.equal((await app.api('/api/tenants', { body: { slug: 'northwind', name: 'Northwind' } })).status, 201);
      assert.equal((await app.api('/api/tenants/northwind/members', { body: { email: EMAIL, roles: ['editor'] } })).status, 201);
      assert.equal((await app.api('/api/t/northwind/tags', { body: { name: 'harbours' } })).status, 201);
    });
    after(async () => {
      for (const b of browsers) await b.close();
      await app?.close();
    });

    test('device flow at phone width: the link opens the page with the code, the member allows it, the TV gets tokens; a wrong code is refused', async () => {
      const b = await openBrowser(390, 844);
      browsers.push(b);
      const { page } = b;
      await withScreenshots('oauth-device', pages, async () => {
        const tv = await clientFor(app, 'tv');
        const device = await oidc.initiateDeviceAuthorization(tv, { scope: 'openid email offline_access', kiln_tenant: 'northwind' });
        assert.equal(new URL(device.verification_uri_complete!).pathname, '/admin/device');

        // Not signed in yet: sign in first, then back to the page with the code filled in.
        await page.goto(device.verification_uri_complete!);
        await signIn(page);
        await page.getByRole('heading', { name: 'Connect a device' }).waitFor();
        const input = page.getByLabel('Code shown on your device');
        assert.equal(await input.inputValue(), device.user_code);
        await page.getByRole('button', { name: 'Continue' }).click();

        await page.getByRole('heading', { name: 'Connect TV App?' }).waitFor();
        assert.equal(await page.locator('.device-code').textContent(), device.user_code);
        const asks = page.getByRole('list', { name: 'TV App would like to:' });
        for (const text of ['Know who you are', 'See your email address', 'Stay signed in when you are away', "Use this app's API on your behalf in northwind"]) {
          await asks.getByRole('listitem').filter({ hasText: text }).waitFor();
        }
        await page.getByRole('button', { name: 'Allow' }).click();
        await page.getByRole('heading', { name: 'Device connected' }).waitFor();
        await page.getByText('TV App is signed in.').waitFor();

        const tokens = await oidc.pollDeviceAuthorizationGrant(tv, device);
        assert.equal(tokens.claims()!.sub, userId);
        assert.equal(decodeJwt(tokens.access_token).kiln_tenant, 'northwind');
        const tags = await app.api('/api/t/northwind/tags', { token: tokens.access_token });
        assert.equal(tags.status, 200);
        assert.deepEqual(tags.body.data.map((t: { name: string }) => t.name), ['harbours']);

        // A code no device shows, typed by keyboard: refused beside the field.
        await page.getByRole('button', { name: 'Connect another device' }).click();
        await page.getByRole('heading', { name: 'Connect a device' }).waitFor();
        await input.focus();
        await page.keyboard.type('zzzzzzzz');
        assert.equal(await input.inputValue(), 'ZZZZ-ZZZZ');
        await page.keyboard.press('Enter');
        await page.getByRole('alert').filter({ hasText: 'That code is not valid' }).waitFor();
        assert.equal(await input.getAttribute('aria-invalid'), 'true');
        // The page fits the phone: nothing scrolls sideways.
        assert.equal(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'), 0);
      });
    });

    test('code + PKCE: sign in, the consent page names the app and what it asks; Allow gives a code, Deny gives access_denied', async () => {
      const b = await clientBrowser();
      browsers.push(b);
      const { page } = b;
      await withScreenshots('oauth-consent', pages, async () => {
        const mobile = await clientFor(app, 'mobile');
        const authorization = async () => {
          const verifier = oidc.randomPKCECodeVerifier();
          const url = oidc.buildAuthorizationUrl(mobile, {
            redirect_uri: REDIRECT,
            scope: 'openid email',
            code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
            code_challenge_method: 'S256',
            state: 'st',
            kiln_tenant: 'northwind',
          });
          return { url: url.href, verifier };
        };

        const first = await authorization();
        await page.goto(first.url);
        await signIn(page);
        await page.getByRole('heading', { name: 'Allow Mobile App to use your account?' }).waitFor();
        assert.match(new URL(page.url()).pathname, /^\/admin\/consent\/[^/]+$/);
        const asks = page.getByRole('list', { name: 'Mobile App would like to:' });
        assert.deepEqual(await asks.getByRole('listitem').allTextContents(), ['Know who you are', 'See your email address', "Use this app's API on your behalf in northwind"]);
        await page.getByText('Tenant: northwind').waitFor();
        // By keyboard: the page starts at its heading, and the next stop is Allow.
        assert.equal(await page.evaluate('document.activeElement?.id'), 'oauth-title');
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Allow');
        await page.keyboard.press('Enter');
        const allowed = await backInTheApp(page);
        const tokens = await oidc.authorizationCodeGrant(mobile, allowed, { pkceCodeVerifier: first.verifier, expectedState: 'st' });
        assert.equal(tokens.claims()!.sub, userId);
        assert.equal((await app.api('/api/t/northwind/tags', { token: tokens.access_token })).status, 200);

        // Signed in now: straight to the consent page (a public app on a device is asked every time, RFC 8252); Deny.
        const second = await authorization();
        await page.goto(second.url);
        await page.getByRole('heading', { name: 'Allow Mobile App to use your account?' }).waitFor();
        const consentUrl = page.url();
        await page.getByRole('button', { name: 'Deny' }).click();
        const back = await backInTheApp(page);
        assert.equal(back.searchParams.get('error'), 'access_denied');
        assert.equal(back.searchParams.get('state'), 'st');

        // The same page again: that request is over.
        await page.goto(consentUrl);
        await page.getByRole('heading', { name: 'This request has ended' }).waitFor();
      });
    });
  });
}
