// createdBy and updatedBy in storage, once per driver: rebuilding the views from the event log
// reproduces them, a migration that rebuilds a table keeps them, and a database whose tables were
// created before the columns existed is upgraded in place on start instead of being refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { drivers, freshDatabase, serveApp, type TestApp } from '../harness.ts';
import { rebuildViews } from '../../src/data/events/rebuild-views.ts';
import { migrate } from '../../src/data/migrate/migrate.ts';
import { constraintName } from '../../src/data/model.ts';
import type { Spec } from '../../src/spec/schema.ts';
import { key, rulesSpec, tenant } from './rules-helpers.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

for (const d of await drivers()) {
  describe(`createdBy in storage (${d})`, () => {
    let db: Awaited<ReturnType<typeof freshDatabase>>;
    let app: TestApp;
    let writer: { token: string; id: string };
    let article: Json;
    const base = '/api/t/alpha';
    const creators = async () => {
      const r = await app.api(`${base}/articles?sort=title`);
      return r.body.data.map((a: Json) => [a.title, a.createdBy, a.updatedBy]);
    };

    before(async () => {
      db = await freshDatabase(d);
      app = await serveApp(d, db, rulesSpec());
      await tenant(app, 'alpha');
      writer = await key(app, 'alpha', 'writer');
      const editor = await key(app, 'alpha', 'editor');
      article = (await app.api(`${base}/articles`, { body: { title: 'Kept creator' }, token: writer.token })).body.data;
      assert.equal((await app.api(`${base}/articles/${article.id}`, { method: 'PATCH', body: { title: 'Kept creator, edited' }, token: editor.token })).status, 200);
      assert.equal((await app.api(`${base}/articles/${article.id}/transition`, { body: { to: 'published' }, token: editor.token })).status, 200);
      article = (await app.api(`${base}/articles/${article.id}`)).body.data;
      assert.equal(article.createdBy, writer.id);
      assert.equal(article.updatedBy, editor.id);
    });
    after(async () => {
      await app.close();
      await db.drop();
    });

    it('rebuilding the views from the log reproduces createdBy and updatedBy', async () => {
      const was = await creators();
      await rebuildViews(app.store.driver, app.store.model);
      assert.deepEqual(await creators(), was);
      assert.equal((await app.api(`${base}/articles/${article.id}`, { method: 'PATCH', body: { title: 'Still theirs' }, token: writer.token })).status, 200, '"own" still holds after the rebuild');
      assert.equal((await app.api(`${base}/articles/${article.id}`, { method: 'PATCH', body: { title: 'Kept creator, edited' }, token: writer.token })).status, 200);
    });

    it('a migration that rebuilds the table keeps them', async () => {
      const before = await creators();
      const next: Spec = structuredClone(app.store.spec);
      next.collections.articles.fields.subtitle = { type: 'string' };
      const report = await migrate(app.store.driver, next);
      assert.ok(report.applied, JSON.stringify(report));
      await app.close();
      app = await serveApp(d, db, next);
      assert.deepEqual(await creators(), before);
      const live = await app.api(`${base}/articles/${article.id}`);
      assert.equal(live.body.data.createdBy, writer.id, 'the published view too');
    });

    it('upgrades tables from before createdBy existed in place on start', async () => {
      const spec = app.store.spec;
      const driver = app.store.driver;
      for (const table of ['authors', 'articles', 'articles___live', 'notes']) {
        await sql`drop index ${sql.table(constraintName('ix', table, 'createdBy'))}`.execute(driver.db);
        await sql`alter table ${sql.table(table)} drop column ${sql.ref('createdBy')}`.execute(driver.db);
        await sql`alter table ${sql.table(table)} drop column ${sql.ref('updatedBy')}`.execute(driver.db);
      }
      await app.close();
      app = await serveApp(d, db, spec);
      const r = await app.api(`${base}/articles/${article.id}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.data.createdBy, null, 'nobody is known to have created items from before');
      const fresh = await app.api(`${base}/articles`, { body: { title: 'After the upgrade' }, token: writer.token });
      assert.equal(fresh.status, 201, JSON.stringify(fresh.body));
      assert.equal((await app.api(`${base}/articles/${fresh.body.data.id}`, { token: writer.token })).body.data.createdBy, writer.id);
    });
  });
}
