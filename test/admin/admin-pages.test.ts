// The tenant administration pages in a real browser, once per driver, against the magazine (with an
// "admin" role, which the example itself lacks) and its seed: a tenant admin invites by email (the
// mail read from a real SMTP server), cancels an invitation, changes a member's roles and reads them
// in the audit log; the operator (root token) creates an API key, copies it and uses it, then
// revokes it; creates a webhook to a receiver started here and sees a delivery in its log; reads the
// sign-ins in the whole app's audit log. A member who is no admin sees no admin pages at all.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { drivers, ROOT_TOKEN } from '../harness.ts';
import { SmtpInbox, startAuthApp, type AuthApp } from '../auth/helpers.ts';
import { decodedMail, magazineWithAuth, Mailbox } from '../auth/identity-helpers.ts';
import { startReceiver, waitFor, type Receiver } from '../webhooks/helpers.ts';
import { startMailWorker } from '../../src/auth/mail/mail-delivery.ts';
import type { Worker } from '../../src/data/queue/worker.ts';
import { readSeed, seedIfEmpty } from '../../src/data/seed.ts';
import { startWebhooks, type WebhookRuntime } from '../../src/data/webhooks/webhooks.ts';
import { ensureAdminBuild } from '../../src/experience/admin/admin-build.ts';
import { browserMissing, openBrowser, withScreenshots, type Browser } from './browser.ts';
import { member, signIn } from './people.ts';

const SEED = fileURLToPath(new URL('../../examples/magazine/seed.json', import.meta.url));
const skip = browserMissing();

