// Retakes docs/admin-editor.png, the README's picture of the article editor:
//   node_modules/.bin/node docs/screenshot-editor.ts
// Kiln runs in-process on the magazine example with its seed on a temporary SQLite database; one
// seeded northwind article gets a formatted body through the API (so its revisions have something
// to show); the operator signs in with the root token in Debian's chromium (KILN_TEST_CHROMIUM to
// point elsewhere) and the editor is photographed 1280 px wide once everything has loaded.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { exampleSpec, ROOT_TOKEN } from '../test/harness.ts';
import { startAuthApp } from '../test/auth/helpers.ts';
import { openBrowser } from '../test/admin/browser.ts';
import { settled } from '../test/admin/axe.ts';
import { readSeed, seedIfEmpty } from '../src/data/seed.ts';
import { ensureAdminBuild } from '../src/experience/admin/admin-build.ts';

const SEED = fileURLToPath(new URL('../examples/magazine/seed.json', import.meta.url));
const OUT = fileURLToPath(new URL('./admin-editor.png', import.meta.url));
const WIDTH = 1280;
const HEIGHT = 1400;
const TITLE = 'Why slow software wins';
const BODY = [
  '<h2>Fast to ship, slow to trust</h2>',
  '<p>The tools we keep are rarely the quickest to adopt. They are the ones that <strong>still work the same way</strong> five years later, and whose failures we have <em>already</em> learned to read.</p>',
  '<ul><li>Fewer moving parts to upgrade</li><li>Documentation that outlives the release notes</li><li>Errors you have seen before</li></ul>',
  '<blockquote><p>Boring is a feature you only notice when it is gone.</p></blockquote>',
  '<p>Read more in <a href="https://example.com/slow-software">our notes on the long view</a>.</p>',
].join('');

const build = await ensureAdminBuild();
assert.equal(build.error, undefined, build.error);
const app = await startAuthApp('sqlite', { spec: exampleSpec('magazine') });
const browser = await openBrowser(WIDTH, 900);
try {
  assert.ok((await seedIfEmpty(app.store, await readSeed(SEED))) > 0, 'the seed was loaded');
  const found = await app.api(`/api/t/northwind/articles?filter[title][_eq]=${encodeURIComponent(TITLE)}&limit=1`);
  assert.equal(found.status, 200, JSON.stringify(found.body));
  const id: string = found.body.data[0].id;
  const edited = await app.api(`/api/t/northwind/articles/${id}`, { method: 'PATCH', body: { body: BODY } });
  assert.equal(edited.status, 200, JSON.stringify(edited.body));

  const { page } = browser;
  await page.goto(`${app.url}/admin/`);
  await page.getByRole('button', { name: 'Operator: sign in with the root token' }).click();
  await page.getByLabel('Root API token').fill(ROOT_TOKEN);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Articles' }).waitFor();

  await page.goto(`${app.url}/admin/t/northwind/articles/${id}`);
  await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
  await page.getByRole('toolbar').first().waitFor();
  await page.locator('.rte-content h2').waitFor();
  await page.getByRole('heading', { name: 'Revisions' }).waitFor();
  await page.getByRole('button', { name: /^Compare/ }).first().waitFor();
  await settled(page);
  await page.evaluate('document.fonts.ready.then(() => undefined)');

  const height = Math.min(HEIGHT, (await page.evaluate('document.documentElement.scrollHeight')) as number);
  await page.screenshot({ path: OUT, fullPage: true, clip: { x: 0, y: 0, width: WIDTH, height } });
  console.log(`wrote ${OUT} (${WIDTH}×${height})`);
} finally {
  await browser.close();
  await app.close();
}
