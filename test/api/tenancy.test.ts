// Tenant isolation on every endpoint, and the tenant endpoints themselves.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { drivers, startApp, type TestApp } from '../harness.ts';
import { ISO_MS, UUID_V7, assertProblem, countRows, create, createTenant, dbRow, ids, list, type Item } from './helpers.ts';

type World = { author: Item; only: Item; tag: Item; onlyTag: Item; cat: Item; article: Item };

for (const d of await drivers()) {
  describe(`tenancy (${d})`, () => {
    let app: TestApp;
    const w: Record<'alpha' | 'beta', World> = {} as never;

    before(async () => {
      app = await startApp(d);
      for (const t of ['alpha', 'beta'] as const) {
        await createTenant(app, t);
        const author = await create(app, t, 'authors', { name: 'Same Name', email: 'same@example.com' });
        const only = await create(app, t, 'authors', { name: `Only ${t}` });
        const tag = await create(app, t, 'tags', { name: 'shared' });
        const onlyTag = await create(app, t, 'tags', { name: `only-${t}` });
        const cat = await create(app, t, 'categories', { name: 'Shared' });
        const article = await create(app, t, 'articles', { title: 'Shared Title', author: only.id, tags: [onlyTag.id, tag.id], category: cat.id, status: 'published' });
        w[t] = { author, only, tag, onlyTag, cat, article };
      }
    });
    after(() => app.close());

    it('unique values and derived slugs are per tenant', () => {
      assert.equal(w.alpha.author.email, w.beta.author.email);
      assert.equal(w.alpha.article.slug, 'shared-title');
      assert.equal(w.beta.article.slug, 'shared-title');
      assert.equal(w.beta.tag.slug, 'shared');
      assert.equal(w.beta.cat.slug, 'shared');
    });

    it('lists only the tenant\'s own items in every collection', async () => {
      for (const [collection, key] of [['authors', ['author', 'only']], ['tags', ['tag', 'onlyTag']], ['categories', ['cat']], ['articles', ['article']]] as const) {
        for (const t of ['alpha', 'beta'] as const) {
          const r = await list(app, `/api/t/${t}/${collection}?limit=200&meta=total_count`);
          const expected = key.map((k) => w[t][k].id).sort();
          assert.deepEqual(ids(r.data).sort(), expected, `${t}/${collection}`);
          assert.equal(r.meta.total_count, expected.length);
        }
      }
    });

    it('never reads, changes or deletes another tenant\'s item through its own URL', async () => {
      const a = w.alpha;
      const targets: [string, Item, string][] = [['articles', a.article, '?expand=author,tags'], ['authors', a.author, '?fields=name'], ['tags', a.tag, ''], ['categories', a.cat, '?expand=parent']];
      const before = await countRows(app);
      for (const [collection, item, query] of targets) {
        const url = `/api/t/beta/${collection}/${item.id}`;
        assertProblem(await app.api(url), 404);
        assertProblem(await app.api(`${url}${query}`), 404);
        assertProblem(await app.api(url, { method: 'PATCH', body: {} }), 404);
        assertProblem(await app.api(url, { method: 'DELETE' }), 404);
      }
      assertProblem(await app.api(`/api/t/beta/articles/${a.article.id}`, { method: 'PATCH', body: { title: 'Hijacked', author: w.beta.author.id } }), 404);
      assertProblem(await app.api(`/api/t/beta/tags/${a.tag.id}`, { method: 'PATCH', body: { name: 'hijacked' } }), 404);
      assert.deepEqual(await countRows(app), before);
      for (const [collection, item] of targets) {
        const got = await app.api(`/api/t/alpha/${collection}/${item.id}`);
        assert.equal(got.status, 200);
        assert.deepEqual(got.body.data, item, `${collection} unchanged`);
      }
      const row = await dbRow(app, 'articles', a.article.id);
      assert.equal(row!.title, 'Shared Title');
    });

    it('filters never reach into another tenant, directly or through relations', async () => {
      const a = w.alpha;
      const beta = '/api/t/beta/articles';
      const empty = [
        `filter[id][_eq]=${a.article.id}`,
        `filter[id][_in]=${a.article.id},${a.author.id}`,
        `filter[author][_eq]=${a.only.id}`,
        'filter[author.name][_eq]=Only alpha',
        `filter[tags][_contains]=${a.onlyTag.id}`,
        `filter[tags][_contains]=${a.tag.id}`,
        'filter[tags.name][_eq]=only-alpha',
        `filter[category][_eq]=${a.cat.id}`,
        `filter[category.id][_eq]=${a.cat.id}`,
      ];
      for (const q of empty) assert.deepEqual((await list(app, `${beta}?${q}`)).data, [], q);
      // The same questions about the tenant's own items do match.
      assert.deepEqual(ids((await list(app, `${beta}?filter[author.name][_eq]=Only beta`)).data), [w.beta.article.id]);
      assert.deepEqual(ids((await list(app, `${beta}?filter[tags.name][_eq]=shared`)).data), [w.beta.article.id]);
      assert.deepEqual(ids((await list(app, `/api/t/alpha/articles?filter[tags.name][_eq]=shared`)).data), [a.article.id]);
    });

    it('expands only the tenant\'s own related items', async () => {
      const r = await list(app, '/api/t/beta/articles?expand=author,tags,category');
      assert.equal(r.data.length, 1);
      const item = r.data[0];
      assert.deepEqual(item.author, w.beta.only);
      assert.deepEqual(item.tags, [w.beta.onlyTag, w.beta.tag]);
      assert.deepEqual(item.category, w.beta.cat);
    });

    it('refuses relation ids from another tenant on create and update', async () => {
      const a = w.alpha;
      const before = await countRows(app);
      assertProblem(await app.api('/api/t/beta/articles', { body: { title: 'x', author: a.author.id } }), 422, 'author');
      assertProblem(await app.api('/api/t/beta/articles', { body: { title: 'x', author: w.beta.author.id, category: a.cat.id } }), 422, 'category');
      assertProblem(await app.api('/api/t/beta/articles', { body: { title: 'x', author: w.beta.author.id, tags: [w.beta.tag.id, a.tag.id] } }), 422, 'tags');
      assertProblem(await app.api('/api/t/beta/categories', { body: { name: 'Child', parent: a.cat.id } }), 422, 'parent');
      const url = `/api/t/beta/articles/${w.beta.article.id}`;
      assertProblem(await app.api(url, { method: 'PATCH', body: { author: a.author.id } }), 422, 'author');
      assertProblem(await app.api(url, { method: 'PATCH', body: { tags: [a.onlyTag.id] } }), 422, 'tags');
      assertProblem(await app.api(`/api/t/beta/categories/${w.beta.cat.id}`, { method: 'PATCH', body: { parent: a.cat.id } }), 422, 'parent');
      assert.deepEqual(await countRows(app), before);
      assert.deepEqual((await app.api(url)).body.data, w.beta.article);
    });

    it('the database itself refuses a link across tenants', async () => {
      const db = app.store.driver.db;
      const betaTenant = (await dbRow(app, 'articles', w.beta.article.id))!._tenant;
      await assert.rejects(
        db.updateTable('articles').set({ author: w.alpha.author.id }).where('id', '=', w.beta.article.id).execute(),
        'an article of beta pointing at an author of alpha',
      );
      await assert.rejects(
        db.insertInto('articles__tags').values({ _tenant: betaTenant, source: w.beta.article.id, target: w.alpha.tag.id, position: 9 }).execute(),
        'a beta article linked to an alpha tag',
      );
    });

    it('deleting in one tenant leaves the other tenant\'s look-alike untouched', async () => {
      const tag = await create(app, 'beta', 'tags', { name: 'ephemeral' });
      const twin = await create(app, 'alpha', 'tags', { name: 'ephemeral' });
      assert.equal((await app.api(`/api/t/beta/tags/${tag.id}`, { method: 'DELETE' })).status, 204);
      assert.deepEqual((await app.api(`/api/t/alpha/tags/${twin.id}`)).body.data, twin);
      // A referenced author in alpha is not freed by beta's articles, and vice versa.
      assertProblem(await app.api(`/api/t/alpha/authors/${w.alpha.only.id}`, { method: 'DELETE' }), 409, 'articles.author');
    });

    it('answers 404 for an unknown tenant on every endpoint', async () => {
      const x = w.alpha.article.id;
      assertProblem(await app.api('/api/t/gamma/articles'), 404);
      assertProblem(await app.api(`/api/t/gamma/articles/${x}`), 404);
      assertProblem(await app.api('/api/t/gamma/articles', { body: { title: 'x', author: w.alpha.author.id } }), 404);
      assertProblem(await app.api(`/api/t/gamma/articles/${x}`, { method: 'PATCH', body: { title: 'x' } }), 404);
      assertProblem(await app.api(`/api/t/gamma/articles/${x}`, { method: 'DELETE' }), 404);
    });

    it('creates tenants with the root token: 201, Location, and an empty, usable tenant', async () => {
      const r = await app.api('/api/tenants', { body: { slug: 'gamma-2', name: '  Gamma Two  ' } });
      assert.equal(r.status, 201);
      assert.equal(r.headers.get('location'), '/api/t/gamma-2');
      assert.match(r.body.data.id, UUID_V7);
      assert.equal(r.body.data.slug, 'gamma-2');
      assert.equal(r.body.data.name, 'Gamma Two');
      assert.match(r.body.data.createdAt, ISO_MS);
      assert.deepEqual((await list(app, '/api/t/gamma-2/articles')).data, []);
      await create(app, 'gamma-2', 'authors', { name: 'First' });

      const all = await app.api('/api/tenants');
      assert.equal(all.status, 200);
      assert.deepEqual(all.body.data.map((t: Item) => t.slug), ['alpha', 'beta', 'gamma-2']);
      assert.deepEqual(Object.keys(all.body.data[0]).sort(), ['createdAt', 'id', 'name', 'slug']);
    });

    it('refuses a duplicate tenant slug with 409', async () => {
      const before = await countRows(app, ['kiln_tenants']);
      assertProblem(await app.api('/api/tenants', { body: { slug: 'alpha', name: 'Again' } }), 409, 'slug');
      assert.deepEqual(await countRows(app, ['kiln_tenants']), before);
    });

    it('refuses invalid tenant bodies with 422 naming the field', async () => {
      const before = await countRows(app, ['kiln_tenants']);
      for (const slug of ['Upper', 'has space', '-lead', 'trail-', 'a_b', '', 'x'.repeat(64), 'ünï', 5]) {
        assertProblem(await app.api('/api/tenants', { body: { slug, name: 'N' } }), 422, 'slug');
      }
      assertProblem(await app.api('/api/tenants', { body: { slug: 'okslug' } }), 422, 'name');
      assertProblem(await app.api('/api/tenants', { body: { slug: 'okslug', name: '   ' } }), 422, 'name');
      assertProblem(await app.api('/api/tenants', { body: { slug: 'okslug', name: 'n'.repeat(201) } }), 422, 'name');
      assertProblem(await app.api('/api/tenants', { body: { slug: 'okslug', name: 'N', id: w.alpha.article.id } }), 422, 'id');
      assert.deepEqual(await countRows(app, ['kiln_tenants']), before);
    });

    it('needs the root token to create or list tenants: 401 with WWW-Authenticate otherwise', async () => {
      const before = await countRows(app, ['kiln_tenants']);
      for (const token of [null, 'wrong-token-0123456789abcdef']) {
        const c = assertProblem(await app.api('/api/tenants', { body: { slug: 'sneaky', name: 'Sneaky' }, token }), 401);
        assert.equal(c.type, 'urn:kiln:problem:unauthenticated');
        const r = await app.api('/api/tenants', { body: { slug: 'sneaky', name: 'Sneaky' }, token });
        assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
        assertProblem(await app.api('/api/tenants', { token }), 401);
      }
      assert.deepEqual(await countRows(app, ['kiln_tenants']), before);
    });
  });
}