async function signInAsRoot(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/admin/`);
  await page.getByRole('button', { name: 'Operator: sign in with the root token' }).click();
  await page.getByLabel('Root API token').fill(ROOT_TOKEN);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Articles' }).waitFor();
}

const adminNav = (page: Page) => page.getByRole('navigation', { name: 'Administration' });

for (const driver of await drivers()) {
  describe(`admin pages in a browser (${driver})`, { skip }, () => {
    let app: AuthApp;
    let inbox: SmtpInbox;
    let worker: Worker;
    let webhooks: WebhookRuntime;
    let receiver: Receiver;
    let mail: Mailbox;
    const browsers: Browser[] = [];
    const pages = () => browsers.map((b) => b.page);
    let writerId = '';

    before(async () => {
      const build = await ensureAdminBuild();
      assert.equal(build.error, undefined, build.error);
      inbox = new SmtpInbox();
      await inbox.start();
      mail = new Mailbox(inbox);
      receiver = await startReceiver();
      app = await startAuthApp(driver, { smtpUrl: inbox.url, spec: magazineWithAuth() });
      worker = startMailWorker(app.store.driver, { smtpUrl: inbox.url, from: 'Kiln Test <kiln@example.test>' }, { pollMs: 20 });
      webhooks = startWebhooks(app.store.driver, { pollMs: 20, retryBaseMs: 20, retryMaxDelayMs: 200, timeoutMs: 3000 });
      webhooks.attach(app.store);
      assert.ok((await seedIfEmpty(app.store, await readSeed(SEED))) > 0);
    });
    after(async () => {
      for (const b of browsers) await b.close();
      await webhooks?.stop();
      await worker?.stop();
      await app?.close();
      await inbox?.stop();
      await receiver?.close();
    });

    test('a tenant admin invites by email, cancels an invitation, changes a member’s roles and finds that in the audit log', async () => {
      await member(app, mail, 'ada@example.com', 'admin');
      writerId = await member(app, mail, 'wes@example.com', 'writer');
      await member(app, mail, 'rita@example.com', 'writer');
      const b = await openBrowser();
      browsers.push(b);
      const { page } = b;
      await withScreenshots('tenant-admin', pages, async () => {
        await signIn(page, app.url, 'ada@example.com');
        // A tenant admin manages people and reads the audit log; keys and webhooks are the operator's.
        const nav = adminNav(page);
        assert.deepEqual(await nav.getByRole('link').allTextContents(), ['Members', 'Audit log']);
        await nav.getByRole('link', { name: 'Members' }).click();
        await page.getByRole('heading', { level: 1, name: 'Members' }).waitFor();
        const list = page.getByRole('list', { name: 'Members' });
        await list.getByText('wes@example.com').waitFor();
        await list.getByText('(you)').waitFor();

        // The server's complaint appears beside the field it names.
        const invite = page.getByRole('form', { name: 'Invite someone' });
        await invite.getByRole('group', { name: 'Roles' }).getByLabel('Editor').check();
        await invite.getByLabel('Email', { exact: true }).fill('not-an-email');
        await invite.getByRole('button', { name: 'Invite' }).click();
        await page.locator('#invite-email-error').getByText('must be an email address').waitFor();
        assert.equal(await invite.getByLabel('Email', { exact: true }).getAttribute('aria-invalid'), 'true');

        await invite.getByLabel('Email', { exact: true }).fill('newbie@example.com');
        await invite.getByRole('button', { name: 'Invite' }).click();
        await page.getByText('An invitation was mailed to newbie@example.com.').waitFor();
        const invitation = await mail.next();
        assert.deepEqual(invitation.to, ['newbie@example.com']);
        assert.match(decodedMail(invitation.raw), /\/api\/tenants\/northwind\/invitations\/[0-9a-f-]{36}/);
        const pending = page.getByRole('table', { name: 'Pending invitations' });
        await pending.getByRole('cell', { name: 'newbie@example.com', exact: true }).waitFor();
        await pending.getByRole('cell', { name: 'Editor', exact: true }).waitFor();

        // A second invitation, cancelled after being asked.
        await invite.getByRole('group', { name: 'Roles' }).getByLabel('Writer').check();
        await invite.getByLabel('Email', { exact: true }).fill('oops@example.com');
        await invite.getByRole('button', { name: 'Invite' }).click();
        assert.deepEqual((await mail.next()).to, ['oops@example.com']);
        const row = pending.getByRole('row').filter({ hasText: 'oops@example.com' });
        await row.getByRole('button', { name: 'Cancel invitation' }).click();
        await row.getByRole('group', { name: 'Cancel the invitation to oops@example.com?' }).getByRole('button', { name: 'Cancel invitation' }).click();
        await page.getByText('The invitation to oops@example.com was cancelled.').waitFor();
        await pending.getByText('oops@example.com').waitFor({ state: 'detached' });
        const invitations = (await app.api('/api/tenants/northwind/invitations')).body.data.map((i: { email: string }) => i.email);
        assert.deepEqual(invitations, ['newbie@example.com']);

        // Wes becomes an editor instead of a writer.
        await page.getByRole('button', { name: 'Change roles of wes@example.com' }).click();
        const roles = page.getByRole('group', { name: 'Roles of wes@example.com' });
        assert.equal(await roles.getByLabel('Writer').isChecked(), true);
        await roles.getByLabel('Editor').check();
        await roles.getByLabel('Writer').uncheck();
        await page.getByRole('button', { name: 'Save roles' }).click();
        await page.getByText('Saved: wes@example.com now holds Editor in northwind.').waitFor();
        const members = (await app.api('/api/tenants/northwind/members')).body.data as { email: string; roles: string[] }[];
        assert.deepEqual(members.find((m) => m.email === 'wes@example.com')?.roles, ['editor']);
        await list.getByRole('listitem').filter({ hasText: 'wes@example.com' }).getByText('Roles: Editor').waitFor();

        // Rita is removed, after being asked.
        await page.getByRole('button', { name: 'Remove rita@example.com' }).click();
        await page.getByRole('group', { name: 'Remove rita@example.com from northwind?' }).getByRole('button', { name: 'Remove member' }).click();
        await page.getByText('rita@example.com was removed from northwind.').waitFor();
        await list.getByText('rita@example.com').waitFor({ state: 'detached' });
        const left = (await app.api('/api/tenants/northwind/members')).body.data.map((m: { email: string }) => m.email);
        assert.deepEqual(left.sort(), ['ada@example.com', 'wes@example.com']);

        // The audit log shows the change, by whom and about whom, and filters by kind.
        await nav.getByRole('link', { name: 'Audit log' }).click();
        await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
        const events = page.getByRole('table', { name: 'Audit events' });
        const change = events.getByRole('row').filter({ hasText: 'member.roles_changed' });
        await change.getByRole('cell', { name: 'ada@example.com', exact: true }).waitFor();
        await change.getByRole('cell', { name: 'wes@example.com', exact: true }).waitFor();
        await change.getByText('roles: editor').waitFor();
        await events.getByRole('cell', { name: 'invitation.canceled', exact: true }).first().waitFor();
        await page.getByLabel('Kind').selectOption('member.roles_changed');
        await page.getByRole('status').getByText('1 shown.').waitFor();
        assert.deepEqual(await events.locator('tbody td:nth-child(2)').allTextContents(), ['member.roles_changed']);
        await page.getByLabel('Kind').selectOption('');
        await page.getByLabel('About person').selectOption({ label: 'wes@example.com' });
        await page.getByRole('status').getByText(/^\d+ shown\.$/).waitFor();
        const about = await events.locator('tbody td:nth-child(4)').allTextContents();
        assert.ok(about.length > 0 && about.every((w) => w === 'wes@example.com'), about.join(','));

        // Pages only the operator may use say so.
        await page.goto(`${app.url}/admin/t/northwind/-/api-keys`);
        await page.getByRole('alert').getByText('Not allowed.').waitFor();
      });
    });

    test('a member who is no admin sees no admin navigation and is told “not allowed” at those pages', async () => {
      assert.ok(writerId, 'the first test made wes a member');
      const b = await openBrowser(390, 800);
      browsers.push(b);
      const { page } = b;
      await withScreenshots('not-admin', pages, async () => {
        await signIn(page, app.url, 'wes@example.com');
        assert.equal(await adminNav(page).count(), 0);
        for (const [path, title] of [['members', 'Members'], ['api-keys', 'API keys'], ['webhooks', 'Webhooks'], ['audit', 'Audit log']]) {
          await page.goto(`${app.url}/admin/t/northwind/-/${path}`);
          await page.getByRole('heading', { level: 1, name: title }).waitFor();
          await page.getByRole('alert').getByText('Not allowed.').waitFor();
          assert.equal(await adminNav(page).count(), 0);
        }
        assert.equal((await app.get('/api/tenants/northwind/members')).status, 401, 'the server refuses too');
      });
    });

    test('the operator creates an API key, copies it, uses it, and revokes it', async () => {
      const b = await openBrowser();
      browsers.push(b);
      const { page, context } = b;
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
      await withScreenshots('api-keys', pages, async () => {
        await signInAsRoot(page, app.url);
        // The operator sees every tenant; these pages are northwind's.
        await page.getByLabel('Tenant').selectOption('northwind');
        await page.getByRole('heading', { level: 1, name: 'Articles' }).waitFor();
        assert.deepEqual(await adminNav(page).getByRole('link').allTextContents(), ['Members', 'API keys', 'Webhooks', 'Audit log']);
        await adminNav(page).getByRole('link', { name: 'API keys' }).click();
        assert.match(page.url(), /\/admin\/t\/northwind\/-\/api-keys$/);
        await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
        await page.getByText('No API keys yet.').waitFor();

        await page.getByRole('button', { name: 'Create key' }).click();
        await page.locator('#key-name-error').waitFor();
        await page.getByLabel('Name', { exact: true }).fill('Website build');
        await page.getByLabel('Role', { exact: true }).selectOption('editor');
        await page.getByRole('button', { name: 'Create key' }).click();
        const shown = page.getByRole('region', { name: 'The new key “Website build”' });
        await shown.getByText('you will not see it again').waitFor();
        await shown.getByRole('button', { name: 'Copy' }).click();
        await shown.getByText('Copied to the clipboard.').waitFor();
        const key = (await page.evaluate('navigator.clipboard.readText()')) as string;
        assert.match(key, /^kiln_key_/);
        assert.equal(await shown.getByRole('textbox').inputValue(), key);

        const use = (init: RequestInit = {}) => fetch(`${app.url}/api/t/northwind/tags`, { ...init, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } });
        assert.equal((await use()).status, 200);
        assert.equal((await use({ method: 'POST', body: JSON.stringify({ name: 'from-the-key' }) })).status, 201);

        await shown.getByRole('button', { name: 'I have copied it' }).click();
        const table = page.getByRole('table', { name: 'API keys' });
        await table.getByRole('cell', { name: 'Website build', exact: true }).waitFor();
        await table.getByRole('cell', { name: `…${key.slice(-4)}` }).waitFor();
        assert.equal(await page.getByText(key).count(), 0, 'the secret is not shown again');

        await table.getByRole('button', { name: 'Revoke' }).click();
        await table.getByRole('button', { name: 'Revoke key' }).click();
        await page.getByText('The key “Website build” was revoked').waitFor();
        await page.getByText('No API keys yet.').waitFor();
        assert.equal((await use()).status, 401);
      });
    });

    test('the operator creates a webhook and sees its delivery in the log, then stops it', async () => {
      const { page } = browsers[browsers.length - 1];
      await withScreenshots('webhooks', pages, async () => {
        await adminNav(page).getByRole('link', { name: 'Webhooks' }).click();
        await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
        const form = page.getByRole('form', { name: 'New webhook' });
        await form.getByLabel('URL').fill('ftp://example.com/nope');
        await form.getByRole('button', { name: 'Create webhook' }).click();
        await page.locator('#new-webhook-url-error').getByText('must use http or https').waitFor();

        await form.getByLabel('URL').fill(`${receiver.url}/kiln`);
        await form.getByRole('group', { name: 'Events' }).getByLabel('Create').check();
        await form.getByRole('group', { name: 'Collections' }).getByLabel('Tags').check();
        await form.getByRole('button', { name: 'Create webhook' }).click();
        const secret = page.getByRole('region', { name: `The signing secret for ${receiver.url}/kiln` });
        await secret.getByText('you will not see it again').waitFor();
        assert.match(await secret.getByRole('textbox').inputValue(), /^whsec_/);
        await secret.getByRole('button', { name: 'I have copied it' }).click();

        const subs = (await app.api('/api/t/northwind/webhooks')).body.data as { id: string; events: string[]; collections: string[] }[];
        assert.deepEqual([subs.length, subs[0].events, subs[0].collections], [1, ['create'], ['tags']]);
        await page.getByRole('link', { name: `Deliveries to ${receiver.url}/kiln` }).click();
        await page.getByRole('heading', { level: 1, name: 'Webhook deliveries' }).waitFor();
        await page.getByText('Nothing delivered yet.').waitFor();

        assert.equal((await app.api('/api/t/northwind/tags', { body: { name: 'hooked' } })).status, 201);
        await waitFor('the delivery', () => receiver.requests.length === 1);
        const log = page.getByRole('table', { name: 'Deliveries' });
        await page.getByRole('button', { name: 'Refresh' }).click();
        const delivered = log.getByRole('row').filter({ hasText: 'tags.create' });
        await delivered.getByText('Succeeded').waitFor();
        await delivered.getByRole('cell', { name: /^204/ }).waitFor();

        await page.getByRole('button', { name: 'Disable' }).click();
        await page.getByRole('button', { name: 'Disable webhook' }).click();
        await page.getByText('Stopped', { exact: true }).waitFor();
        assert.equal((await app.api(`/api/t/northwind/webhooks/${subs[0].id}`)).body.data.enabled, false);
        await page.getByRole('button', { name: 'Enable' }).click();
        await page.getByText('Enabled', { exact: true }).waitFor();
      });
    });

    test('the operator reads sign-ins and role changes in the whole app’s audit log, at phone width too', async () => {
      const b = await openBrowser(390, 800);
      browsers.push(b);
      const { page } = b;
      await withScreenshots('audit', pages, async () => {
        await signInAsRoot(page, app.url);
        await page.goto(`${app.url}/admin/t/northwind/-/audit`);
        await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
        const events = page.getByRole('table', { name: 'Audit events' });
        await events.getByRole('cell', { name: 'member.roles_changed', exact: true }).first().waitFor();
        assert.equal(await events.getByRole('cell', { name: 'sign_in.success' }).count(), 0, 'sign-ins belong to no tenant');
        await page.getByLabel('Events of').selectOption('app');
        const signInRow = events.getByRole('row').filter({ hasText: 'sign_in.success' }).filter({ hasText: 'ada@example.com' });
        await signInRow.first().waitFor();
        await events.getByRole('cell', { name: 'member.roles_changed', exact: true }).first().waitFor();
        const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
        assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
      });
    });
  });
}
