// The admin UI's sign-in pages in a real browser, once per driver, against a Kiln app serving the
// magazine with MFA required of editors, a magic link option, an SSO provider for everyone and one
// kept for the northwind tenant, both backed by a real upstream OpenID provider (a second
// oidc-provider): a forgotten password is reset through the mailed link and the new one signs in; a
// person with an authenticator gives the code (a wrong one is refused on the field) or a recovery
// code; an editor who has not enrolled sets up an authenticator; the SSO button signs in through the
// upstream provider and lands on the page asked for; a tenant's own SSO is found by its ID; the
// mailed confirmation link says the address is confirmed, and a spoiled one offers a new one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { drivers } from '../harness.ts';
import { CookieJar, linkIn, SmtpInbox, startAuthApp, type AuthApp } from '../auth/helpers.ts';
import { magazineWithAuth, Mailbox, PASSWORD, totpCode, verifiedPerson } from '../auth/identity-helpers.ts';
import { UpstreamIdp } from '../auth/sso-idp.ts';
import { startMailWorker } from '../../src/auth/mail/mail-delivery.ts';
import type { Worker } from '../../src/data/queue/worker.ts';
import { readSeed, seedIfEmpty } from '../../src/data/seed.ts';
import { ensureAdminBuild } from '../../src/experience/admin/admin-build.ts';
import { browserMissing, openBrowser, withScreenshots, type Browser } from './browser.ts';

const SEED = fileURLToPath(new URL('../../examples/magazine/seed.json', import.meta.url));
const CREDENTIALS: Record<string, { clientId: string; clientSecret: string }> = {
  corp: { clientId: 'kiln-corp', clientSecret: 'corp-secret-0123456789' },
  northwind: { clientId: 'kiln-northwind', clientSecret: 'northwind-secret-0123456789' },
};
const skip = browserMissing();

async function fillSignIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

const articles = (page: Page) => page.getByRole('heading', { level: 1, name: 'Articles' }).waitFor();

