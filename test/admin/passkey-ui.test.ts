// The admin UI's passkey controls in a real browser with a virtual WebAuthn authenticator, once per
// driver, at phone width: a writer signs in with a password, adds a passkey on the account page,
// signs out, signs in with "Sign in with a passkey", and removes the passkey; an app whose spec does
// not list "passkey" shows no passkey button.
//
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../harness.ts';
import { startAuthApp, type AuthApp } from '../auth/helpers.ts';
import { magazineWithAuth, PASSWORD } from '../auth/identity-helpers.ts';
import { verifiedAccount } from '../auth/abuse-client.ts';
import { AUTH_TABLES } from '../../src/auth/identity/auth-schema.ts';
import { ensureAdminBuild } from '../../src/experience/admin/admin-build.ts';
import { browserMissing, openBrowser, withScreenshots, type Browser } from './browser.ts';

const skip = browserMissing();

/** A verified account (the mailed link has its own suites) that joins acme as a writer. */
async function writer(app: AuthApp, email: string): Promise<string> {
  const id = await verifiedAccount(app, email, PASSWORD);
  assert.equal((await app.api('/api/tenants/acme/members', { method: 'POST', body: { email, roles: ['writer'] } })).status, 201);
  return id;
}

for (const driver of await drivers()) {
  describe(`passkeys in the admin UI (${driver})`, { skip }, () => {
    let app: AuthApp;
    let plain: AuthApp;
    let browser: Browser;

    before(async () => {
      const build = await ensureAdminBuild();
      assert.equal(build.error, undefined, build.error);
      app = await startAuthApp(driver, { spec: magazineWithAuth({ methods: ['password', 'passkey'] }), host: 'localhost' });
      plain = await startAuthApp(driver, { spec: magazineWithAuth({ methods: ['password'] }), host: 'localhost' });
      for (const a of [app, plain]) assert.equal((await a.api('/api/tenants', { method: 'POST', body: { slug: 'acme', name: 'Acme' } })).status, 201);
      browser = await openBrowser(390, 844);
      const cdp = await browser.context.newCDPSession(browser.page);
      await cdp.send('WebAuthn.enable');
      await cdp.send('WebAuthn.addVirtualAuthenticator', { options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true } });
    });
    after(async () => {
      await browser?.close();
      await app?.close();
      await plain?.close();
    });

    test('a writer adds a passkey, signs out, signs in with it, and removes it', async () => {
      const { page } = browser;
      const id = await writer(app, 'wren@example.com');
      await withScreenshots(`passkey-ui-${driver}`, () => [page], async () => {
        await page.goto(`${app.url}/admin/`);
        await page.getByLabel('Email', { exact: true }).fill('wren@example.com');
        await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await page.getByRole('heading', { level: 1, name: 'Articles' }).waitFor();

        await page.getByRole('link', { name: 'Account' }).click();
        await page.getByRole('heading', { level: 1, name: 'Account' }).waitFor();
        await page.getByText('You have no passkeys yet.').waitFor();
        await page.getByLabel('Passkey name (optional)').fill('Work laptop');
        await page.getByRole('button', { name: 'Add a passkey' }).click();
        await page.getByRole('status').getByText('Passkey “Work laptop” added.').waitFor();
        await page.getByRole('list', { name: 'Your passkeys' }).getByText('Work laptop').waitFor();
        const rows = await app.store.driver.db.selectFrom(AUTH_TABLES.passkey).select('name').where('userId', '=', id).execute();
        assert.deepEqual(rows.map((r) => r.name), ['Work laptop']);

        await page.getByRole('button', { name: 'Sign out', exact: true }).click();
        await page.getByRole('heading', { name: 'Sign in to Kiln' }).waitFor();
        await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
        await page.getByRole('heading', { level: 1, name: 'Articles' }).waitFor();
        const me = await page.evaluate(() => fetch('/api/me').then((r) => r.json() as Promise<{ data: { id: string } }>));
        assert.equal(me.data.id, id);

        await page.getByRole('link', { name: 'Account' }).click();
        await page.getByRole('button', { name: 'Remove passkey Work laptop' }).click();
        await page.getByText('You have no passkeys yet.').waitFor();
        assert.equal((await app.store.driver.db.selectFrom(AUTH_TABLES.passkey).select('id').where('userId', '=', id).execute()).length, 0);
      });
    });

    test('without "passkey" in the spec the sign-in page offers no passkey button', async () => {
      const { page } = browser;
      await withScreenshots(`passkey-ui-off-${driver}`, () => [page], async () => {
        // The page asks whether passkeys are offered; once it has its answer (and has drawn it), no button.
        const asked = page.waitForResponse((r) => r.url().endsWith('/api/auth/passkey/list-user-passkeys'));
        await page.goto(`${plain.url}/admin/`);
        await page.getByRole('heading', { name: 'Sign in to Kiln' }).waitFor();
        assert.equal((await asked).status(), 404);
        await page.evaluate(() => {
          const frame = (globalThis as unknown as { requestAnimationFrame: (f: () => void) => void }).requestAnimationFrame;
          return new Promise<void>((drawn) => frame(() => frame(drawn)));
        });
        assert.equal(await page.getByRole('button', { name: 'Sign in with a passkey' }).count(), 0);
      });
    });
  });
}
