// The admin UI's collection list in a real browser, once per driver, against the magazine with its
// seed: filters by workflow state and by a related author that survive a reload and follow
// back/forward, the server's 400 for a damaged filter shown beside the filter, bulk workflow
// transitions and bulk delete as an editor (checked through the API, with a per-item failure
// reported), no bulk actions for a reader and only the allowed ones for a writer, phone width and
// the keyboard.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { drivers, exampleSpec } from '../harness.ts';
import { SmtpInbox, startAuthApp, type AuthApp } from '../auth/helpers.ts';
import { Mailbox } from '../auth/identity-helpers.ts';
import { startMailWorker } from '../../src/auth/mail/mail-delivery.ts';
import type { Worker } from '../../src/data/queue/worker.ts';
import { readSeed, seedIfEmpty } from '../../src/data/seed.ts';
import { ensureAdminBuild } from '../../src/experience/admin/admin-build.ts';
import { browserMissing, openBrowser, withScreenshots, type Browser } from './browser.ts';
import { member, signIn } from './people.ts';

const SEED = fileURLToPath(new URL('../../examples/magazine/seed.json', import.meta.url));
const skip = browserMissing();
const ARTICLES = '/api/t/northwind/articles';

/** The magazine with a `reader` role that may only read. */
function magazineWithReader() {
  const spec = exampleSpec('magazine');
  spec.roles = { ...spec.roles, reader: { description: 'Reads.', can: { articles: ['read'], authors: ['read'], tags: ['read'], categories: ['read'] } } };
  return spec;
}

/** The titles in the list's rows, once it has settled (the status line names the count). */
async function rowTitles(page: Page, count: number): Promise<string[]> {
  await page.locator('#list-count').getByText(count === 0 ? /^No |^Nothing/ : `${count} shown`).waitFor();
  await page.locator('table.list[aria-busy="false"]').waitFor();
  return (await page.locator('table.list tbody tr:not(.skeleton) td.title a').allTextContents()).sort();
}

const statusChip = (page: Page, name: string) => page.getByRole('group', { name: 'Status' }).getByRole('button', { name, exact: true });

