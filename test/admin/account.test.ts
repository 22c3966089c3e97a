// The admin UI's account page (/admin/account) in a real browser, once per driver, against the
// magazine with MFA required of editors: a writer changes their name and password (a wrong current
// password and a too-short new one are refused on their fields; other sessions end; the old password
// no longer signs in); turns two-factor on from the page and then needs the code to sign in; gets
// new recovery codes (a new one works, an old one does not) and turns two-factor off; an editor, whom
// the policy requires it of, is not offered turning it off; "Sign out everywhere" ends another
// browser's session too; a person without a password is mailed a link that sets one; the
// root-token operator has no account link.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { drivers, ROOT_TOKEN } from '../harness.ts';
import { CookieJar, linkIn, SmtpInbox, startAuthApp, type AuthApp } from '../auth/helpers.ts';
import { magazineWithAuth, Mailbox, PASSWORD, totpCode, verifiedPerson } from '../auth/identity-helpers.ts';
import { startMailWorker } from '../../src/auth/mail/mail-delivery.ts';
import type { Worker } from '../../src/data/queue/worker.ts';
import { readSeed, seedIfEmpty } from '../../src/data/seed.ts';
import { ensureAdminBuild } from '../../src/experience/admin/admin-build.ts';
import { browserMissing, openBrowser, withScreenshots, type Browser } from './browser.ts';

const SEED = fileURLToPath(new URL('../../examples/magazine/seed.json', import.meta.url));
const skip = browserMissing();
const articles = (page: Page) => page.getByRole('heading', { level: 1, name: 'Articles' }).waitFor();

async function fillSignIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function openAccount(page: Page, url: string, email: string): Promise<void> {
  await page.goto(`${url}/admin/`);
  await fillSignIn(page, email);
  await articles(page);
  await page.getByRole('link', { name: 'Account' }).click();
  await page.getByRole('heading', { level: 1, name: 'Account' }).waitFor();
}

const meOf = async (page: Page) => ((await page.evaluate(`fetch('/api/me').then((r) => r.json())`)) as { data: { kind: string } }).data.kind;

