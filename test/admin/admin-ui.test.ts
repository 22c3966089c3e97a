// The admin UI in a real browser, once per driver, against a Kiln app serving the magazine with its
// seed and the built UI: a writer signs up (the confirmation read from a real SMTP server), creates
// an article with an author and a tag, is told what is missing, sends it to review; an editor finds
// it by search and publishes it; an anonymous reader sees it through the public API; an earlier
// revision is restored. It also runs at phone width, by keyboard.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { drivers } from '../harness.ts';
import { linkIn, SmtpInbox, startAuthApp, type AuthApp } from '../auth/helpers.ts';
import { Mailbox, PASSWORD } from '../auth/identity-helpers.ts';
import { exampleSpec } from '../harness.ts';
import { startMailWorker } from '../../src/auth/mail/mail-delivery.ts';
import type { Worker } from '../../src/data/queue/worker.ts';
import { readSeed, seedIfEmpty } from '../../src/data/seed.ts';
import { ensureAdminBuild } from '../../src/experience/admin/admin-build.ts';
import { browserMissing, openBrowser, withScreenshots, type Browser } from './browser.ts';
import { member, signIn } from './people.ts';

const SEED = fileURLToPath(new URL('../../examples/magazine/seed.json', import.meta.url));
const skip = browserMissing();

