// Drafts and publishing on the magazine's article workflow, once per driver: readers only ever see
// published content (lists, reads, expands, relation filters, search, revisions), editors work on
// drafts, transitions follow the spec's graph, and the published view survives a rebuild from the
// event log and a migration.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers, exampleSpec, startApp, type TestApp } from '../harness.ts';
import { rebuildViews } from '../../src/data/events/rebuild-views.ts';
import { migrate } from '../../src/data/migrate/migrate.ts';
import { checkSpec } from '../../src/spec/check.ts';
import { Store } from '../../src/data/store.ts';

type Item = Record<string, unknown> & { id: string };

for (const d of await drivers()) {
  describe(`workflow (${d})`, () => {
    let app: TestApp;
    let author: Item;
    let tag: Item;
    const base = '/api/t/mag';
    const anonTitles = async (path = `${base}/articles`) => ((await app.api(path, { token: null })).body.data as Item[]).map((x) => x.title);
    const transition = (id: string, to: string) => app.api(`${base}/articles/${id}/transition`, { body: { to } });

    before(async () => {
      app = await startApp(d);
      assert.equal((await app.api('/api/tenants', { body: { slug: 'mag', name: 'Mag' } })).status, 201);
      author = (await app.api(`${base}/authors`, { body: { name: 'Ada' } })).body.data;
      tag = (await app.api(`${base}/tags`, { body: { name: 'news' } })).body.data;
    });
    after(() => app.close());

    it('keeps a new article from readers until it is published through review', async () => {
      const a: Item = (await app.api(`${base}/articles`, { body: { title: 'Quiet launch', summary: 'first words', author: author.id, tags: [tag.id] } })).body.data;
      assert.equal(a.status, 'draft');
      assert.deepEqual(await anonTitles(), []);
      assert.equal((await app.api(`${base}/articles/${a.id}`, { token: null })).status, 404);

      const skip = await transition(a.id, 'published');
      assert.equal(skip.status, 409);
      assert.deepEqual(skip.body.errors, [{ field: 'to', detail: 'allowed from "draft": in_review, archived' }]);

      assert.equal((await transition(a.id, 'in_review')).status, 200);
      const pub = await transition(a.id, 'published');
      assert.equal(pub.status, 200);
      assert.equal(pub.body.data.status, 'published');
      assert.deepEqual(await anonTitles(), ['Quiet launch']);
      const one = await app.api(`${base}/articles/${a.id}?expand=tags,author`, { token: null });
      assert.equal(one.body.data.tags[0].name, 'news');
      assert.equal(one.body.data.author.name, 'Ada');
    });

    it('lets editors change a draft while readers keep the published version, everywhere', async () => {
      const [a] = (await app.api(`${base}/articles`)).body.data as Item[];
      const edited = await app.api(`${base}/articles/${a.id}`, { method: 'PATCH', body: { title: 'Loud relaunch', summary: 'second words' } });
      assert.equal(edited.status, 200);
      assert.equal(edited.body.data.status, 'published', 'editing a published item leaves its state');
      assert.deepEqual(await anonTitles(), ['Quiet launch']);
      assert.deepEqual(((await app.api(`${base}/articles`)).body.data as Item[]).map((x) => x.title), ['Loud relaunch']);
      assert.equal((await app.api(`${base}/articles/${a.id}`, { token: null })).body.data.title, 'Quiet launch');
      assert.deepEqual(await anonTitles(`${base}/articles?filter[title][_eq]=Loud%20relaunch`), []);
      assert.deepEqual(await anonTitles(`${base}/articles?search=relaunch`), []);
      assert.deepEqual(await anonTitles(`${base}/articles?search=quiet`), ['Quiet launch']);
      const hits = (await app.api(`${base}/search?q=relaunch`, { token: null })).body.data;
      assert.equal(hits.length, 0, 'the cross-collection search does not show drafts to readers');
      assert.equal((await app.api(`${base}/search?q=relaunch`)).body.data.length, 1, 'editors find the draft');
      assert.equal((await app.api(`${base}/articles/${a.id}/revisions`, { token: null })).status, 401, 'revisions hold drafts');

      const republished = await transition(a.id, 'published');
      assert.equal(republished.status, 200);
      assert.deepEqual(await anonTitles(), ['Loud relaunch']);
    });

    it('unpublishes an article that leaves the publish state, and records every step in its revisions', async () => {
      const [a] = (await app.api(`${base}/articles`)).body.data as Item[];
      assert.equal((await transition(a.id, 'archived')).status, 200);
      assert.deepEqual(await anonTitles(), []);
      const revs = (await app.api(`${base}/articles/${a.id}/revisions`)).body.data as { type: string }[];
      assert.deepEqual(revs.map((r) => r.type), ['create', 'transition', 'transition', 'publish', 'update', 'transition', 'publish', 'transition', 'unpublish']);
      assert.equal((await transition(a.id, 'draft')).status, 200);
      const bad = await app.api(`${base}/articles/${a.id}/transition`, { body: { to: 'gone' } });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.errors[0].field, 'to');
    });

    it('refuses a direct state change from anyone but the root token, and transitions from anonymous callers', async () => {
      const a: Item = (await app.api(`${base}/articles`, { body: { title: 'Direct', author: author.id, status: 'published' } })).body.data;
      assert.deepEqual(await anonTitles(`${base}/articles?filter[title][_eq]=Direct`), ['Direct'], 'root may publish directly');
      const anon = await app.api(`${base}/articles/${a.id}/transition`, { body: { to: 'archived' }, token: null });
      assert.equal(anon.status, 401);
      assert.deepEqual(await anonTitles(`${base}/articles?filter[title][_eq]=Direct`), ['Direct']);
    });

    it('rebuilds both views from the event log, and carries the published view through a migration', async () => {
      const snapshot = async () => JSON.stringify([(await app.api(`${base}/articles?expand=tags`, { token: null })).body, (await app.api(`${base}/articles?expand=tags`)).body]);
      const before = await snapshot();
      await rebuildViews(app.store.driver, app.store.model);
      assert.equal(await snapshot(), before);

      const next = structuredClone(exampleSpec('magazine')) as unknown as { collections: { articles: { fields: Record<string, unknown> } } };
      next.collections.articles.fields.subtitle = { type: 'string' };
      const checked = checkSpec(next);
      assert.ok(checked.ok);
      const report = await migrate(app.store.driver, checked.spec);
      assert.equal(report.applied, true, JSON.stringify(report.failures));
      assert.ok(report.rows.some((r) => r.collection === 'articles (published)'));
      const store = await Store.open(app.store.driver, checked.spec);
      const readers = await store.list({ tenant: 'mag', actor: { kind: 'anonymous' } }, 'articles', { sort: 'title' });
      assert.deepEqual(readers.data.map((x) => [x.title, x.subtitle]), [['Direct', null]]);
      await rebuildViews(app.store.driver, store.model);
      const again = await store.list({ tenant: 'mag', actor: { kind: 'anonymous' } }, 'articles', { sort: 'title' });
      assert.deepEqual(again.data, readers.data);
    });
  });
}