for (const driver of await drivers()) {
  describe(`admin sign-in pages in a browser (${driver})`, { skip }, () => {
    let app: AuthApp;
    let idp: UpstreamIdp;
    let inbox: SmtpInbox;
    let worker: Worker;
    let mail: Mailbox;
    const browsers: Browser[] = [];
    const pages = () => browsers.map((b) => b.page);
    const browser = async (width?: number) => {
      const b = await openBrowser(width);
      browsers.push(b);
      return b.page;
    };
    /** A confirmed account that belongs to northwind with `role`; the API session it signed in with. */
    const member = async (email: string, role: string) => {
      const person = await verifiedPerson(app, mail, email, role);
      assert.equal((await app.api('/api/tenants/northwind/members', { method: 'POST', body: { email, roles: [role] } })).status, 201);
      return person;
    };

    before(async () => {
      const build = await ensureAdminBuild();
      assert.equal(build.error, undefined, build.error);
      idp = new UpstreamIdp();
      await idp.listen();
      inbox = new SmtpInbox();
      await inbox.start();
      mail = new Mailbox(inbox);
      const spec = magazineWithAuth({
        methods: ['password', 'magicLink'],
        mfa: { policy: 'required', roles: ['editor'] },
        providers: [
          { id: 'corp', type: 'oidc', issuer: idp.issuer, label: 'Corp SSO' },
          { id: 'northwind', type: 'oidc', issuer: idp.issuer, label: 'Northwind SSO', tenants: ['northwind'] },
        ],
      });
      app = await startAuthApp(driver, { smtpUrl: inbox.url, spec, providerCredentials: (id) => CREDENTIALS[id] });
      idp.configure(Object.entries(CREDENTIALS).map(([id, c]) => ({ client_id: c.clientId, client_secret: c.clientSecret, redirect_uris: [`${app.url}/api/auth/callback/${id}`] })));
      worker = startMailWorker(app.store.driver, { smtpUrl: inbox.url, from: 'Kiln Test <kiln@example.test>' }, { pollMs: 20 });
      assert.ok((await seedIfEmpty(app.store, await readSeed(SEED))) > 0);
    });
    after(async () => {
      for (const b of browsers) await b.close();
      await worker?.stop();
      await app?.close();
      await idp?.close();
      await inbox?.stop();
    });

    test('a forgotten password is reset through the mailed link, and the new one signs in', async () => {
      await member('rosa@example.com', 'writer');
      const page = await browser();
      await withScreenshots('reset', pages, async () => {
        await page.goto(`${app.url}/admin/`);
        await page.getByRole('link', { name: 'Forgot your password?' }).click();
        await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
        // An address without an account gets the same answer, and no mail.
        await page.getByLabel('Email', { exact: true }).fill('nobody@example.com');
        await page.getByRole('button', { name: 'Send the link' }).click();
        const unknown = await page.getByRole('status').textContent();
        assert.match(unknown!, /If there is an account for nobody@example\.com, we have sent it a link/);

        await page.goto(`${app.url}/admin/forgot-password`);
        await page.getByLabel('Email', { exact: true }).fill('rosa@example.com');
        await page.getByRole('button', { name: 'Send the link' }).click();
        const known = await page.getByRole('status').textContent();
        assert.equal(known!.replace('rosa@example.com', 'X'), unknown!.replace('nobody@example.com', 'X'), 'the page does not tell whether the account exists');

        const m = await mail.next();
        assert.deepEqual(m.to, ['rosa@example.com'], 'the reset mail went to the account, none to the unknown address');
        const link = linkIn(m.raw, app.url);
        assert.match(link, /\/api\/auth\/reset-password\/[^?]+\?callbackURL=%2Fadmin%2Freset-password$/);
        await page.goto(link);
        await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
        assert.match(page.url(), /\/admin\/reset-password\?token=/);

        // The server's password policy is shown on the field.
        const fresh = page.getByLabel('New password', { exact: true });
        await fresh.fill('short');
        await page.getByLabel('Confirm the new password').fill('short');
        await page.getByRole('button', { name: 'Set the new password' }).click();
        await page.locator('#new-password-error').getByText('Too short: use at least 8 characters.').waitFor();
        assert.equal(await fresh.getAttribute('aria-invalid'), 'true');

        await fresh.fill('a brand new passphrase');
        await page.getByLabel('Confirm the new password').fill('a brand new passphrase!');
        await page.getByRole('button', { name: 'Set the new password' }).click();
        await page.locator('#confirm-password-error').getByText('The two passwords are not the same.').waitFor();
        await page.getByLabel('Confirm the new password').fill('a brand new passphrase');
        await page.getByRole('button', { name: 'Set the new password' }).click();
        await page.getByRole('heading', { name: 'Your password is changed' }).waitFor();

        await page.getByRole('link', { name: 'Sign in' }).click();
        await fillSignIn(page, 'rosa@example.com', PASSWORD);
        await page.getByRole('alert').getByText('The email or password is not right.').waitFor();
        await fillSignIn(page, 'rosa@example.com', 'a brand new passphrase');
        await articles(page);

        // The link worked once: opened again, it says so and offers a new one.
        const again = await browser();
        await again.goto(link);
        await again.getByRole('heading', { name: 'This link has expired' }).waitFor();
        assert.match(again.url(), /\/admin\/reset-password\?error=INVALID_TOKEN/);
        await again.getByRole('link', { name: 'Request a new link' }).click();
        await again.getByRole('heading', { name: 'Reset your password' }).waitFor();
      });
    });

    test('a person with an authenticator gives the code after the password; a wrong code is refused on the field; a recovery code works', async () => {
      const tess = await member('tess@example.com', 'writer');
      const enrol = await app.post('/api/auth/two-factor/enable', { password: PASSWORD }, tess.jar);
      assert.equal(enrol.status, 200, JSON.stringify(enrol.body));
      const uri: string = enrol.body.totpURI;
      assert.equal((await app.post('/api/auth/two-factor/verify-totp', { code: totpCode(uri) }, tess.jar)).status, 200);

      const page = await browser();
      await withScreenshots('totp', pages, async () => {
        await page.goto(`${app.url}/admin/`);
        await fillSignIn(page, 'tess@example.com');
        await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
        const code = page.getByLabel('Two-factor code');
        await code.fill(totpCode(uri, Date.now() - 10 * 60_000));
        await page.getByRole('button', { name: 'Verify' }).click();
        await page.locator('#two-factor-code-error').getByText('That code is not right.').waitFor();
        assert.equal(await code.getAttribute('aria-invalid'), 'true');
        assert.equal(await page.evaluate(`fetch('/api/me').then((r) => r.json()).then((b) => b.data.kind)`), 'anonymous', 'no session before the code');
        await code.fill(totpCode(uri));
        await page.getByRole('button', { name: 'Verify' }).click();
        await articles(page);
      });

      const other = await browser(390);
      await withScreenshots('recovery', pages, async () => {
        await other.goto(`${app.url}/admin/`);
        await fillSignIn(other, 'tess@example.com');
        await other.getByRole('button', { name: 'Use a recovery code' }).click();
        const recovery = other.getByLabel('Recovery code');
        await recovery.fill('not-a-code');
        await other.getByRole('button', { name: 'Verify' }).click();
        await other.locator('#two-factor-code-error').getByText('That recovery code is not valid, or it was used already.').waitFor();
        await recovery.fill(enrol.body.backupCodes[0]);
        await other.getByRole('button', { name: 'Verify' }).click();
        await articles(other);
        const overflow = (await other.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
        assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone screen`);
      });
    });

    test('an editor who must use MFA and has not enrolled sets up an authenticator, then sees the recovery codes', async () => {
      await member('edna@example.com', 'editor');
      const page = await browser();
      await withScreenshots('enrol', pages, async () => {
        await page.goto(`${app.url}/admin/`);
        await fillSignIn(page, 'edna@example.com');
        await page.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
        await page.getByLabel('Your password').fill('not my password');
        await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
        await page.locator('#mfa-password-error').getByText('That password is not right.').waitFor();
        await page.getByLabel('Your password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
        const uri = (await page.getByText(/^otpauth:\/\/totp\//).textContent())!;
        await page.getByRole('button', { name: 'Copy the setup key' }).waitFor();
        const secret = new URL(uri).searchParams.get('secret')!;
        await page.getByText(secret, { exact: true }).waitFor();

        await page.getByLabel('Code from the app').fill(totpCode(uri, Date.now() - 10 * 60_000));
        await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
        await page.locator('#mfa-code-error').waitFor();
        await page.getByLabel('Code from the app').fill(totpCode(uri));
        await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
        const list = page.getByRole('list', { name: 'Recovery codes' });
        await list.getByRole('listitem').first().waitFor();
        const codes = await list.getByRole('listitem').allTextContents();
        assert.ok(codes.length >= 5, `recovery codes shown: ${codes.join(', ')}`);
        await page.getByRole('button', { name: 'I have saved them: continue' }).click();
        await articles(page);

        // Enrolled for real: a password alone no longer makes a session, and a shown recovery code works.
        const jar = new CookieJar();
        assert.equal((await app.post('/api/auth/sign-in/email', { email: 'edna@example.com', password: PASSWORD }, jar)).body.twoFactorRedirect, true);
        assert.equal((await app.post('/api/auth/two-factor/verify-backup-code', { code: codes[0] }, jar)).status, 200);
        assert.equal((await app.get('/api/t/northwind/authors', jar)).status, 200);
      });
    });

    test('the SSO button signs in through the upstream OpenID provider and opens the page that was asked for', async () => {
      await member('sam@example.com', 'writer');
      idp.account = { sub: 'sam-at-corp', email: 'sam@example.com', email_verified: true, name: 'Sam' };
      const page = await browser();
      await withScreenshots('sso', pages, async () => {
        await page.goto(`${app.url}/admin/t/northwind/tags`);
        await page.waitForURL(/\/admin\/sign-in\?next=%2Ft%2Fnorthwind%2Ftags$/);
        await page.getByRole('button', { name: 'Continue with Corp SSO' }).click();
        await page.getByRole('heading', { level: 1, name: 'Tags' }).waitFor();
        assert.equal(new URL(page.url()).pathname, '/admin/t/northwind/tags');
        const me = (await page.evaluate(`fetch('/api/me').then((r) => r.json())`)) as { data: { kind: string; id: string } };
        assert.equal(me.data.kind, 'user');
      });

      // A person the provider does not vouch for is sent back to the sign-in page with the reason.
      idp.account = { sub: 'mallory', email: 'rosa@example.com', email_verified: false, name: 'Not Rosa' };
      const refused = await browser();
      await withScreenshots('sso-refused', pages, async () => {
        await refused.goto(`${app.url}/admin/sign-in`);
        await refused.getByRole('button', { name: 'Continue with Corp SSO' }).click();
        await refused.getByRole('alert').getByText(/could not be joined to your existing one/).waitFor();
        assert.equal(new URL(refused.url()).pathname, '/admin/sign-in');
      });
    });

    test("a tenant's own SSO is found by its ID", async () => {
      idp.account = { sub: 'sam-at-northwind', email: 'sam@example.com', email_verified: true, name: 'Sam' };
      const page = await browser();
      await withScreenshots('tenant-sso', pages, async () => {
        await page.goto(`${app.url}/admin/sign-in`);
        await page.getByRole('button', { name: 'Continue with Corp SSO' }).waitFor();
        assert.equal(await page.getByRole('button', { name: 'Continue with Northwind SSO' }).count(), 0, 'a tenant\'s provider is not offered to everyone');
        await page.getByRole('button', { name: "Sign in with your organization's SSO" }).click();
        const slug = page.getByLabel('Organization ID');
        await slug.fill('nowhere');
        await page.getByRole('button', { name: 'Continue with SSO' }).click();
        await page.locator('#tenant-sso-error').getByText('There is no organization with that ID.').waitFor();
        assert.equal(await slug.getAttribute('aria-invalid'), 'true');
        await slug.fill('northwind');
        await page.getByRole('button', { name: 'Continue with SSO' }).click();
        await articles(page);
      });
    });

    test('the SSO sign-in of a person with an authenticator asks for the code on the sign-in page', async () => {
      const sid = await verifiedPerson(app, mail, 'sid@example.com', 'Sid');
      assert.equal((await app.api('/api/tenants/northwind/members', { method: 'POST', body: { email: 'sid@example.com', roles: ['writer'] } })).status, 201);
      const enrol = await app.post('/api/auth/two-factor/enable', { password: PASSWORD }, sid.jar);
      assert.equal((await app.post('/api/auth/two-factor/verify-totp', { code: totpCode(enrol.body.totpURI) }, sid.jar)).status, 200);
      idp.account = { sub: 'sid-at-corp', email: 'sid@example.com', email_verified: true, name: 'Sid' };
      const page = await browser();
      await withScreenshots('sso-mfa', pages, async () => {
        await page.goto(`${app.url}/admin/sign-in`);
        await page.getByRole('button', { name: 'Continue with Corp SSO' }).click();
        await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
        assert.equal(new URL(page.url()).search, '', 'the address no longer carries twoFactorRedirect');
        await page.getByLabel('Two-factor code').fill(totpCode(enrol.body.totpURI));
        await page.getByRole('button', { name: 'Verify' }).click();
        await articles(page);
      });
    });

    test('the mailed confirmation link says the address is confirmed; a spoiled one offers a new link', async () => {
      const page = await browser();
      await withScreenshots('verify', pages, async () => {
        await page.goto(`${app.url}/admin/sign-up`);
        await page.getByLabel('Name', { exact: true }).fill('Vera');
        await page.getByLabel('Email', { exact: true }).fill('vera@example.com');
        await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
        await page.getByRole('button', { name: 'Create account' }).click();
        await page.getByRole('heading', { name: 'Check your email' }).waitFor();
        const link = linkIn((await mail.next()).raw, app.url);

        // A damaged token lands on the sign-in page with a way to get a new link.
        const spoiled = new URL(link);
        spoiled.searchParams.set('token', `${spoiled.searchParams.get('token')}x`);
        await page.goto(spoiled.toString());
        await page.getByText('That confirmation link has expired or is no longer valid.').waitFor();
        await page.getByLabel('Email to confirm').fill('vera@example.com');
        await page.getByRole('button', { name: 'Send a new link' }).click();
        await page.getByRole('status').getByText(/a new link is on its way/).waitFor();
        const second = linkIn((await mail.next()).raw, app.url);

        await page.goto(second);
        await page.getByRole('status').getByText('Your email address is confirmed. You can sign in now.').waitFor();
        assert.equal(new URL(page.url()).search, '', 'a reload does not repeat the message');
        await fillSignIn(page, 'vera@example.com');
        await page.getByRole('heading', { name: 'No tenant yet' }).waitFor();
      });
    });

    test('"Email me a sign-in link" mails a link that signs in', async () => {
      const page = await browser();
      await withScreenshots('magic-link', pages, async () => {
        await page.goto(`${app.url}/admin/sign-in?next=${encodeURIComponent('/t/northwind/tags')}`);
        await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
        await page.locator('#email-error').getByText('Enter your email address to get a sign-in link.').waitFor();
        await page.getByLabel('Email', { exact: true }).fill('rosa@example.com');
        await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
        await page.getByRole('heading', { name: 'Check your email' }).waitFor();
        const m = await mail.next();
        assert.deepEqual(m.to, ['rosa@example.com']);
        await page.goto(linkIn(m.raw, app.url));
        await page.getByRole('heading', { level: 1, name: 'Tags' }).waitFor();
      });
    });
  });
}
