// The item editor in a real browser, once per driver, against the magazine with its seed: an editor
// formats text in the rich-text editor and the API returns it as HTML; a broken JSON value is flagged
// on its field before anything is sent; comparing a revision marks the changed words; an AI action's
// suggestion is accepted into the form and saved, another discarded, and a missing model is said
// plainly; publishing is scheduled and cancelled, and a schedule whose time has passed is applied
// when the scheduler runs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { drivers, exampleSpec } from '../harness.ts';
import { linkIn, SmtpInbox, startAuthApp, type AuthApp } from '../auth/helpers.ts';
import { Mailbox } from '../auth/identity-helpers.ts';
import { startMailWorker } from '../../src/auth/mail/mail-delivery.ts';
import { startWorker, type Worker } from '../../src/data/queue/worker.ts';
import { SCHEDULED_TRANSITION, scheduledTransitionHandler } from '../../src/data/events/scheduled-transitions.ts';
import { readSeed, seedIfEmpty } from '../../src/data/seed.ts';
import { ensureAdminBuild } from '../../src/experience/admin/admin-build.ts';
import { browserMissing, openBrowser, withScreenshots, type Browser } from './browser.ts';

const PASSWORD = 'correct horse battery staple';
const SEED = fileURLToPath(new URL('../../examples/magazine/seed.json', import.meta.url));
const skip = browserMissing();

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** A time `minutes` from now as the browser's datetime-local value, in the browser's own zone. */
async function localInput(page: Page, minutes: number): Promise<string> {
  // Evaluated in the page (as a string: this file is type-checked without the DOM library).
  return (await page.evaluate(
    `(() => { const d = new Date(Date.now() + ${minutes} * 60000); const p = (n) => String(n).padStart(2, '0'); return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes()); })()`,
  )) as string;
}

