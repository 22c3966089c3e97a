// The people the browser suites sign in as: an account confirmed through its mailed link and made a
// member of northwind with one role, and a password sign-in on the admin UI's own page.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { linkIn, type AuthApp } from '../auth/helpers.ts';
import { PASSWORD, type Mailbox } from '../auth/identity-helpers.ts';

/** Signs up through the API, confirms through the mailed link, joins northwind with `role`; returns the user id. */
export async function member(app: AuthApp, mail: Mailbox, email: string, role: string): Promise<string> {
  assert.equal((await app.post('/api/auth/sign-up/email', { email, password: PASSWORD, name: role })).status, 200);
  assert.equal((await app.get(linkIn((await mail.next()).raw, app.url).slice(app.url.length))).status, 302);
  const added = await app.api('/api/tenants/northwind/members', { method: 'POST', body: { email, roles: [role] } });
  assert.equal(added.status, 201);
  return added.body.data.userId;
}

/** Signs in with the password on /admin/ and waits for the first page, the articles. */
export async function signIn(page: Page, url: string, email: string): Promise<void> {
  await page.goto(`${url}/admin/`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Articles' }).waitFor();
}