for (const driver of await drivers()) {
  describe(`admin UI in a browser (${driver})`, { skip }, () => {
    let app: AuthApp;
    let inbox: SmtpInbox;
    let worker: Worker;
    let mail: Mailbox;
    const browsers: Browser[] = [];
    const pages = () => browsers.map((b) => b.page);
    const title = 'Lighthouse keepers of the north';
    let articleId = '';

    before(async () => {
      const build = await ensureAdminBuild();
      assert.equal(build.error, undefined, build.error);
      inbox = new SmtpInbox();
      await inbox.start();
      mail = new Mailbox(inbox);
      app = await startAuthApp(driver, { smtpUrl: inbox.url, spec: exampleSpec('magazine') });
      worker = startMailWorker(app.store.driver, { smtpUrl: inbox.url, from: 'Kiln Test <kiln@example.test>' }, { pollMs: 20 });
      assert.ok((await seedIfEmpty(app.store, await readSeed(SEED))) > 0);
    });
    after(async () => {
      for (const b of browsers) await b.close();
      await worker?.stop();
      await app?.close();
      await inbox?.stop();
    });

    test('a writer signs up, confirms by mail, creates an article with an author and a tag, and sends it to review', async () => {
      const b = await openBrowser();
      browsers.push(b);
      const { page } = b;
      await withScreenshots('writer', pages, async () => {
        await page.goto(`${app.url}/admin/`);
        await page.getByRole('heading', { name: 'Sign in to Kiln' }).waitFor();
        await page.getByRole('link', { name: 'Create one' }).click();
        await page.getByLabel('Name', { exact: true }).fill('Wren Writer');
        await page.getByLabel('Email', { exact: true }).fill('wren@example.com');
        await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
        await page.getByRole('button', { name: 'Create account' }).click();
        await page.getByRole('heading', { name: 'Check your email' }).waitFor();

        const confirmation = await mail.next();
        assert.deepEqual(confirmation.to, ['wren@example.com']);
        await page.goto(linkIn(confirmation.raw, app.url));
        await page.getByRole('heading', { name: 'Sign in to Kiln' }).waitFor();
        assert.equal((await app.api('/api/tenants/northwind/members', { method: 'POST', body: { email: 'wren@example.com', roles: ['writer'] } })).status, 201);

        await signIn(page, app.url, 'wren@example.com');
        assert.equal(await page.getByLabel('Tenant').inputValue(), 'northwind');
        await page.getByRole('link', { name: 'New article' }).click();
        await page.getByRole('heading', { level: 1, name: 'New article' }).waitFor();

        // Sent without the required fields: the API's messages appear beside those fields.
        await page.getByRole('button', { name: 'Create', exact: true }).click();
        await page.locator('#field-title-error').getByText('is required').waitFor();
        await page.locator('#field-author-error').getByText('is required').waitFor();
        assert.equal(await page.getByLabel('Title (required)', { exact: true }).getAttribute('aria-invalid'), 'true');

        await page.getByLabel('Title (required)', { exact: true }).fill(title);
        await page.getByLabel('Summary', { exact: true }).fill('Three keepers, one winter, and the light that never went out.');
        await page.getByLabel('Search authors').fill('Ursula');
        await page.getByLabel('Author', { exact: true }).selectOption({ label: 'Ursula Le Guin' });
        await page.getByLabel('Search tags').fill('interv');
        await page.getByLabel('Add tags').selectOption({ label: 'interview' });
        await page.getByRole('list', { name: 'Chosen tags' }).getByText('interview').waitFor();
        await page.getByRole('button', { name: 'Create', exact: true }).click();
        await page.getByRole('heading', { level: 1, name: title }).waitFor();
        articleId = page.url().split('/').pop()!;

        const saved = await app.api(`/api/t/northwind/articles/${articleId}?expand=author,tags`);
        assert.equal(saved.status, 200);
        assert.equal(saved.body.data.author.name, 'Ursula Le Guin');
        assert.deepEqual(saved.body.data.tags.map((t: { name: string }) => t.name), ['interview']);
        assert.equal(saved.body.data.status, 'draft');

        // A writer may send to review but not publish.
        await page.getByText('Status: Draft').waitFor();
        assert.equal(await page.getByRole('button', { name: 'Publish' }).count(), 0);
        await page.getByRole('button', { name: 'Send to review' }).click();
        await page.getByText('Status: In review').waitFor();
        assert.equal((await app.api(`/api/t/northwind/articles/${articleId}`)).body.data.status, 'in_review');
        assert.equal((await app.api(`/api/t/northwind/articles/${articleId}`, { token: null })).status, 404);
      });
    });

    test('an editor finds it by search and publishes it; an anonymous reader then sees it', async () => {
      assert.ok(articleId, 'the writer test created the article');
      await member(app, mail, 'eddie@example.com', 'editor');
      const b = await openBrowser();
      browsers.push(b);
      const { page } = b;
      await withScreenshots('editor', pages, async () => {
        await signIn(page, app.url, 'eddie@example.com');
        await page.getByLabel('Search articles').fill('lighthouse keepers');
        await page.getByRole('status').getByText('1 shown.').waitFor();
        await page.getByRole('link', { name: title }).click();
        await page.getByRole('heading', { level: 1, name: title }).waitFor();
        await page.getByRole('button', { name: 'Publish', exact: true }).click();
        await page.getByText('Status: Published').waitFor();

        const reader = await app.api(`/api/t/northwind/articles?search=${encodeURIComponent('lighthouse keepers')}`, { token: null });
        assert.equal(reader.status, 200);
        assert.deepEqual(reader.body.data.map((a: { title: string }) => a.title), [title]);
      });
    });

    test('an earlier revision is restored from the revision list', async () => {
      const { page } = browsers[1];
      await withScreenshots('restore', pages, async () => {
        const titleInput = page.getByLabel('Title (required)', { exact: true });
        await titleInput.fill('A title nobody wanted');
        await page.getByRole('button', { name: 'Save', exact: true }).click();
        await page.getByRole('status').getByText('Saved.').waitFor();
        const revisions = (await app.api(`/api/t/northwind/articles/${articleId}/revisions`)).body.data as { revision: number }[];
        const before = revisions[revisions.length - 2].revision;
        await page.getByRole('button', { name: `Restore revision ${before}` }).click();
        await page.getByRole('status').getByText(`Restored revision ${before}.`).waitFor();
        assert.equal(await titleInput.inputValue(), title);
        assert.equal((await app.api(`/api/t/northwind/articles/${articleId}`)).body.data.title, title);
      });
    });

    test('at phone width the editor fits the screen and the keyboard reaches the skip link first', async () => {
      const b = await openBrowser(375, 800);
      browsers.push(b);
      const { page } = b;
      await withScreenshots('phone', pages, async () => {
        await signIn(page, app.url, 'eddie@example.com');
        await page.goto(`${app.url}/admin/t/northwind/articles/${articleId}`);
        await page.getByRole('heading', { level: 1, name: title }).waitFor();
        await page.getByRole('heading', { name: 'Revisions' }).waitFor();
        // Evaluated in the page (as a string: this file is type-checked without the DOM library).
        const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
        assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Skip to content');
        const shot = process.env.KILN_ADMIN_SCREENSHOT;
        if (shot && driver === 'sqlite') {
          const wide = await openBrowser(1280, 1100);
          browsers.push(wide);
          await signIn(wide.page, app.url, 'eddie@example.com');
          await wide.page.goto(`${app.url}/admin/t/northwind/articles/${articleId}`);
          await wide.page.getByRole('heading', { name: 'Revisions' }).waitFor();
          await wide.page.screenshot({ path: shot });
          console.error(`test/admin: editor screenshot saved to ${shot}`);
        }
      });
    });
  });
}