for (const driver of await drivers()) {
  describe(`item editor in a browser (${driver})`, { skip }, () => {
    let app: AuthApp;
    let inbox: SmtpInbox;
    let mailWorker: Worker;
    let scheduler: Worker | undefined;
    let browser: Browser;
    let page: Page;
    let authorId = '';
    const base = '/api/t/northwind/articles';
    const pages = () => (browser ? [browser.page] : []);

    const article = async (fields: Record<string, unknown>): Promise<string> => {
      const r = await app.api(base, { body: { author: authorId, ...fields } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.data.id as string;
    };
    const open = async (id: string, title: string) => {
      await page.goto(`${app.url}/admin/t/northwind/articles/${id}`);
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
    };
    const saved = async (id: string) => (await app.api(`${base}/${id}`)).body.data;

    before(async () => {
      const build = await ensureAdminBuild();
      assert.equal(build.error, undefined, build.error);
      inbox = new SmtpInbox();
      await inbox.start();
      const mail = new Mailbox(inbox);
      app = await startAuthApp(driver, { smtpUrl: inbox.url, spec: exampleSpec('magazine') });
      mailWorker = startMailWorker(app.store.driver, { smtpUrl: inbox.url, from: 'Kiln Test <kiln@example.test>' }, { pollMs: 20 });
      assert.ok((await seedIfEmpty(app.store, await readSeed(SEED))) > 0);
      authorId = (await app.api('/api/t/northwind/authors?filter[name][_eq]=Ada%20Lovelace')).body.data[0].id;

      const email = 'eddie@example.com';
      assert.equal((await app.post('/api/auth/sign-up/email', { email, password: PASSWORD, name: 'Eddie Editor' })).status, 200);
      assert.equal((await app.get(linkIn((await mail.next()).raw, app.url).slice(app.url.length))).status, 302);
      assert.equal((await app.api('/api/tenants/northwind/members', { method: 'POST', body: { email, roles: ['editor'] } })).status, 201);
      browser = await openBrowser();
      page = browser.page;
      await page.goto(`${app.url}/admin/`);
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Articles' }).waitFor();
    });
    after(async () => {
      await browser?.close();
      await scheduler?.stop();
      await mailWorker?.stop();
      await app?.close();
      await inbox?.stop();
    });

    test('text formatted in the rich-text editor is saved as HTML', async () => {
      const id = await article({ title: 'Harbour report', body: 'Old plain text & more' });
      await withScreenshots('richtext', pages, async () => {
        await open(id, 'Harbour report');
        const body = page.getByRole('textbox', { name: 'Body', exact: true });
        // Plain text opens as a paragraph, escaped, not as markup.
        await body.getByText('Old plain text & more').waitFor();
        const toolbar = page.getByRole('toolbar', { name: 'Formatting for Body' });
        // A slow phone (or a busy machine): the form's echo of one keystroke can arrive after the next
        // keystroke, and must not undo it.
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: 6 });
        await body.click();
        await page.keyboard.press('ControlOrMeta+a');
        await page.keyboard.type('Tides ');
        // Bold from the toolbar for what is typed next, then off again from the keyboard: typing at
        // the caret only, since a selection a key has just moved can lag behind on a slow machine.
        await toolbar.getByRole('button', { name: 'Bold', exact: true }).click();
        assert.equal(await toolbar.getByRole('button', { name: 'Bold', exact: true }).getAttribute('aria-pressed'), 'true');
        await page.keyboard.type('rise');
        await body.locator('strong', { hasText: 'rise' }).waitFor();
        await page.keyboard.press('ControlOrMeta+b');
        await page.keyboard.type(' twice daily.');
        await page.keyboard.press('Enter');
        await toolbar.getByRole('button', { name: 'Bulleted list', exact: true }).click();
        await page.keyboard.type('first item');
        await page.keyboard.press('Enter');
        await page.keyboard.type('second item');
        // Undo takes the last typing back, Redo restores it.
        await toolbar.getByRole('button', { name: 'Undo', exact: true }).click();
        await toolbar.getByRole('button', { name: 'Redo', exact: true }).click();
        // A link on the first word, by keyboard selection and the link field.
        await body.locator('p').first().click();
        await page.keyboard.press('Home');
        for (let i = 0; i < 5; i++) await page.keyboard.press('Shift+ArrowRight');
        await toolbar.getByRole('button', { name: 'Link', exact: true }).click();
        await page.getByLabel('Link address').fill('https://example.com/tides');
        await page.getByLabel('Link address').press('Enter');
        await body.getByRole('link', { name: 'Tides' }).waitFor();
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
        await page.getByRole('button', { name: 'Save', exact: true }).click();
        await page.getByRole('status').getByText('Saved.').waitFor();
        const html = (await saved(id)).body as string;
        assert.equal(
          html,
          '<p><a target="_blank" rel="noopener noreferrer nofollow" href="https://example.com/tides">Tides</a> <strong>rise</strong> twice daily.</p><ul><li><p>first item</p></li><li><p>second item</p></li></ul>',
        );
        // Reloaded, the editor shows the saved formatting.
        await open(id, 'Harbour report');
        await page.getByRole('textbox', { name: 'Body', exact: true }).locator('strong', { hasText: 'rise' }).waitFor();
      });
    });

    test('a JSON value that does not parse is flagged on its field before anything is sent', async () => {
      const id = await article({ title: 'With metadata' });
      await withScreenshots('json', pages, async () => {
        await open(id, 'With metadata');
        const meta = page.getByLabel('Metadata', { exact: true });
        await meta.fill('{"issue": 12,');
        await page.locator('#field-metadata-parse').getByText('Not valid JSON').waitFor();
        assert.equal(await meta.getAttribute('aria-invalid'), 'true');
        assert.match((await meta.getAttribute('aria-describedby')) ?? '', /field-metadata-parse/);
        await page.getByRole('button', { name: 'Save', exact: true }).click();
        await page.getByRole('alert').getByText('Some fields need attention.').waitFor();
        const revisions = (await app.api(`${base}/${id}/revisions`)).body.data as unknown[];
        assert.equal(revisions.length, 1, 'nothing was sent');
        assert.equal((await saved(id)).metadata, null);

        await meta.fill('{"issue": 12, "pages": [1, 2]}');
        assert.equal(await page.locator('#field-metadata-parse').count(), 0);
        await page.getByRole('button', { name: 'Format JSON' }).click();
        assert.equal(await meta.inputValue(), '{\n  "issue": 12,\n  "pages": [\n    1,\n    2\n  ]\n}');
        await page.getByRole('button', { name: 'Save', exact: true }).click();
        await page.getByRole('status').getByText('Saved.').waitFor();
        assert.deepEqual((await saved(id)).metadata, { issue: 12, pages: [1, 2] });
      });
    });

    test('comparing a revision with the current version marks the changed words', async () => {
      const id = await article({ title: 'Harbour lights at dusk', summary: 'Boats come home in the evening.' });
      await withScreenshots('compare', pages, async () => {
        await open(id, 'Harbour lights at dusk');
        await page.getByLabel('Title (required)', { exact: true }).fill('Harbour lights at dawn');
        await page.getByLabel('Summary', { exact: true }).fill('Boats come home in the morning.');
        await page.getByRole('button', { name: 'Save', exact: true }).click();
        await page.getByRole('status').getByText('Saved.').waitFor();
        await page.getByRole('button', { name: 'Compare revision 1 with the current version' }).click();
        const diff = page.getByRole('region', { name: 'Revision 1 compared with the current version' });
        await diff.getByText('Title', { exact: true }).waitFor();
        assert.equal((await diff.locator('del').filter({ hasText: 'dusk' }).textContent())?.trim(), '[removed: dusk]');
        assert.equal((await diff.locator('ins').filter({ hasText: 'dawn' }).textContent())?.trim(), '[added: dawn]');
        await diff.locator('del').filter({ hasText: 'evening.' }).waitFor();
        await diff.locator('ins').filter({ hasText: 'morning.' }).waitFor();
        // Unchanged words are not marked.
        assert.equal(await diff.locator('del, ins').filter({ hasText: 'Harbour' }).count(), 0);
        await diff.getByRole('button', { name: 'Close comparison' }).click();
        assert.equal(await diff.count(), 0);
      });
    });

    test('an AI suggestion is accepted into the form and saved; another is discarded; a missing model is said plainly', async () => {
      const body = '<p>The harbour master counted forty boats this spring.</p><p>Fishing boats returned to the harbour after a long winter.</p><p>The harbour cafe reopened for the boats and their crews.</p>';
      const id = await article({ title: 'Spring in the harbour', body });
      const expected = (await app.api(`${base}/${id}/ai/summarize`, { body: {} })).body.data.suggestion.summary as string;
      assert.ok(expected);
      await withScreenshots('ai', pages, async () => {
        await open(id, 'Spring in the harbour');
        const panel = page.getByRole('region', { name: 'AI assistant' });
        await panel.getByRole('button', { name: 'Summarize' }).click();
        const suggestion = panel.getByRole('region', { name: 'Suggestion' });
        await suggestion.getByText(expected).waitFor();
        assert.equal(await page.getByLabel('Summary', { exact: true }).inputValue(), '', 'not in the form before Accept');
        await suggestion.getByRole('button', { name: 'Accept' }).click();
        assert.equal(await page.getByLabel('Summary', { exact: true }).inputValue(), expected);
        assert.equal((await saved(id)).summary, null, 'not saved before Save');
        await page.getByRole('button', { name: 'Save', exact: true }).click();
        await page.getByRole('status').getByText('Saved.').waitFor();
        assert.equal((await saved(id)).summary, expected);

        await panel.getByRole('button', { name: 'Write SEO text' }).click();
        await suggestion.getByText('Seo title').waitFor();
        await suggestion.getByRole('button', { name: 'Discard' }).click();
        assert.equal(await suggestion.count(), 0);
        assert.equal(await page.getByLabel('Seo title', { exact: true }).inputValue(), '');

        await panel.getByLabel('Translate into').selectOption('de');
        await panel.getByRole('button', { name: 'Translate' }).click();
        await panel.getByRole('alert').getByText('needs a model provider').waitFor();
      });
    });

    test('publishing is scheduled and cancelled; a schedule whose time has passed is applied by the scheduler', async () => {
      const id = await article({ title: 'Tide tables', status: 'in_review' });
      await withScreenshots('schedule', pages, async () => {
        await open(id, 'Tide tables');
        await page.getByRole('button', { name: 'Schedule…' }).click();
        const at = await localInput(page, 24 * 60);
        await page.getByLabel('Publish at').fill(at);
        await page.getByRole('button', { name: 'Schedule publish' }).click();
        const scheduled = page.getByRole('list', { name: 'Scheduled' });
        await scheduled.getByRole('listitem').waitFor();
        const [pending] = (await app.api(`${base}/${id}/schedule`)).body.data as { id: string; status: string; to: string; at: string }[];
        assert.equal(pending.status, 'pending');
        assert.equal(pending.to, 'published');
        // The browser's local time went to the server as the same instant in UTC.
        assert.equal(await page.evaluate(`new Date(${JSON.stringify(at)}).toISOString()`), pending.at);
        await scheduled.getByRole('button', { name: /^Cancel scheduled published on / }).click();
        await page.getByRole('status').getByText('Scheduled publishing cancelled.').waitFor();
        assert.equal(await scheduled.count(), 0);
        assert.equal(((await app.api(`${base}/${id}/schedule`)).body.data as { status: string }[])[0].status, 'cancelled');

        // A time that has already passed: the schedule waits for the scheduler, which applies it.
        await page.getByRole('button', { name: 'Schedule…' }).click();
        await page.getByLabel('Publish at').fill(await localInput(page, -5));
        await page.getByText('That time has passed').waitFor();
        await page.getByRole('button', { name: 'Schedule publish' }).click();
        await scheduled.getByRole('listitem').waitFor();
        assert.equal((await saved(id)).status, 'in_review');
        scheduler = startWorker({ queue: app.store.queue, pollMs: 20, handlers: { [SCHEDULED_TRANSITION]: scheduledTransitionHandler(() => app.store) } });
        await until('the scheduled publish', async () => ((await saved(id)).status === 'published' ? true : undefined));
        await open(id, 'Tide tables');
        await page.getByText('Status: Published').waitFor();
        assert.equal(await page.getByRole('list', { name: 'Scheduled' }).count(), 0);
        assert.equal((await app.api(`${base}/${id}`, { token: null })).status, 200, 'readers see it');
      });
    });
  });
}
