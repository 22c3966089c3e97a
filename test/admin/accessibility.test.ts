// Accessibility of the admin UI in a real browser, once per driver, against the magazine (with an
// "admin" role) and its seed: axe-core finds no serious or critical violation on any page, at
// desktop width and at phone width, where no page scrolls sideways either; the skip link leads into
// the content, and every control Tab reaches on the list and the editor shows where focus is. A
// person's account page (with two-factor being set up), the operator's builder (with a change
// previewed) and the OAuth provider's pages (a device's code and its confirmation, an app's consent)
// are checked too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { drivers, ROOT_TOKEN } from '../harness.ts';
import { linkIn, SmtpInbox, startAuthApp, type AuthApp } from '../auth/helpers.ts';
import { magazineWithAuth, Mailbox, PASSWORD } from '../auth/identity-helpers.ts';
import { clientFor, REDIRECT, startOidcApp, verifiedUser, type OidcApp } from '../auth/oidc-helpers.ts';
import { startMailWorker } from '../../src/auth/mail/mail-delivery.ts';
import type { Worker } from '../../src/data/queue/worker.ts';
import { readSeed, seedIfEmpty } from '../../src/data/seed.ts';
import { ensureAdminBuild } from '../../src/experience/admin/admin-build.ts';
import { assertAccessible, assertNoSideScroll, settled } from './axe.ts';
import { browserMissing, openBrowser, withScreenshots, type Browser } from './browser.ts';
import { signIn } from './people.ts';

const SEED = fileURLToPath(new URL('../../examples/magazine/seed.json', import.meta.url));
const skip = browserMissing();
const WIDTHS = [1280, 390];

/** Waits for loading to end, then checks the page as it is now with axe (and for sideways scroll on a phone). */
async function checkHere(page: Page, what: string): Promise<void> {
  await settled(page);
  const width = page.viewportSize()?.width;
  await assertAccessible(page, `${what} at ${width}px`);
  if (width && width < 720) await assertNoSideScroll(page, `${what} at ${width}px`);
}

/** Opens `path`, waits for its heading, then checks it as checkHere does. */
async function check(page: Page, url: string, path: string, heading: string | RegExp): Promise<void> {
  await page.goto(`${url}/admin${path}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  await checkHere(page, path);
}

async function signInAsRoot(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/admin/`);
  await page.getByRole('button', { name: 'Operator: sign in with the root token' }).click();
  await page.getByLabel('Root API token').fill(ROOT_TOKEN);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Articles' }).waitFor();
}

type Focus = { label: string; outline: string; shadow: string; inMain: boolean };

// Run in the page (as source: the server's tsconfig has no DOM types). An outline counts only when it is drawn.
const LOOK = `(el) => {
  const s = getComputedStyle(el);
  return { outline: s.outlineStyle === 'none' || s.outlineWidth === '0px' ? 'none' : s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor, shadow: s.boxShadow };
}`;