for (const driver of await drivers()) {
  describe(`admin list view in a browser (${driver})`, { skip }, () => {
    let app: AuthApp;
    let inbox: SmtpInbox;
    let worker: Worker;
    let mail: Mailbox;
    let authorId = '';
    const browsers: Browser[] = [];
    const pages = () => browsers.map((b) => b.page);

    const create = async (title: string, status = 'draft') => {
      const r = await app.api(ARTICLES, { body: { title, author: authorId } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      if (status !== 'draft') assert.equal((await app.api(`${ARTICLES}/${r.body.data.id}`, { method: 'PATCH', body: { status } })).status, 200);
      return r.body.data.id as string;
    };

    before(async () => {
      const build = await ensureAdminBuild();
      assert.equal(build.error, undefined, build.error);
      inbox = new SmtpInbox();
      await inbox.start();
      mail = new Mailbox(inbox);
      app = await startAuthApp(driver, { smtpUrl: inbox.url, spec: magazineWithReader() });
      worker = startMailWorker(app.store.driver, { smtpUrl: inbox.url, from: 'Kiln Test <kiln@example.test>' }, { pollMs: 20 });
      assert.ok((await seedIfEmpty(app.store, await readSeed(SEED))) > 0);
      await member(app, mail, 'edna@example.com', 'editor');
      await member(app, mail, 'rita@example.com', 'reader');
      await member(app, mail, 'wes@example.com', 'writer');
      const grace = await app.api('/api/t/northwind/authors?filter[name][_eq]=Grace%20Hopper');
      authorId = grace.body.data[0].id;
    });
    after(async () => {
      for (const b of browsers) await b.close();
      await worker?.stop();
      await app?.close();
      await inbox?.stop();
    });

    test('an editor filters by status and by author; the address keeps the filters across a reload and back/forward', async () => {
      const b = await openBrowser();
      browsers.push(b);
      const { page } = b;
      await withScreenshots('filters', pages, async () => {
        await signIn(page, app.url, 'edna@example.com');
        await rowTitles(page, 12);

        // While a new query loads (held back here), the rows shown stay in place, dimmed and marked busy.
        let release = () => {};
        const held = new Promise<void>((resolve) => (release = resolve));
        const list = /\/api\/t\/northwind\/articles\?/;
        await page.route(list, async (route) => {
          await held;
          await route.continue();
        });
        const height = async () => (await page.locator('.table-wrap').boundingBox())!.height;
        const before = await height();
        await statusChip(page, 'Draft').click();
        await page.locator('table.list.stale[aria-busy="true"]').waitFor();
        assert.equal(await page.locator('table.list tbody tr:not(.skeleton)').count(), 12);
        assert.equal(await height(), before);
        release();
        assert.deepEqual(await rowTitles(page, 2), ['How to read a map without a phone', 'Notes on the perfect espresso']);
        await page.unroute(list);
        assert.equal(await statusChip(page, 'Draft').getAttribute('aria-pressed'), 'true');
        assert.match(page.url(), /[?&]f\.status=draft(&|$)/);
        const drafts = await app.api(`${ARTICLES}?filter[status][_eq]=draft&fields=title`);
        assert.deepEqual(drafts.body.data.map((a: { title: string }) => a.title).sort(), ['How to read a map without a phone', 'Notes on the perfect espresso']);

        await statusChip(page, 'In review').click();
        assert.deepEqual(await rowTitles(page, 4), ['A field guide to city bookshops', 'How to read a map without a phone', 'Interview: the last letterpress in town', 'Notes on the perfect espresso']);

        // A related author, picked by searching, narrows it further.
        await page.getByLabel('Search authors').fill('Ada');
        await page.getByLabel('Author', { exact: true }).selectOption({ label: 'Ada Lovelace' });
        assert.deepEqual(await rowTitles(page, 2), ['Interview: the last letterpress in town', 'Notes on the perfect espresso']);

        // The first load of a page holds the table's place with placeholder rows of the same height.
        let reloaded = () => {};
        const heldAgain = new Promise<void>((resolve) => (reloaded = resolve));
        const rowHeight = (await page.locator('table.list tbody tr').first().boundingBox())!.height;
        await page.route(list, async (route) => {
          await heldAgain;
          await route.continue();
        });
        await page.reload();
        await page.locator('table.list[aria-busy="true"] tr.skeleton').first().waitFor();
        assert.equal(await page.locator('table.list tr.skeleton').count(), 8);
        assert.equal((await page.locator('table.list tr.skeleton').first().boundingBox())!.height, rowHeight);
        reloaded();
        assert.deepEqual(await rowTitles(page, 2), ['Interview: the last letterpress in town', 'Notes on the perfect espresso']);
        await page.unroute(list);
        assert.equal(await statusChip(page, 'Draft').getAttribute('aria-pressed'), 'true');
        assert.equal(await statusChip(page, 'In review').getAttribute('aria-pressed'), 'true');
        await page.getByLabel('Author', { exact: true }).locator('option:checked', { hasText: 'Ada Lovelace' }).waitFor({ state: 'attached' });

        // Back steps through the earlier filters.
        await page.goBack();
        assert.deepEqual(await rowTitles(page, 4), ['A field guide to city bookshops', 'How to read a map without a phone', 'Interview: the last letterpress in town', 'Notes on the perfect espresso']);
        await page.goForward();
        assert.deepEqual(await rowTitles(page, 2), ['Interview: the last letterpress in town', 'Notes on the perfect espresso']);

        await page.getByRole('button', { name: 'Clear filters', exact: true }).click();
        await rowTitles(page, 12);
        assert.doesNotMatch(page.url(), /f\./);

        // Filters that hide everything say so.
        await page.getByLabel('Views min').fill('1000000');
        await page.locator('#list-count').getByText('No articles match these filters.').waitFor();
        await page.getByRole('button', { name: 'Clear filters and show all articles' }).click();
        await rowTitles(page, 12);

        // A damaged bookmark gets the server's problem, beside the filter it names.
        await page.goto(`${app.url}/admin/t/northwind/articles?f.views.min=lots`);
        await page.getByRole('alert').getByText('filter.views._gte: must be an integer').waitFor();
        await page.locator('#filter-views-error').getByText('must be an integer').waitFor();
        assert.equal(await page.getByLabel('Views min').getAttribute('aria-invalid'), 'true');
      });
    });

    test('an editor sends drafts to review and publishes them in bulk; a failure is reported per item', async () => {
      const ids = { A: await create('Bulk draft A'), B: await create('Bulk draft B'), C: await create('Bulk draft C'), D: await create('Bulk draft D') };
      const { page } = browsers[0];
      await withScreenshots('bulk-publish', pages, async () => {
        await page.goto(`${app.url}/admin/t/northwind/articles?f.status=draft`);
        await rowTitles(page, 6);
        for (const k of ['A', 'B', 'C', 'D']) await page.getByLabel(`Select Bulk draft ${k}`).check();
        await page.getByRole('group', { name: 'Bulk actions' }).getByText('4 selected').waitFor();
        // From draft an editor may send to review or archive, not publish.
        assert.equal(await page.getByRole('button', { name: 'Publish', exact: true }).count(), 0);
        await page.getByRole('button', { name: 'Send to review', exact: true }).click();
        await page.getByRole('status').getByText('4 articles sent to review.').waitFor();
        assert.deepEqual(await rowTitles(page, 2), ['How to read a map without a phone', 'Notes on the perfect espresso']);
        for (const id of Object.values(ids)) assert.equal((await app.api(`${ARTICLES}/${id}`)).body.data.status, 'in_review');

        await statusChip(page, 'Draft').click();
        await statusChip(page, 'In review').click();
        await rowTitles(page, 6);
        // Someone else deletes D while it is on screen: its transition fails, the rest go through.
        assert.equal((await app.api(`${ARTICLES}/${ids.D}`, { method: 'DELETE' })).status, 204);
        for (const k of ['A', 'B', 'C', 'D']) await page.getByLabel(`Select Bulk draft ${k}`).check();
        await page.getByRole('button', { name: 'Publish', exact: true }).click();
        const alert = page.getByRole('alert');
        await alert.getByText('1 of 4 could not be published (3 articles published):').waitFor();
        await alert.getByText(/“Bulk draft D”: No articles item/).waitFor();
        assert.deepEqual(await rowTitles(page, 2), ['A field guide to city bookshops', 'Interview: the last letterpress in town']);

        for (const k of ['A', 'B', 'C'] as const) {
          assert.equal((await app.api(`${ARTICLES}/${ids[k]}`)).body.data.status, 'published');
          assert.equal((await app.api(`${ARTICLES}/${ids[k]}`, { token: null })).status, 200, 'readers see the published item');
        }
        // The list shows their new state.
        await page.goto(`${app.url}/admin/t/northwind/articles?search=bulk+draft`);
        await rowTitles(page, 3);
        for (const k of ['A', 'B', 'C']) await page.getByRole('row', { name: new RegExp(`Bulk draft ${k}`) }).getByText('Published', { exact: true }).waitFor();
      });
    });

    test('an editor deletes chosen items in bulk after confirming; they are gone from the API', async () => {
      const ids = [await create('Doomed one'), await create('Doomed two', 'published')];
      const { page } = browsers[0];
      await withScreenshots('bulk-delete', pages, async () => {
        await page.goto(`${app.url}/admin/t/northwind/articles?search=doomed`);
        await rowTitles(page, 2);
        await page.getByLabel('Select all loaded').check();
        await page.getByRole('group', { name: 'Bulk actions' }).getByText('2 selected').waitFor();

        await page.getByRole('button', { name: 'Delete…' }).click();
        const dialog = page.getByRole('dialog', { name: 'Delete 2 articles?' });
        await dialog.waitFor();
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await dialog.waitFor({ state: 'detached' });
        for (const id of ids) assert.equal((await app.api(`${ARTICLES}/${id}`)).status, 200, 'cancel deletes nothing');

        await page.getByRole('button', { name: 'Delete…' }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Delete 2 articles' }).click();
        await page.getByRole('status').getByText('2 articles deleted.').waitFor();
        await page.locator('#list-count').getByText('Nothing matches “doomed”.').waitFor();
        for (const id of ids) assert.equal((await app.api(`${ARTICLES}/${id}`)).status, 404);
        assert.equal((await app.api(`${ARTICLES}/${ids[1]}`, { token: null })).status, 404);
      });
    });

    test('a reader gets no bulk actions; a writer only those its role may take', async () => {
      const b = await openBrowser();
      browsers.push(b);
      const { page } = b;
      await withScreenshots('roles', pages, async () => {
        await signIn(page, app.url, 'rita@example.com');
        // Readers see the published view only.
        const published = (await app.api(`${ARTICLES}?limit=100&fields=title`, { token: null })).body.data.map((a: { title: string }) => a.title).sort();
        assert.deepEqual(await rowTitles(page, published.length), published);
        assert.equal(await page.getByRole('checkbox').count(), 0);
        assert.equal(await page.getByRole('group', { name: 'Bulk actions' }).count(), 0);
        assert.equal(await page.getByRole('button', { name: /^(Delete…|Publish|Send to review|Move to .*)$/ }).count(), 0);

        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.getByRole('heading', { name: 'Sign in to Kiln' }).waitFor();
        await signIn(page, app.url, 'wes@example.com');
        await statusChip(page, 'Draft').click();
        await rowTitles(page, 2);
        await page.getByLabel('Select Notes on the perfect espresso').check();
        await page.getByRole('button', { name: 'Send to review', exact: true }).waitFor();
        assert.equal(await page.getByRole('button', { name: 'Publish', exact: true }).count(), 0);
        assert.equal(await page.getByRole('button', { name: 'Delete…' }).count(), 0);
        assert.equal(await page.getByRole('button', { name: /Move to archived/ }).count(), 0);
      });
    });

    test('at phone width the list is a column of cards and the keyboard reaches each row', async () => {
      const b = await openBrowser(390, 844);
      browsers.push(b);
      const { page } = b;
      await withScreenshots('phone', pages, async () => {
        await signIn(page, app.url, 'edna@example.com');
        // The seed's twelve and the three published in bulk.
        await rowTitles(page, 15);
        const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
        assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
        // The filters are folded away until asked for.
        const toggle = page.getByRole('button', { name: /^Filters/ });
        assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
        assert.equal(await page.getByLabel('Views min').isVisible(), false);
        await toggle.click();
        await page.getByLabel('Views min').waitFor();
        // Sorting, a column header on wide screens, is a select here.
        await page.getByLabel('Sort by').selectOption({ label: 'Title ↑' });
        await rowTitles(page, 15);
        assert.equal(await page.locator('table.list tbody td.title a').first().textContent(), 'A field guide to city bookshops');

        const box = page.getByLabel('Select Notes on the perfect espresso');
        await box.focus();
        await page.keyboard.press('Space');
        assert.equal(await box.isChecked(), true);
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Notes on the perfect espresso');
        const outline = (await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')) as string;
        assert.notEqual(outline, 'none', 'the focused link is visibly marked');
      });
    });
  });
}
