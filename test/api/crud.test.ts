// Create, read, update and delete through the HTTP API: defaults, canonical values, derived slugs,
// uniqueness, relation checks and referential integrity, with the database checked directly.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { drivers, startApp, type TestApp } from '../harness.ts';
import { ISO_MS, MISSING_ID, UUID_V7, assertProblem, countRows, create, createTenant, dbRow, type Item } from './helpers.ts';

for (const d of await drivers()) {
  describe(`crud (${d})`, () => {
    let app: TestApp;
    let author: Item;
    const base = '/api/t/pub';

    before(async () => {
      app = await startApp(d);
      await createTenant(app, 'pub');
      await createTenant(app, 'other');
      author = await create(app, 'pub', 'authors', { name: 'Ada Lovelace', email: 'ada@example.com' });
    });
    after(() => app.close());

    it('creates an item: 201, Location, a UUIDv7 id, nulls for unset fields, timestamps, and a real row', async () => {
      const r = await app.api(`${base}/authors`, { body: { name: 'Grace Hopper', bio: 'Compilers.' } });
      assert.equal(r.status, 201);
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
      const a = r.body.data;
      assert.match(a.id, UUID_V7);
      assert.equal(r.headers.get('location'), `${base}/authors/${a.id}`);
      assert.deepEqual(
        { name: a.name, email: a.email, bio: a.bio, website: a.website, avatar: a.avatar },
        { name: 'Grace Hopper', email: null, bio: 'Compilers.', website: null, avatar: null },
      );
      assert.match(a.createdAt, ISO_MS);
      assert.equal(a.updatedAt, a.createdAt);

      const got = await app.api(r.headers.get('location')!);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body.data, a);

      const row = await dbRow(app, 'authors', a.id);
      assert.ok(row, 'row is in the database');
      assert.equal(row.name, 'Grace Hopper');
      assert.equal(row.bio, 'Compilers.');
    });

    it('fills defaults and derives the slug on create', async () => {
      const a = await create(app, 'pub', 'articles', { title: 'Hello, World!', author: author.id });
      assert.equal(a.slug, 'hello-world');
      assert.equal(a.status, 'draft');
      assert.equal(a.views, 0);
      assert.equal(a.featured, false);
      assert.deepEqual(a.tags, []);
      assert.equal(a.category, null);
      assert.equal(a.price, null);
      assert.equal(a.publishedAt, null);
      assert.equal(a.metadata, null);
      assert.equal(a.author, author.id);
    });

    it('derives a usable slug from a title without Latin letters', async () => {
      const a = await create(app, 'pub', 'tags', { name: '日本語' });
      const b = await create(app, 'pub', 'tags', { name: '中文' });
      assert.deepEqual([a.slug, b.slug], ['item', 'item-2']);
    });

    it('returns values in canonical form: decimals with scale digits, UTC datetimes, real booleans, json as given', async () => {
      const a = await create(app, 'pub', 'articles', {
        title: 'Values',
        author: author.id,
        price: 12.5,
        publishedAt: '2026-03-01T10:00:00+02:00',
        featured: true,
        readingMinutes: 7,
        metadata: { a: [1, { b: null }], s: 'x' },
      });
      assert.equal(a.price, '12.50');
      assert.equal(a.publishedAt, '2026-03-01T08:00:00.000Z');
      assert.equal(a.featured, true);
      assert.equal(a.readingMinutes, 7);
      assert.deepEqual(a.metadata, { a: [1, { b: null }], s: 'x' });

      const b = await create(app, 'pub', 'articles', { title: 'Values two', author: author.id, price: '7', publishedAt: '2026-03-01T08:00:00.5Z' });
      assert.equal(b.price, '7.00');
      assert.equal(b.publishedAt, '2026-03-01T08:00:00.500Z');
      const c = await create(app, 'pub', 'articles', { title: 'Values three', author: author.id, price: '0.10', metadata: 'plain' });
      assert.equal(c.price, '0.10');
      assert.equal(c.metadata, 'plain');

      const again = await app.api(`${base}/articles/${a.id}`);
      assert.deepEqual(again.body.data, a);
    });

    it('derives unique slugs with -2, -3 suffixes within a tenant, and refuses a taken explicit slug with 409', async () => {
      const one = await create(app, 'pub', 'articles', { title: 'Same Title', author: author.id });
      const two = await create(app, 'pub', 'articles', { title: 'Same title', author: author.id });
      const three = await create(app, 'pub', 'articles', { title: 'same-title!', author: author.id });
      assert.deepEqual([one.slug, two.slug, three.slug], ['same-title', 'same-title-2', 'same-title-3']);

      const explicit = await create(app, 'pub', 'articles', { title: 'Other', slug: 'same-title-4', author: author.id });
      assert.equal(explicit.slug, 'same-title-4');
      const five = await create(app, 'pub', 'articles', { title: 'Same Title', author: author.id });
      assert.equal(five.slug, 'same-title-5');

      const before = await countRows(app, ['articles']);
      const taken = await app.api(`${base}/articles`, { body: { title: 'Clash', slug: 'same-title-2', author: author.id } });
      assert.equal(assertProblem(taken, 409, 'slug').type, 'urn:kiln:problem:conflict');
      assert.deepEqual(await countRows(app, ['articles']), before);

      // Another tenant has its own slugs.
      const otherAuthor = await create(app, 'other', 'authors', { name: 'Other' });
      const elsewhere = await create(app, 'other', 'articles', { title: 'Same Title', author: otherAuthor.id });
      assert.equal(elsewhere.slug, 'same-title');
    });

    it('derives distinct slugs for simultaneous creates of one title, and lets one of several equal unique values win', async () => {
      const rs = await Promise.all(Array.from({ length: 8 }, () => app.api(`${base}/articles`, { body: { title: 'Breaking News', author: author.id } })));
      assert.deepEqual(rs.map((r) => r.status), Array(8).fill(201), JSON.stringify(rs.map((r) => r.body.errors ?? r.body.data.slug)));
      const slugs = rs.map((r) => r.body.data.slug).sort();
      assert.deepEqual(slugs, ['breaking-news', ...[2, 3, 4, 5, 6, 7, 8].map((n) => `breaking-news-${n}`)].sort());

      const tags = await Promise.all(Array.from({ length: 6 }, () => app.api(`${base}/tags`, { body: { name: 'Simultaneous' } })));
      assert.equal(tags.filter((r) => r.status === 201).length, 1);
      for (const r of tags.filter((t) => t.status !== 201)) assertProblem(r, 409, 'name');
    });

    it('derives slugs from accented titles', async () => {
      const a = await create(app, 'pub', 'articles', { title: 'Crème Brûlée à la Carte', author: author.id });
      assert.equal(a.slug, 'creme-brulee-a-la-carte');
    });

    it('keeps a derived slug with a collision suffix within the slug field\'s 200 characters', async () => {
      const title = 'x'.repeat(200);
      const first = await create(app, 'pub', 'articles', { title, author: author.id });
      const second = await create(app, 'pub', 'articles', { title, author: author.id });
      assert.equal(first.slug.length, 200);
      assert.notEqual(second.slug, first.slug);
      assert.ok(second.slug.length <= 200, `derived slug is ${second.slug.length} characters long`);
      // Whatever Kiln stores must be writable back unchanged.
      const r = await app.api(`${base}/articles/${second.id}`, { method: 'PATCH', body: { slug: second.slug } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    });

    it('refuses duplicate unique values with 409 naming the field, on create and on update', async () => {
      const before = await countRows(app);
      assertProblem(await app.api(`${base}/authors`, { body: { name: 'Copy', email: 'ada@example.com' } }), 409, 'email');
      await create(app, 'pub', 'tags', { name: 'JavaScript' });
      assertProblem(await app.api(`${base}/tags`, { body: { name: 'JavaScript', slug: 'js-again' } }), 409, 'name');
      const after = await countRows(app);
      assert.equal(after.authors, before.authors);
      assert.equal(after.tags, before.tags + 1);

      const b = await create(app, 'pub', 'authors', { name: 'Bea', email: 'bea@example.com' });
      assertProblem(await app.api(`${base}/authors/${b.id}`, { method: 'PATCH', body: { email: 'ada@example.com' } }), 409, 'email');
      assert.equal((await dbRow(app, 'authors', b.id))!.email, 'bea@example.com');
    });

    it('refuses relations to missing items or to items of another tenant with 422', async () => {
      const before = await countRows(app);
      assertProblem(await app.api(`${base}/articles`, { body: { title: 'Ghost', author: MISSING_ID } }), 422, 'author');

      const foreignAuthor = await create(app, 'other', 'authors', { name: 'Foreign' });
      const foreignTag = await create(app, 'other', 'tags', { name: 'foreign' });
      assertProblem(await app.api(`${base}/articles`, { body: { title: 'Cross', author: foreignAuthor.id } }), 422, 'author');
      assertProblem(await app.api(`${base}/articles`, { body: { title: 'Cross', author: author.id, tags: [foreignTag.id] } }), 422, 'tags');
      assertProblem(await app.api(`${base}/categories`, { body: { name: 'Orphan', parent: MISSING_ID } }), 422, 'parent');
      const after = await countRows(app);
      assert.equal(after.articles, before.articles);
      assert.equal(after.categories, before.categories);
      assert.equal(after.articles__tags, before.articles__tags);

      const mine = await create(app, 'pub', 'articles', { title: 'Mine', author: author.id });
      assertProblem(await app.api(`${base}/articles/${mine.id}`, { method: 'PATCH', body: { author: foreignAuthor.id } }), 422, 'author');
      assertProblem(await app.api(`${base}/articles/${mine.id}`, { method: 'PATCH', body: { tags: [foreignTag.id] } }), 422, 'tags');
      assert.equal((await dbRow(app, 'articles', mine.id))!.author, author.id);
    });

    it('updates only the given fields with PATCH', async () => {
      const t1 = await create(app, 'pub', 'tags', { name: 'one' });
      const t2 = await create(app, 'pub', 'tags', { name: 'two' });
      const cat = await create(app, 'pub', 'categories', { name: 'News' });
      const a = await create(app, 'pub', 'articles', { title: 'Before', author: author.id, tags: [t2.id, t1.id, t2.id], category: cat.id, views: 3, price: '1.00' });
      assert.deepEqual(a.tags, [t2.id, t1.id], 'order kept, duplicates dropped');

      const r = await app.api(`${base}/articles/${a.id}`, { method: 'PATCH', body: { title: 'After', status: 'published' } });
      assert.equal(r.status, 200);
      const u = r.body.data;
      assert.equal(u.title, 'After');
      assert.equal(u.status, 'published');
      assert.equal(u.slug, 'before', 'the slug is derived only on create');
      assert.deepEqual(u.tags, [t2.id, t1.id]);
      assert.equal(u.category, cat.id);
      assert.equal(u.views, 3);
      assert.equal(u.price, '1.00');
      assert.equal(u.createdAt, a.createdAt);
      assert.ok(u.updatedAt >= a.updatedAt);

      const tags = await app.api(`${base}/articles/${a.id}`, { method: 'PATCH', body: { tags: [t1.id] } });
      assert.deepEqual(tags.body.data.tags, [t1.id]);
      const cleared = await app.api(`${base}/articles/${a.id}`, { method: 'PATCH', body: { tags: null, category: null, price: null } });
      assert.equal(cleared.status, 200);
      assert.deepEqual(cleared.body.data.tags, []);
      assert.equal(cleared.body.data.category, null);
      assert.equal(cleared.body.data.price, null);
      const links = await app.store.driver.db.selectFrom('articles__tags').selectAll().where('source', '=', a.id).execute();
      assert.equal(links.length, 0);

      const empty = await app.api(`${base}/articles/${a.id}`, { method: 'PATCH', body: {} });
      assert.equal(empty.status, 200);
      assert.equal(empty.body.data.title, 'After');
    });

    it('refuses to null a required field with 422 and leaves the item unchanged', async () => {
      const a = await create(app, 'pub', 'articles', { title: 'Keep', author: author.id });
      for (const field of ['title', 'author', 'status', 'views', 'featured', 'slug']) {
        assertProblem(await app.api(`${base}/articles/${a.id}`, { method: 'PATCH', body: { [field]: null } }), 422, field);
      }
      const got = await app.api(`${base}/articles/${a.id}`);
      assert.deepEqual(got.body.data, a);
    });

    it('answers 404 for PATCH, GET and DELETE of an item that does not exist', async () => {
      assertProblem(await app.api(`${base}/articles/${MISSING_ID}`, { method: 'PATCH', body: { title: 'x' } }), 404);
      assertProblem(await app.api(`${base}/articles/${MISSING_ID}`), 404);
      assertProblem(await app.api(`${base}/articles/${MISSING_ID}`, { method: 'DELETE' }), 404);
      // An id of another collection is not an item of this one.
      assertProblem(await app.api(`${base}/articles/${author.id}`), 404);
    });

    it('deletes with 204, after which the item is gone', async () => {
      const a = await create(app, 'pub', 'articles', { title: 'Doomed', author: author.id });
      const r = await app.api(`${base}/articles/${a.id}`, { method: 'DELETE' });
      assert.equal(r.status, 204);
      assert.equal(r.body, '');
      assertProblem(await app.api(`${base}/articles/${a.id}`), 404);
      assertProblem(await app.api(`${base}/articles/${a.id}`, { method: 'DELETE' }), 404);
      assert.equal(await dbRow(app, 'articles', a.id), undefined);
    });

    it('refuses to delete an author still referenced by an article with 409, then allows it', async () => {
      const w = await create(app, 'pub', 'authors', { name: 'Referenced' });
      const a = await create(app, 'pub', 'articles', { title: 'By Referenced', author: w.id });
      assertProblem(await app.api(`${base}/authors/${w.id}`, { method: 'DELETE' }), 409, 'articles.author');
      assert.ok(await dbRow(app, 'authors', w.id));
      assert.equal((await app.api(`${base}/articles/${a.id}`, { method: 'DELETE' })).status, 204);
      assert.equal((await app.api(`${base}/authors/${w.id}`, { method: 'DELETE' })).status, 204);
      assert.equal(await dbRow(app, 'authors', w.id), undefined);
    });

    it('refuses to delete a category that is another category\'s parent or an article\'s category', async () => {
      const parent = await create(app, 'pub', 'categories', { name: 'Parent' });
      assert.equal(parent.slug, 'parent');
      const child = await create(app, 'pub', 'categories', { name: 'Child', parent: parent.id });
      assertProblem(await app.api(`${base}/categories/${parent.id}`, { method: 'DELETE' }), 409, 'categories.parent');
      const a = await create(app, 'pub', 'articles', { title: 'Categorised', author: author.id, category: child.id });
      assertProblem(await app.api(`${base}/categories/${child.id}`, { method: 'DELETE' }), 409, 'articles.category');
      assert.equal((await app.api(`${base}/articles/${a.id}`, { method: 'PATCH', body: { category: null } })).status, 200);
      assert.equal((await app.api(`${base}/categories/${child.id}`, { method: 'DELETE' })).status, 204);
      assert.equal((await app.api(`${base}/categories/${parent.id}`, { method: 'DELETE' })).status, 204);
    });

    it('deleting a tag removes it from articles; deleting an article removes its links', async () => {
      const keep = await create(app, 'pub', 'tags', { name: 'keep' });
      const drop = await create(app, 'pub', 'tags', { name: 'drop' });
      const a = await create(app, 'pub', 'articles', { title: 'Tagged', author: author.id, tags: [drop.id, keep.id] });
      assert.equal((await app.api(`${base}/tags/${drop.id}`, { method: 'DELETE' })).status, 204);
      assert.deepEqual((await app.api(`${base}/articles/${a.id}`)).body.data.tags, [keep.id]);

      assert.equal((await app.api(`${base}/articles/${a.id}`, { method: 'DELETE' })).status, 204);
      const links = await app.store.driver.db.selectFrom('articles__tags').selectAll().where('source', '=', a.id).execute();
      assert.equal(links.length, 0);
      assert.ok(await dbRow(app, 'tags', keep.id), 'the other tag stays');
    });
  });
}