/** What the focused element looks like: its outline and box-shadow, and whether it is inside <main>. */
async function focusStyle(page: Page): Promise<Focus | undefined> {
  return (await page.evaluate(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return undefined;
    el.dataset.tabStop = 'yes';
    const label = el.tagName.toLowerCase() + ' "' + (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40) + '"';
    return { label, ...(${LOOK})(el), inMain: Boolean(el.closest('main')) };
  })()`)) as Focus | undefined;
}

/** The last tab stop as it looks now that focus has moved on (`same` when Tab stayed on it). */
async function unfocusedStyle(page: Page): Promise<{ outline: string; shadow: string; same: boolean }> {
  return (await page.evaluate(`(() => {
    const el = document.querySelector('[data-tab-stop="yes"]');
    delete el.dataset.tabStop;
    return { ...(${LOOK})(el), same: el === document.activeElement };
  })()`)) as { outline: string; shadow: string; same: boolean };
}

/** Tabs through up to `stops` controls from the top of a freshly loaded page; returns those that look the same focused and not. */
async function focusInvisible(page: Page, stops: number): Promise<{ invisible: string[]; seen: number }> {
  const invisible: string[] = [];
  let seen = 0;
  let focused: Focus | undefined;
  for (let i = 0; i < stops; i++) {
    await page.keyboard.press('Tab');
    if (focused) {
      const after = await unfocusedStyle(page);
      if (after.same) break;
      seen++;
      if (focused.outline === after.outline && focused.shadow === after.shadow) invisible.push(focused.label);
    }
    focused = await focusStyle(page);
    if (!focused) break;
  }
  return { invisible, seen };
}

for (const driver of await drivers()) {
  describe(`accessibility of the admin UI (${driver})`, { skip }, () => {
    let app: AuthApp;
    let inbox: SmtpInbox;
    let worker: Worker;
    let mail: Mailbox;
    const browsers: Browser[] = [];
    const pages = () => browsers.map((b) => b.page);
    let articleId = '';
    let webhookId = '';

    before(async () => {
      const build = await ensureAdminBuild();
      assert.equal(build.error, undefined, build.error);
      inbox = new SmtpInbox();
      await inbox.start();
      mail = new Mailbox(inbox);
      app = await startAuthApp(driver, { smtpUrl: inbox.url, spec: magazineWithAuth() });
      worker = startMailWorker(app.store.driver, { smtpUrl: inbox.url, from: 'Kiln Test <kiln@example.test>' }, { pollMs: 20 });
      assert.ok((await seedIfEmpty(app.store, await readSeed(SEED))) > 0);
      // Ada administers northwind: she sees the members and the audit log too.
      assert.equal((await app.post('/api/auth/sign-up/email', { email: 'ada@example.com', password: PASSWORD, name: 'Ada Admin' })).status, 200);
      assert.equal((await app.get(linkIn((await mail.next()).raw, app.url).slice(app.url.length))).status, 302);
      assert.equal((await app.api('/api/tenants/northwind/members', { method: 'POST', body: { email: 'ada@example.com', roles: ['admin', 'editor'] } })).status, 201);
      // A writer per width, each to start setting up two-factor on their account page.
      for (const width of WIDTHS) {
        const email = `wren-${width}@example.com`;
        assert.equal((await app.post('/api/auth/sign-up/email', { email, password: PASSWORD, name: 'Wren Writer' })).status, 200);
        assert.equal((await app.get(linkIn((await mail.next()).raw, app.url).slice(app.url.length))).status, 302);
        assert.equal((await app.api('/api/tenants/northwind/members', { method: 'POST', body: { email, roles: ['writer'] } })).status, 201);
      }
      articleId = (await app.api('/api/t/northwind/articles?limit=1')).body.data[0].id;
      const hook = await app.api('/api/t/northwind/webhooks', { body: { url: 'https://hooks.example.com/kiln', events: ['create'], collections: ['tags'] } });
      assert.equal(hook.status, 201, JSON.stringify(hook.body));
      webhookId = hook.body.data.id;
    });
    after(async () => {
      for (const b of browsers) await b.close();
      await worker?.stop();
      await app?.close();
      await inbox?.stop();
    });

    for (const width of WIDTHS) {
      test(`the signed-out pages at ${width}px: sign in, sign up, forgotten and reset password`, async () => {
        const b = await openBrowser(width, 844);
        browsers.push(b);
        const { page } = b;
        await withScreenshots(`a11y-signed-out-${width}`, pages, async () => {
          await check(page, app.url, '/sign-in', 'Sign in to Kiln');
          await page.getByRole('button', { name: 'Operator: sign in with the root token' }).click();
          await page.getByLabel('Root API token').waitFor();
          await assertAccessible(page, `the root token form at ${width}px`);
          await check(page, app.url, '/sign-up', /create/i);
          await check(page, app.url, '/forgot-password', /password/i);
          await check(page, app.url, '/reset-password?token=not-checked-until-sent', /password/i);
          await check(page, app.url, '/reset-password?error=INVALID_TOKEN', 'This link has expired');
        });
      });

      test(`a tenant admin's pages at ${width}px: the list, the editor of an article and of a new one, members, audit log`, async () => {
        const b = await openBrowser(width, 844);
        browsers.push(b);
        const { page } = b;
        await withScreenshots(`a11y-admin-${width}`, pages, async () => {
          await signIn(page, app.url, 'ada@example.com');
          await check(page, app.url, '/t/northwind/articles', 'Articles');
          await page.getByRole('button', { name: /filters/i }).first().click();
          await assertAccessible(page, `the list with its filters open at ${width}px`);
          if (width < 720) await assertNoSideScroll(page, `the list with its filters open at ${width}px`);
          await check(page, app.url, `/t/northwind/articles/${articleId}`, /.+/);
          await check(page, app.url, '/t/northwind/articles/new', /new/i);
          await check(page, app.url, '/t/northwind/-/members', 'Members');
          await check(page, app.url, '/t/northwind/-/audit', 'Audit log');
        });
      });

      test(`the operator's pages at ${width}px: API keys, webhooks and a webhook's deliveries`, async () => {
        const b = await openBrowser(width, 844);
        browsers.push(b);
        const { page } = b;
        await withScreenshots(`a11y-operator-${width}`, pages, async () => {
          await signInAsRoot(page, app.url);
          await check(page, app.url, '/t/northwind/-/api-keys', 'API keys');
          await check(page, app.url, '/t/northwind/-/webhooks', 'Webhooks');
          await check(page, app.url, `/t/northwind/-/webhooks/${webhookId}`, 'Webhook deliveries');

          // The admin pages' navigation is a row of tabs, not a bulleted list; on a phone it scrolls inside itself.
          const nav = page.getByRole('navigation', { name: 'Administration' });
          const look = await page.evaluate(`(() => {
            const nav = document.querySelector('nav[aria-label="Administration"]');
            return {
              bullets: getComputedStyle(nav.querySelector('li')).listStyleType,
              tops: new Set([...nav.querySelectorAll('a')].map((a) => Math.round(a.getBoundingClientRect().top))).size,
              overflow: getComputedStyle(nav).overflowX,
            };
          })()`);
          assert.deepEqual(look, { bullets: 'none', tops: 1, overflow: 'auto' });

          // Switching tenants on an admin page stays on that page; from a webhook's deliveries, on to the webhooks.
          await page.getByLabel('Tenant', { exact: true }).selectOption('harbor');
          await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
          assert.match(page.url(), /\/admin\/t\/harbor\/-\/webhooks$/);
          await nav.getByRole('link', { name: 'Audit log' }).click();
          await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
          await page.getByLabel('Tenant', { exact: true }).selectOption('northwind');
          await page.waitForURL(/\/admin\/t\/northwind\/-\/audit$/);
          await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
          assert.equal(await nav.getByRole('link', { name: 'Audit log' }).getAttribute('aria-current'), 'page');
        });
      });

      test(`a person's account page at ${width}px, and setting up two-factor on it`, async () => {
        const b = await openBrowser(width, 844);
        browsers.push(b);
        const { page } = b;
        await withScreenshots(`a11y-account-${width}`, pages, async () => {
          await signIn(page, app.url, `wren-${width}@example.com`);
          await check(page, app.url, '/account', 'Account');
          const section = page.getByRole('region', { name: 'Two-factor authentication' });
          await section.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
          await section.getByLabel('Your password').fill(PASSWORD);
          await checkHere(page, 'the account page asking for the password to set up two-factor');
          await section.getByRole('button', { name: 'Set up an authenticator app' }).click();
          await section.getByLabel('Code from the app').waitFor();
          await checkHere(page, "the account page's authenticator step");
        });
      });

      test(`the operator's builder at ${width}px: the page, a safe change and a breaking one previewed, a new app drafted`, async () => {
        const b = await openBrowser(width, 844);
        browsers.push(b);
        const { page } = b;
        await withScreenshots(`a11y-builder-${width}`, pages, async () => {
          await signInAsRoot(page, app.url);
          await check(page, app.url, '/account', 'Account');
          await check(page, app.url, '/builder', 'Builder');

          // The magazine has a featured flag already: a sponsored one is the safe change here.
          await page.getByLabel('Describe a change').fill('add a sponsored flag to articles');
          await page.getByRole('button', { name: 'Preview', exact: true }).click();
          const preview = page.getByRole('region', { name: 'Preview: “add a sponsored flag to articles”' });
          await preview.getByRole('listitem').filter({ hasText: 'added field articles.sponsored' }).getByText('Safe', { exact: true }).waitFor();
          await preview.getByText(/^SQL statements \(\d+\)$/).click();
          await preview.locator('pre').getByText(/sponsored/).first().waitFor();
          await checkHere(page, 'the builder previewing a safe change, its SQL open');

          await page.getByLabel('Describe a change').fill('rename summary to excerpt in articles');
          await page.getByRole('button', { name: 'Preview', exact: true }).click();
          const breaking = page.getByRole('region', { name: 'Preview: “rename summary to excerpt in articles”' });
          await breaking.getByLabel('I understand this may lose data').waitFor();
          await checkHere(page, 'the builder previewing a breaking change');
          assert.equal((await app.api('/api/spec')).body.data.collections.articles.fields.sponsored, undefined, 'nothing applied by a preview');

          await page.getByLabel('Describe the app').fill('A recipe site with recipes and ingredients. Recipes have a title and a cooking time in minutes.');
          await page.getByRole('button', { name: 'Draft a spec' }).click();
          await page.getByRole('list', { name: 'Collections of the draft' }).getByText('Recipes', { exact: true }).waitFor();
          await checkHere(page, 'the builder with a new app drafted');
        });
      });
    }

    test('the skip link leads into the content, and every control Tab reaches on the list and the editor shows focus', async () => {
      const b = await openBrowser();
      browsers.push(b);
      const { page } = b;
      await withScreenshots('a11y-keyboard', pages, async () => {
        await signIn(page, app.url, 'ada@example.com');
        await page.goto(`${app.url}/admin/t/northwind/articles`);
        await settled(page);
        await page.keyboard.press('Tab');
        const skipLink = page.getByRole('link', { name: 'Skip to content' });
        assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Skip to content');
        const box = await skipLink.boundingBox();
        assert.ok(box && box.x >= 0 && box.y >= 0 && box.width > 0, 'the focused skip link is on screen');
        await page.keyboard.press('Enter');
        await page.keyboard.press('Tab');
        const first = await focusStyle(page);
        assert.ok(first?.inMain, `after the skip link, Tab lands in the main content, not on ${first?.label}`);

        for (const path of ['/t/northwind/articles', `/t/northwind/articles/${articleId}`]) {
          await page.goto(`${app.url}/admin${path}`);
          await settled(page);
          const { invisible, seen } = await focusInvisible(page, 60);
          assert.ok(seen >= 10, `only ${seen} tab stops on ${path}`);
          assert.deepEqual(invisible, [], `controls on ${path} that look the same with and without focus`);
        }
      });
    });
  });
}

