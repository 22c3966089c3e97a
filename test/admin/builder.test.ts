// The builder page in a real browser, once per driver, on the live server `kiln start` runs (the
// magazine without its featured flag, with its seed): the operator signs in with the root token,
// describes a change, sees the diff with each change's class and the migration plan, applies it, and
// finds the new control in the editor without reloading. At phone width, by keyboard, a breaking
// change needs explicit consent, and a preview the app has moved past is refused until redone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { drivers, exampleSpec, ROOT_TOKEN } from '../harness.ts';
import type { Spec } from '../../src/spec/schema.ts';
import { readSeed, seedIfEmpty } from '../../src/data/seed.ts';
import { ensureAdminBuild } from '../../src/experience/admin/admin-build.ts';
import { startLiveApp, type LiveApp } from '../api/live-app.ts';
import { browserMissing, openBrowser, withScreenshots, type Browser } from './browser.ts';

const SEED = fileURLToPath(new URL('../../examples/magazine/seed.json', import.meta.url));
const skip = browserMissing();

async function signInAsOperator(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/admin/`);
  await page.getByRole('button', { name: 'Operator: sign in with the root token' }).click();
  await page.getByLabel('Root API token').fill(ROOT_TOKEN);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Articles' }).waitFor();
}

for (const driver of await drivers()) {
  describe(`builder page in a browser (${driver})`, { skip }, () => {
    let app: LiveApp;
    const browsers: Browser[] = [];
    const pages = () => browsers.map((b) => b.page);

    before(async () => {
      const build = await ensureAdminBuild();
      assert.equal(build.error, undefined, build.error);
      const spec: Spec = exampleSpec('magazine');
      delete spec.collections.articles.fields.featured;
      const seed = await readSeed(SEED);
      for (const t of seed.tenants) for (const a of t.data.articles ?? []) delete a.featured;
      app = await startLiveApp(driver, spec, async (store) => assert.ok((await seedIfEmpty(store, seed)) > 0));
    });
    after(async () => {
      for (const b of browsers) await b.close();
      await app?.close();
    });

    test('apply a builder change: the operator previews "add a featured flag to articles", applies it, and edits the new field', async () => {
      const b = await openBrowser();
      browsers.push(b);
      const { page } = b;
      await withScreenshots('builder-apply', pages, async () => {
        await signInAsOperator(page, app.url);
        await page.getByRole('link', { name: 'Builder' }).click();
        await page.getByRole('heading', { level: 1, name: 'Builder' }).waitFor();

        await page.getByLabel('Describe a change').fill('add a featured flag to articles');
        await page.getByRole('button', { name: 'Preview', exact: true }).click();
        const preview = page.getByRole('region', { name: 'Preview: “add a featured flag to articles”' });
        await preview.waitFor();
        const articles = preview.getByRole('region', { name: 'Articles' });
        const change = articles.getByRole('listitem').filter({ hasText: 'added field articles.featured' });
        await change.getByText('Safe', { exact: true }).waitFor();
        await preview.getByText(/^Articles: \d+ items copied and checked$/).waitFor();
        await preview.getByText(/^SQL statements \(\d+\)$/).click();
        await preview.locator('pre').getByText(/featured/).first().waitFor();
        const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
        assert.ok(overflow <= 0, `the SQL makes the page ${overflow}px wider than the window`);
        assert.equal((await app.api('/api/spec')).body.data.collections.articles.fields.featured, undefined, 'nothing applied by a preview');

        await page.getByRole('button', { name: 'Apply', exact: true }).click();
        await page.getByRole('heading', { name: 'Applied: the app now runs spec version 2.' }).waitFor();
        assert.equal((await app.api('/api/spec')).body.data.collections.articles.fields.featured.type, 'boolean');
        assert.equal(JSON.parse(readFileSync(app.specFile, 'utf8')).collections.articles.fields.featured.type, 'boolean');

        // The editor knows the new field without a reload of the page.
        await page.getByRole('link', { name: 'Open Articles' }).click();
        await page.getByRole('heading', { level: 1, name: 'Articles' }).waitFor();
        await page.getByRole('table').getByRole('link').first().click();
        const featured = page.getByLabel('Featured', { exact: true });
        await featured.waitFor();
        assert.equal(await featured.getAttribute('type'), 'checkbox');
        const [tenant, id] = /\/t\/([^/]+)\/articles\/([^/]+)$/.exec(page.url())!.slice(1);
        await featured.check();
        await page.getByRole('button', { name: 'Save', exact: true }).click();
        await page.getByRole('status').getByText('Saved.').waitFor();
        assert.equal((await app.api(`/api/t/${tenant}/articles/${id}`)).body.data.featured, true);

        // A new app is only drafted here, to download.
        await page.getByRole('link', { name: 'Builder' }).click();
        await page.getByLabel('Describe the app').fill('A recipe site with recipes and ingredients. Recipes have a title and a cooking time in minutes.');
        await page.getByRole('button', { name: 'Draft a spec' }).click();
        await page.getByRole('list', { name: 'Collections of the draft' }).getByText('Recipes', { exact: true }).waitFor();
        const download = page.getByRole('link', { name: 'Download kiln.json' });
        assert.equal(await download.getAttribute('download'), 'kiln.json');
        const drafted = JSON.parse(decodeURIComponent((await download.getAttribute('href'))!.replace(/^data:application\/json;charset=utf-8,/, '')));
        assert.ok(drafted.collections.recipes);
        assert.equal((await app.api('/api/spec')).body.data.collections.recipes, undefined, 'a draft is never applied');
      });
    });

    test('at phone width, by keyboard: a breaking change needs consent, and a stale preview is redone', async () => {
      const b = await openBrowser(390, 844);
      browsers.push(b);
      const { page } = b;
      await withScreenshots('builder-breaking', pages, async () => {
        await signInAsOperator(page, app.url);
        await page.goto(`${app.url}/admin/builder`);
        await page.getByRole('heading', { level: 1, name: 'Builder' }).waitFor();
        await page.getByLabel('Describe a change').focus();
        await page.keyboard.type('rename summary to excerpt in articles');
        await page.keyboard.press('Tab');
        await page.keyboard.press('Enter');
        const preview = page.getByRole('region', { name: /^Preview:/ });
        await preview.getByRole('listitem').filter({ hasText: 'renamed field articles.summary → excerpt' }).getByText('Breaking', { exact: true }).waitFor();
        const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
        assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);

        const apply = page.getByRole('button', { name: 'Apply', exact: true });
        assert.equal(await apply.isDisabled(), true, 'a breaking change cannot be applied without consent');
        await page.getByLabel('I understand this may lose data').focus();
        await page.keyboard.press('Space');
        assert.equal(await apply.isEnabled(), true);

        // Meanwhile someone else changes the app: this preview is out of date.
        const other = await app.api('/api/builder/edit', { body: { request: 'add a sponsored flag to articles' } });
        assert.equal(other.status, 200, JSON.stringify(other.body));
        assert.equal((await app.api('/api/builder/apply', { body: { patch: other.body.patch, expectedVersion: other.body.version } })).status, 200);

        await apply.focus();
        await page.keyboard.press('Enter');
        await page.getByRole('alert').getByText('The app changed since the preview; preview again.').waitFor();
        assert.equal((await app.api('/api/spec')).body.data.collections.articles.fields.excerpt, undefined);
        await page.getByRole('button', { name: 'Preview again' }).click();
        const now = app.specVersion();
        await preview.getByText(`Spec version ${now} → ${now + 1}.`, { exact: false }).waitFor();
        const consent = page.getByLabel('I understand this may lose data');
        assert.equal(await consent.isChecked(), false, 'consent is asked again for the new plan');
        await consent.check();
        await apply.click();
        await page.getByRole('heading', { name: `Applied: the app now runs spec version ${now + 1}.` }).waitFor();
        const spec = (await app.api('/api/spec')).body.data;
        assert.equal(spec.collections.articles.fields.excerpt.type, 'text');
        assert.equal(spec.collections.articles.fields.sponsored.type, 'boolean');
      });
    });
  });
}
