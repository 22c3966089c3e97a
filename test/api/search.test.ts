// Full-text search, once per driver: stemming and prefixes, ranking (a title match above a body
// match), search combined with filters and sort, tenant isolation, highlighted snippets that cannot
// carry markup, and clear 400s.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers, startApp, type TestApp } from '../harness.ts';

type Hit = { collection: string; id: string; title: string; snippet: string; rank: number };
type Item = Record<string, unknown> & { id: string };

for (const d of await drivers()) {
  describe(`search (${d})`, () => {
    let app: TestApp;
    const ids: Record<string, string> = {};
    const search = async (q: string, tenant = 'a', extra = '') => app.api(`/api/t/${tenant}/search?q=${encodeURIComponent(q)}${extra}`, { token: null });

    before(async () => {
      app = await startApp(d);
      for (const t of ['a', 'b']) await app.api('/api/tenants', { body: { slug: t, name: t.toUpperCase() } });
      const author: Item = (await app.api('/api/t/a/authors', { body: { name: 'Grace Runner' } })).body.data;
      const article = async (key: string, body: Record<string, unknown>, tenant = 'a', authorId = author.id) => {
        const r = await app.api(`/api/t/${tenant}/articles`, { body: { author: authorId, status: 'published', ...body } });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        ids[key] = r.body.data.id;
      };
      await article('title', { title: 'Running in the rain', summary: 'Wet shoes and good moods.', views: 10 });
      await article('body', { title: 'A quiet Sunday', body: '<p>We went <b>running</b> along the river & back.</p>', views: 500 });
      await article('none', { title: 'Baking bread', summary: 'Flour, water, salt.', views: 50 });
      await article('markup', { title: 'Escaping <script>alert(1)</script> marathons', views: 1 });
      await article('draft', { title: 'Running secret draft', status: 'draft' });
      const other: Item = (await app.api('/api/t/b/authors', { body: { name: 'Other' } })).body.data;
      await article('otherTenant', { title: 'Running elsewhere' }, 'b', other.id);
    });
    after(() => app.close());

    it('finds stemmed and prefixed words, ranks a title match above a body match, and highlights', async () => {
      const all = ((await search('runs')).body.data as Hit[]).map((h) => h.collection);
      assert.deepEqual([...new Set(all)].sort(), ['articles', 'authors'], 'the author "Grace Runner" matches too');
      const r = await search('runs', 'a', '&collections=articles');
      assert.equal(r.status, 200);
      const hits = r.body.data as Hit[];
      assert.deepEqual(hits.map((h) => h.id), [ids.title, ids.body]);
      assert.ok(hits[0].rank > hits[1].rank);
      assert.match(hits[0].snippet, /<mark>Running<\/mark>/);
      const prefix = (await search('bak')).body.data as Hit[];
      assert.deepEqual(prefix.map((h) => h.id), [ids.none]);
      const author = (await search('grace', 'a', '&collections=authors')).body.data as Hit[];
      assert.equal(author.length, 1);
      assert.equal(author[0].collection, 'authors');
    });

    it('never returns markup from content in snippets, only <mark>', async () => {
      const hits = (await search('marathons')).body.data as Hit[];
      assert.equal(hits.length, 1);
      assert.ok(!hits[0].snippet.includes('<script'), hits[0].snippet);
      assert.match(hits[0].snippet, /<mark>marathons<\/mark>/);
    });

    it('keeps tenants apart and readers away from drafts', async () => {
      const a = ((await search('running')).body.data as Hit[]).map((h) => h.id);
      assert.ok(!a.includes(ids.otherTenant));
      assert.ok(!a.includes(ids.draft), 'a reader does not find the draft');
      const editor = ((await app.api('/api/t/a/search?q=secret')).body.data as Hit[]).map((h) => h.id);
      assert.deepEqual(editor, [ids.draft], 'an editor does');
      const b = ((await search('running', 'b')).body.data as Hit[]).map((h) => h.id);
      assert.deepEqual(b, [ids.otherTenant]);
    });

    it('combines ?search= with filters, sort and counts on a collection', async () => {
      const r = await app.api('/api/t/a/articles?search=running&sort=-views&meta=total_count&fields=title', { token: null });
      assert.equal(r.status, 200);
      assert.deepEqual((r.body.data as Item[]).map((x) => x.id), [ids.body, ids.title]);
      assert.equal(r.body.meta.total_count, 2);
      const filtered = await app.api('/api/t/a/articles?search=running&filter[views][_lt]=100', { token: null });
      assert.deepEqual((filtered.body.data as Item[]).map((x) => x.id), [ids.title]);
    });

    it('follows edits and deletes in the same transaction', async () => {
      await app.api(`/api/t/a/articles/${ids.none}`, { method: 'PATCH', body: { title: 'Baking sourdough' } });
      await app.api(`/api/t/a/articles/${ids.none}/transition`, { body: { to: 'published' } });
      assert.deepEqual(((await search('sourdough')).body.data as Hit[]).map((h) => h.id), [ids.none]);
      assert.equal((await app.api(`/api/t/a/articles/${ids.none}`, { method: 'DELETE' })).status, 204);
      assert.deepEqual((await search('sourdough')).body.data, []);
    });

    it('answers bad searches with a 400 naming the parameter', async () => {
      for (const [path, field] of [
        ['/api/t/a/search', 'q'],
        ['/api/t/a/search?q=%20%3C%3E', 'q'],
        ['/api/t/a/search?q=x&limit=0', 'limit'],
        ['/api/t/a/search?q=x&collections=nope', 'collections'],
        ['/api/t/a/search?q=x&collections=tags', 'collections'],
        ['/api/t/a/search?q=x&sort=title', 'sort'],
        ['/api/t/a/tags?search=x', 'search'],
        ['/api/t/a/articles?search=', 'search'],
      ] as const) {
        const r = await app.api(path, { token: null });
        assert.equal(r.status, 400, `${path}: ${JSON.stringify(r.body)}`);
        assert.equal(r.headers.get('content-type'), 'application/problem+json');
        assert.equal(r.body.errors[0].field, field, path);
      }
    });
  });
}