for (const driver of await drivers()) {
  describe(`admin account page in a browser (${driver})`, { skip }, () => {
    let app: AuthApp;
    let inbox: SmtpInbox;
    let worker: Worker;
    let mail: Mailbox;
    const browsers: Browser[] = [];
    const pages = () => browsers.map((b) => b.page);
    const browser = async (width?: number) => {
      const b = await openBrowser(width);
      browsers.push(b);
      return b;
    };
    const member = async (email: string, role: string) => {
      const person = await verifiedPerson(app, mail, email, role);
      assert.equal((await app.api('/api/tenants/northwind/members', { method: 'POST', body: { email, roles: [role] } })).status, 201);
      return person;
    };
    /** A password sign-in through the API: the session's jar, or the pending two-factor challenge's. */
    const apiSignIn = async (email: string, password: string) => {
      const jar = new CookieJar();
      const r = await app.post('/api/auth/sign-in/email', { email, password }, jar);
      return { jar, status: r.status, twoFactor: r.body?.twoFactorRedirect === true };
    };

    before(async () => {
      const build = await ensureAdminBuild();
      assert.equal(build.error, undefined, build.error);
      inbox = new SmtpInbox();
      await inbox.start();
      mail = new Mailbox(inbox);
      const spec = magazineWithAuth({ methods: ['password', 'magicLink'], mfa: { policy: 'required', roles: ['editor'] } });
      app = await startAuthApp(driver, { smtpUrl: inbox.url, spec });
      worker = startMailWorker(app.store.driver, { smtpUrl: inbox.url, from: 'Kiln Test <kiln@example.test>' }, { pollMs: 20 });
      assert.ok((await seedIfEmpty(app.store, await readSeed(SEED))) > 0);
    });
    after(async () => {
      for (const b of browsers) await b.close();
      await worker?.stop();
      await app?.close();
      await inbox?.stop();
    });

    test('a writer changes their name and password; other sessions end and only the new password signs in', async () => {
      const pat = await member('pat@example.com', 'writer');
      const { page } = await browser(390);
      await withScreenshots('password', pages, async () => {
        await openAccount(page, app.url, 'pat@example.com');
        await page.getByText('pat@example.com', { exact: true }).waitFor();
        assert.equal(await page.getByRole('link', { name: 'Account' }).getAttribute('aria-current'), 'page');

        await page.getByLabel('Name', { exact: true }).fill('Pat Writer');
        await page.getByRole('button', { name: 'Save name' }).click();
        await page.getByRole('status').getByText('Name saved.').waitFor();
        assert.equal((await app.get('/api/auth/get-session?disableCookieCache=true', pat.jar)).body.user.name, 'Pat Writer');

        const current = page.getByLabel('Current password');
        await current.fill('not my password');
        await page.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
        await page.getByLabel('Confirm the new password').fill('a brand new passphrase');
        await page.getByRole('button', { name: 'Change password' }).click();
        await page.locator('#current-password-error').getByText('That is not your current password.').waitFor();
        assert.equal(await current.getAttribute('aria-invalid'), 'true');

        await current.fill(PASSWORD);
        await page.getByLabel('New password', { exact: true }).fill('short');
        await page.getByLabel('Confirm the new password').fill('short');
        await page.getByRole('button', { name: 'Change password' }).click();
        await page.locator('#changed-password-error').getByText('Too short: use at least 8 characters.').waitFor();

        await page.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
        await page.getByLabel('Confirm the new password').fill('a brand new passphrase');
        assert.equal(await page.getByLabel('Sign out my other sessions').isChecked(), true);
        await page.getByRole('button', { name: 'Change password' }).click();
        await page.getByText('Your password is changed, and every other session of your account is signed out.').waitFor();
        assert.equal(await current.inputValue(), '', 'the fields are emptied');

        // This browser goes on; the API session signed in before is over.
        assert.equal(await meOf(page), 'user');
        assert.deepEqual((await app.get('/api/me', pat.jar.withoutCache())).body.data, { kind: 'anonymous' });
        const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
        assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone screen`);
      });
      assert.equal((await apiSignIn('pat@example.com', PASSWORD)).status, 401, 'the old password is refused');
      assert.equal((await apiSignIn('pat@example.com', 'a brand new passphrase')).status, 200, 'the new one signs in');
    });

    test('a person who signed up by a mailed link has no password: the page mails a link that sets one', async () => {
      assert.equal((await app.post('/api/auth/sign-in/magic-link', { email: 'lin@example.com', callbackURL: '/admin/' })).status, 200);
      const signInLink = linkIn((await mail.next()).raw, app.url);
      const { page } = await browser();
      await withScreenshots('set-password', pages, async () => {
        // Not a member of any tenant yet: the account page is there all the same.
        await page.goto(signInLink);
        await page.getByRole('heading', { level: 1, name: 'No tenant yet' }).waitFor();
        await page.getByRole('link', { name: 'Account' }).click();
        const section = page.getByRole('region', { name: 'Password' });
        await section.getByText('Your account has no password', { exact: false }).waitFor();
        assert.equal(await section.getByLabel('Current password').count(), 0);
        await section.getByRole('button', { name: 'Email me a link to set a password' }).click();
        await section.getByRole('status').getByText('We have sent a link to lin@example.com.', { exact: false }).waitFor();

        const m = await mail.next();
        assert.deepEqual(m.to, ['lin@example.com']);
        // Opened while still signed in, the link shows its page rather than sending the person on.
        await page.goto(linkIn(m.raw, app.url));
        await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
        await page.getByLabel('New password', { exact: true }).fill('lins own passphrase');
        await page.getByLabel('Confirm the new password').fill('lins own passphrase');
        await page.getByRole('button', { name: 'Set the new password' }).click();
        await page.getByRole('heading', { name: 'Your password is changed' }).waitFor();
        await page.getByRole('link', { name: 'Sign in' }).click();
        await fillSignIn(page, 'lin@example.com', 'lins own passphrase');
        await page.getByRole('heading', { level: 1, name: 'No tenant yet' }).waitFor();
        await page.getByRole('link', { name: 'Account' }).click();
        await page.getByRole('region', { name: 'Password' }).getByLabel('Current password').waitFor();
      });
    });

    let uri = '';
    let firstCodes: string[] = [];

    test('a writer turns two-factor on from the page, and then signing in asks for the code', async () => {
      await member('tom@example.com', 'writer');
      const { page } = await browser();
      await withScreenshots('two-factor-on', pages, async () => {
        await openAccount(page, app.url, 'tom@example.com');
        const section = page.getByRole('region', { name: 'Two-factor authentication' });
        await section.getByText('Off', { exact: true }).waitFor();
        await section.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
        await section.getByLabel('Your password').fill('not my password');
        await section.getByRole('button', { name: 'Set up an authenticator app' }).click();
        await section.locator('#mfa-password-error').getByText('That password is not right.').waitFor();
        await section.getByLabel('Your password').fill(PASSWORD);
        await section.getByRole('button', { name: 'Set up an authenticator app' }).click();
        uri = (await section.getByText(/^otpauth:\/\/totp\//).textContent())!;

        await section.getByLabel('Code from the app').fill(totpCode(uri, Date.now() - 10 * 60_000));
        await section.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
        await section.locator('#mfa-code-error').waitFor();
        await section.getByLabel('Code from the app').fill(totpCode(uri));
        await section.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
        const list = section.getByRole('list', { name: 'Recovery codes' });
        await list.getByRole('listitem').first().waitFor();
        firstCodes = await list.getByRole('listitem').allTextContents();
        assert.ok(firstCodes.length >= 5, `recovery codes shown: ${firstCodes.join(', ')}`);
        await section.getByRole('button', { name: 'I have saved them' }).click();
        await section.getByText('On', { exact: true }).waitFor();
        await section.getByRole('button', { name: 'Turn off…' }).waitFor();

        await page.getByRole('button', { name: 'Sign out', exact: true }).click();
        await page.getByRole('heading', { name: 'Sign in to Kiln' }).waitFor();
        await fillSignIn(page, 'tom@example.com');
        await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
        assert.equal(await meOf(page), 'anonymous', 'no session before the code');
        await page.getByLabel('Two-factor code').fill(totpCode(uri));
        await page.getByRole('button', { name: 'Verify' }).click();
        await articles(page);
      });
    });

    test('new recovery codes replace the old ones; then two-factor is turned off', async () => {
      assert.ok(uri, 'the test before enrolled tom');
      const { page } = await browser();
      await withScreenshots('recovery-and-off', pages, async () => {
        await page.goto(`${app.url}/admin/`);
        await fillSignIn(page, 'tom@example.com');
        await page.getByLabel('Two-factor code').fill(totpCode(uri));
        await page.getByRole('button', { name: 'Verify' }).click();
        await articles(page);
        await page.getByRole('link', { name: 'Account' }).click();
        const section = page.getByRole('region', { name: 'Two-factor authentication' });

        await section.getByRole('button', { name: 'New recovery codes…' }).click();
        await section.getByLabel('Your password').fill('not my password');
        await section.getByRole('button', { name: 'Generate new recovery codes' }).click();
        await section.locator('#two-factor-password-error').getByText('That password is not right.').waitFor();
        await section.getByLabel('Your password').fill(PASSWORD);
        await section.getByRole('button', { name: 'Generate new recovery codes' }).click();
        await section.getByText('New recovery codes are ready. The old ones no longer work.').waitFor();
        const fresh = await section.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allTextContents();
        assert.ok(fresh.length >= 5 && !fresh.some((c) => firstCodes.includes(c)), 'different codes');
        await section.getByRole('button', { name: 'I have saved them' }).click();

        const old = await apiSignIn('tom@example.com', PASSWORD);
        assert.equal(old.twoFactor, true);
        assert.equal((await app.post('/api/auth/two-factor/verify-backup-code', { code: firstCodes[1] }, old.jar)).status, 401, 'an old code is refused');
        const now = await apiSignIn('tom@example.com', PASSWORD);
        assert.equal((await app.post('/api/auth/two-factor/verify-backup-code', { code: fresh[0] }, now.jar)).status, 200, 'a new code signs in');
        assert.equal((await app.get('/api/me', now.jar)).body.data.kind, 'user');

        await section.getByRole('button', { name: 'Turn off…' }).click();
        await section.getByLabel('Your password').fill(PASSWORD);
        await section.getByRole('button', { name: 'Turn off two-factor authentication' }).click();
        await section.getByRole('status').getByText('Two-factor authentication is off.').waitFor();
        await section.getByText('Off', { exact: true }).waitFor();
        assert.equal(await meOf(page), 'user', 'still signed in here');
      });
      const plain = await apiSignIn('tom@example.com', PASSWORD);
      assert.equal(plain.status, 200);
      assert.equal(plain.twoFactor, false, 'a password alone signs in again');
    });

    test('an editor, whom the policy requires two-factor of, is told why it cannot be turned off', async () => {
      const eve = await member('eve@example.com', 'editor');
      const enrol = await app.post('/api/auth/two-factor/enable', { password: PASSWORD }, eve.jar);
      assert.equal(enrol.status, 200, JSON.stringify(enrol.body));
      assert.equal((await app.post('/api/auth/two-factor/verify-totp', { code: totpCode(enrol.body.totpURI) }, eve.jar)).status, 200);
      const { page } = await browser();
      await withScreenshots('required', pages, async () => {
        await page.goto(`${app.url}/admin/`);
        await fillSignIn(page, 'eve@example.com');
        await page.getByLabel('Two-factor code').fill(totpCode(enrol.body.totpURI));
        await page.getByRole('button', { name: 'Verify' }).click();
        await articles(page);
        await page.getByRole('link', { name: 'Account' }).click();
        const section = page.getByRole('region', { name: 'Two-factor authentication' });
        await section.getByText('This app requires two-factor authentication of the editor role you hold, so it cannot be turned off.').waitFor();
        await section.getByRole('button', { name: 'New recovery codes…' }).waitFor();
        assert.equal(await section.getByRole('button', { name: 'Turn off…' }).count(), 0);
      });
    });

    test('"Sign out everywhere" asks first, then ends this browser\'s session and another one\'s', async () => {
      const una = await member('una@example.com', 'writer');
      const other = await browser();
      const { page } = await browser();
      await withScreenshots('everywhere', pages, async () => {
        await other.page.goto(`${app.url}/admin/`);
        await fillSignIn(other.page, 'una@example.com');
        await articles(other.page);

        await openAccount(page, app.url, 'una@example.com');
        await page.getByRole('button', { name: 'Sign out everywhere' }).click();
        await page.getByRole('button', { name: 'Cancel' }).click();
        assert.equal(await meOf(page), 'user', 'cancelled: still signed in');
        await page.getByRole('button', { name: 'Sign out everywhere' }).click();
        await page.getByRole('button', { name: 'Yes, sign out everywhere' }).click();
        await page.getByRole('heading', { name: 'Sign in to Kiln' }).waitFor();
        assert.equal(await meOf(page), 'anonymous');

        // The other browser's session is gone on the server: once its short signed cookie cache is
        // past (KILN_AUTH_SESSION_CACHE), it is anonymous.
        await other.context.clearCookies({ name: /session_data/ });
        assert.ok((await other.context.cookies()).some((c) => c.name.endsWith('session_token')), 'it still holds its session cookie');
        assert.equal(await meOf(other.page), 'anonymous');
      });
      assert.deepEqual((await app.get('/api/me', una.jar.withoutCache())).body.data, { kind: 'anonymous' });
    });

    test('the root-token operator has no account link', async () => {
      const { page } = await browser();
      await withScreenshots('root', pages, async () => {
        await page.goto(`${app.url}/admin/`);
        await page.getByRole('button', { name: 'Operator: sign in with the root token' }).click();
        await page.getByLabel('Root API token').fill(ROOT_TOKEN);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await articles(page);
        assert.equal(await page.getByRole('link', { name: 'Account' }).count(), 0);
        await page.goto(`${app.url}/admin/account`);
        await page.getByRole('heading', { level: 1, name: 'Account' }).waitFor();
        await page.getByText('You are signed in with the root token, which has no account to manage.', { exact: false }).waitFor();
      });
    });
  });
}