for (const driver of await drivers()) {
  describe(`accessibility of the OAuth pages (${driver})`, { skip }, () => {
    let app: OidcApp;
    const browsers: Browser[] = [];
    const pages = () => browsers.map((b) => b.page);

    before(async () => {
      const build = await ensureAdminBuild();
      assert.equal(build.error, undefined, build.error);
      app = await startOidcApp(driver, { adminUi: true });
      await verifiedUser(app, 'mira@example.com');
      assert.equal((await app.api('/api/tenants', { body: { slug: 'northwind', name: 'Northwind' } })).status, 201);
      assert.equal((await app.api('/api/tenants/northwind/members', { body: { email: 'mira@example.com', roles: ['editor'] } })).status, 201);
    });
    after(async () => {
      for (const b of browsers) await b.close();
      await app?.close();
    });

    for (const width of WIDTHS) {
      test(`a device's code, its confirmation and an app's consent at ${width}px`, async () => {
        const b = await openBrowser(width, 844);
        browsers.push(b);
        const { page } = b;
        const where = async (what: string) => {
          await settled(page);
          await assertAccessible(page, `${what} at ${width}px`);
          if (width < 720) await assertNoSideScroll(page, `${what} at ${width}px`);
        };
        await withScreenshots(`a11y-oauth-${width}`, pages, async () => {
          const device = await oidc.initiateDeviceAuthorization(await clientFor(app, 'tv'), { scope: 'openid email offline_access', kiln_tenant: 'northwind' });
          await page.goto(device.verification_uri_complete!);
          await page.getByRole('heading', { name: 'Sign in to Kiln' }).waitFor();
          await page.getByLabel('Email', { exact: true }).fill('mira@example.com');
          await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
          await page.getByRole('button', { name: 'Sign in', exact: true }).click();
          await page.getByRole('heading', { name: 'Connect a device' }).waitFor();
          await where('the device page');
          await page.getByRole('button', { name: 'Continue' }).click();
          await page.getByRole('heading', { name: 'Connect TV App?' }).waitFor();
          await where('the device confirmation');

          const mobile = await clientFor(app, 'mobile');
          const verifier = oidc.randomPKCECodeVerifier();
          const url = oidc.buildAuthorizationUrl(mobile, {
            redirect_uri: REDIRECT,
            scope: 'openid email',
            code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
            code_challenge_method: 'S256',
            state: 'st',
            kiln_tenant: 'northwind',
          });
          await page.goto(url.href);
          await page.getByRole('heading', { name: 'Allow Mobile App to use your account?' }).waitFor();
          await where('the consent page');
        });
      });
    }
  });
}
