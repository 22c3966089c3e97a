// Hostile and careless input: every one is a 4xx problem+json naming what is wrong (never a 500),
// and none changes a single row.
import { describe, it, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { drivers, startApp, type TestApp } from '../harness.ts';
import { MISSING_ID, assertProblem, countRows, create, createTenant, type Item } from './helpers.ts';

for (const d of await drivers()) {
  describe(`bad input (${d})`, () => {
    let app: TestApp;
    let author: Item;
    let article: Item;
    let rowsBefore: Record<string, number>;
    const base = '/api/t/pub';
    const json = { 'content-type': 'application/json' };

    before(async () => {
      app = await startApp(d);
      await createTenant(app, 'pub');
      author = await create(app, 'pub', 'authors', { name: 'Ada' });
      const tag = await create(app, 'pub', 'tags', { name: 'js' });
      article = await create(app, 'pub', 'articles', { title: 'Only article', author: author.id, tags: [tag.id], status: 'published' });
    });
    after(() => app.close());
    // No request in this suite may change anything.
    beforeEach(async () => {
      rowsBefore = await countRows(app);
    });
    afterEach(async () => {
      assert.deepEqual(await countRows(app), rowsBefore, 'row counts changed');
      const still = await app.api(`${base}/articles/${article.id}`);
      assert.deepEqual(still.body.data, article, 'the article changed');
    });

    it('malformed, empty and non-object JSON bodies', async () => {
      const malformed = assertProblem(await app.api(`${base}/authors`, { rawBody: '{"name":', headers: json }), 400, '');
      assert.match(malformed.detail, /JSON/);
      assertProblem(await app.api(`${base}/authors`, { rawBody: '', headers: json }), 400);
      for (const raw of ['null', '[]', '"Ada"', '42']) {
        assertProblem(await app.api(`${base}/authors`, { rawBody: raw, headers: json }), 422, '');
      }
      assertProblem(await app.api(`${base}/articles/${article.id}`, { method: 'PATCH', rawBody: '{"title": "x",}', headers: json }), 400);
    });

    it('unknown and system fields are 422 naming each field', async () => {
      const r = assertProblem(await app.api(`${base}/authors`, { body: { name: 'X', nickname: 'x' } }), 422, 'nickname');
      assert.equal(r.type, 'urn:kiln:problem:invalid-body');
      assertProblem(await app.api(`${base}/authors`, { body: { name: 'X', id: MISSING_ID } }), 422, 'id');
      assertProblem(await app.api(`${base}/authors`, { body: { name: 'X', createdAt: '2020-01-01T00:00:00Z' } }), 422, 'createdAt');
      assertProblem(await app.api(`${base}/articles/${article.id}`, { method: 'PATCH', body: { updatedAt: '2020-01-01T00:00:00Z' } }), 422, 'updatedAt');
      assertProblem(await app.api(`${base}/articles/${article.id}`, { method: 'PATCH', body: { _tenant: MISSING_ID } }), 422, '_tenant');
    });

    it('a missing required field and several bad fields are all named in one answer', async () => {
      const r = assertProblem(await app.api(`${base}/articles`, { body: { title: 5, nope: 1 } }), 422, 'title');
      const fields = r.errors.map((e: { field: string }) => e.field).sort();
      assert.deepEqual(fields, ['author', 'nope', 'title']);
    });

    const wrong: [string, unknown][] = [
      ['title', 5],
      ['title', ''],
      ['title', 'x'.repeat(201)],
      ['views', '3'],
      ['views', 1.5],
      ['views', -1],
      ['readingMinutes', 601],
      ['featured', 'true'],
      ['featured', 1],
      ['price', 'abc'],
      ['price', '1.005'],
      ['price', '123456789.00'],
      ['price', -1],
      ['publishedAt', 'yesterday'],
      ['publishedAt', '2026-02-30T10:00:00Z'],
      ['publishedAt', '2026-03-01T10:00:00'],
      ['status', 'live'],
      ['slug', 'Not A Slug'],
      ['author', '123'],
      ['author', { id: MISSING_ID }],
      ['tags', 'x'],
      ['tags', ['not-a-uuid']],
      ['tags', Array.from({ length: 21 }, (_, i) => `01900000-0000-7000-8000-${String(i).padStart(12, '0')}`)],
      ['cover', 'javascript:alert(1)'],
      ['summary', 'x'.repeat(1001)],
    ];
    // The field itself, or an entry of it for lists ("tags.0"), must be named.
    const namesField = (body: Item, field: string) =>
      assert.ok(body.errors.some((e: { field: string }) => e.field === field || e.field.startsWith(`${field}.`)), `no error names ${field}: ${JSON.stringify(body)}`);
    for (const [field, value] of wrong) {
      it(`rejects ${field} = ${JSON.stringify(value).slice(0, 40)} with 422 on create and update`, async () => {
        namesField(assertProblem(await app.api(`${base}/articles`, { body: { title: 'Ok', author: author.id, [field]: value } }), 422), field);
        namesField(assertProblem(await app.api(`${base}/articles/${article.id}`, { method: 'PATCH', body: { [field]: value } }), 422), field);
      });
    }

    it('rejects bad author values: email, url, over-long name', async () => {
      assertProblem(await app.api(`${base}/authors`, { body: { name: 'X', email: 'not-an-email' } }), 422, 'email');
      assertProblem(await app.api(`${base}/authors`, { body: { name: 'X', website: 'ftp://example.com' } }), 422, 'website');
      assertProblem(await app.api(`${base}/authors`, { body: { name: 'x'.repeat(121) } }), 422, 'name');
    });

    it('answers 413 for a body over 1 MiB', async () => {
      const r = await app.api(`${base}/authors`, { body: { name: 'Big', bio: 'y'.repeat(1024 * 1024 + 10) } });
      assertProblem(r, 413);
    });

    it('answers 415 for a body that is not JSON', async () => {
      for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const r = await app.api(`${base}/authors`, { rawBody: '{"name":"Plain"}', headers: { 'content-type': type } });
        assertProblem(r, 415);
      }
      assertProblem(await app.api(`${base}/articles/${article.id}`, { method: 'PATCH', rawBody: '{"title":"Plain"}', headers: { 'content-type': 'text/plain' } }), 415);
    });

    it('answers 404 for an unknown tenant, collection or item, and for ids that are not UUIDs', async () => {
      assertProblem(await app.api('/api/t/nobody/articles'), 404);
      assertProblem(await app.api('/api/t/NOT_A_SLUG/articles'), 404);
      assertProblem(await app.api('/api/t/nobody/articles', { body: { title: 'x', author: author.id } }), 404);
      const col = assertProblem(await app.api(`${base}/widgets`), 404);
      assert.match(col.detail, /widgets/);
      assertProblem(await app.api(`${base}/widgets`, { body: {} }), 404);
      assertProblem(await app.api(`${base}/articles/${MISSING_ID}`), 404);
      for (const id of ['123', 'not-a-uuid', article.id.slice(0, -1), `${article.id}x`, encodeURIComponent("' OR 1=1 --")]) {
        assertProblem(await app.api(`${base}/articles/${id}`), 404);
        assertProblem(await app.api(`${base}/articles/${id}`, { method: 'PATCH', body: { title: 'x' } }), 404);
        assertProblem(await app.api(`${base}/articles/${id}`, { method: 'DELETE' }), 404);
      }
    });

    it('answers a very long id with a problem, not a framework error', async () => {
      const r = await app.api(`${base}/articles/${'x'.repeat(300)}`);
      assertProblem(r, 404);
    });

    it('names an unknown query parameter, filter field or operator with 400', async () => {
      const p = assertProblem(await app.api(`${base}/articles?color=red`), 400, 'color');
      assert.equal(p.type, 'urn:kiln:problem:invalid-query');
      assertProblem(await app.api(`${base}/articles/${article.id}?filter[title][_eq]=x`), 400, 'filter');
      assertProblem(await app.api(`${base}/articles/${article.id}?sort=title`), 400, 'sort');
      assertProblem(await app.api(`${base}/articles?filter[nope][_eq]=x`), 400, 'filter.nope');
      assertProblem(await app.api(`${base}/articles?filter[title][_like]=x`), 400, 'filter.title._like');
      assertProblem(await app.api(`${base}/articles?filter=${encodeURIComponent('{"title":{"_regex":".*"}}')}`), 400, 'filter.title._regex');
      assertProblem(await app.api(`${base}/articles?filter=${encodeURIComponent('{"title":')}`), 400, 'filter');
      assertProblem(await app.api(`${base}/articles?filter=${encodeURIComponent('[1]')}`), 400, 'filter');
      assertProblem(await app.api(`${base}/articles?limit=1&limit=2`), 400, 'limit');
      for (const limit of ['0', '201', '-1', '1e2', 'ten', '1;drop']) assertProblem(await app.api(`${base}/articles?limit=${encodeURIComponent(limit)}`), 400, 'limit');
      assertProblem(await app.api(`${base}/articles?offset=-1`), 400, 'offset');
      assertProblem(await app.api(`${base}/articles?meta=everything`), 400, 'meta');
      assertProblem(await app.api(`${base}/articles?sort=nope`), 400, 'sort');
      assertProblem(await app.api(`${base}/articles?sort=metadata`), 400, 'sort');
      assertProblem(await app.api(`${base}/articles?sort=tags`), 400, 'sort');
      assertProblem(await app.api(`${base}/articles?fields=nope`), 400, 'fields');
      assertProblem(await app.api(`${base}/articles?expand=title`), 400, 'expand');
      assertProblem(await app.api(`${base}/articles?cursor=not-a-cursor`), 400, 'cursor');
    });

    it('treats SQL in filter values as plain data', async () => {
      for (const value of ["' OR 1=1 --", "x'; DROP TABLE articles; --", '%', '_', '\\', 'Only article\' --']) {
        const q = `${base}/articles?filter[title][_eq]=${encodeURIComponent(value)}`;
        const r = await app.api(q);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.deepEqual(r.body.data, [], `${value} matched something`);
        const c = await app.api(`${base}/articles?filter[title][_contains]=${encodeURIComponent(value)}`);
        assert.equal(c.status, 200, JSON.stringify(c.body));
        assert.deepEqual(c.body.data, [], `_contains ${value} matched something`);
      }
      // Values that do not fit the field are refused rather than passed on.
      assertProblem(await app.api(`${base}/articles?filter[views][_gt]=${encodeURIComponent('1 OR 1=1')}`), 400, 'filter.views._gt');
      assertProblem(await app.api(`${base}/articles?filter[id][_eq]=${encodeURIComponent("1' or '1'='1")}`), 400, 'filter.id._eq');
      assertProblem(await app.api(`${base}/articles?filter[author][_in]=${encodeURIComponent("x') or ('1'='1")}`), 400, 'filter.author._in');
    });

    it('refuses SQL in filter keys, sort, fields, expand, cursor and path segments', async () => {
      const attacks = [
        `filter=${encodeURIComponent('{"title; DROP TABLE articles; --":{"_eq":"x"}}')}`,
        `filter=${encodeURIComponent('{"title":{"_eq; DROP TABLE articles":"x"}}')}`,
        `filter[${encodeURIComponent('title) or 1=1 --')}][_eq]=x`,
        `sort=${encodeURIComponent('title;drop table articles')}`,
        `sort=${encodeURIComponent('title desc')}`,
        `sort=${encodeURIComponent('(select 1)')}`,
        `fields=${encodeURIComponent('title from articles;--')}`,
        `expand=${encodeURIComponent('author;drop table authors')}`,
        `cursor=${Buffer.from(JSON.stringify({ s: '-publishedAt,-id', v: ["' OR 1=1 --", MISSING_ID] })).toString('base64url')}`,
        `cursor=${Buffer.from(JSON.stringify({ s: '-publishedAt,-id', v: [null, "' OR 1=1 --"] })).toString('base64url')}`,
      ];
      for (const a of attacks) {
        const r = await app.api(`${base}/articles?${a}`);
        assertProblem(r, 400);
      }
      // A well-formed cursor whose value is text is bound as a value: harmless.
      const harmless = Buffer.from(JSON.stringify({ s: 'title,id', v: ["' OR 1=1 --", MISSING_ID] })).toString('base64url');
      const r = await app.api(`${base}/articles?sort=title&cursor=${harmless}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body.data.map((i: Item) => i.id), [article.id]);

      assertProblem(await app.api(`/api/t/${encodeURIComponent("pub';drop table articles;--")}/articles`), 404);
      assertProblem(await app.api(`${base}/${encodeURIComponent('articles;drop table articles')}`), 404);
    });

    it('refuses prototype pollution in bodies and queries', async () => {
      const poisoned = ['{"name":"P","__proto__":{"polluted":true}}', '{"name":"P","constructor":{"prototype":{"polluted":true}}}'];
      for (const raw of poisoned) {
        const r = await app.api(`${base}/authors`, { rawBody: raw, headers: json });
        assert.ok(r.status === 400 || r.status === 422, `${raw}: ${r.status}`);
        assertProblem(r, r.status);
      }
      assertProblem(await app.api(`${base}/authors`, { body: { name: 'P', hasOwnProperty: 1 } }), 422, 'hasOwnProperty');
      assertProblem(await app.api(`${base}/articles?filter=${encodeURIComponent('{"__proto__":{"_eq":"x"}}')}`), 400);
      assertProblem(await app.api(`${base}/articles?filter=${encodeURIComponent('{"constructor":{"_eq":"x"}}')}`), 400, 'filter.constructor');
      assertProblem(await app.api(`${base}/articles?sort=__proto__`), 400, 'sort');
      assertProblem(await app.api(`${base}/articles?sort=constructor`), 400, 'sort');
      assertProblem(await app.api(`${base}/articles?fields=constructor`), 400, 'fields');
      assertProblem(await app.api(`${base}/articles?expand=__proto__`), 400, 'expand');
      assertProblem(await app.api('/api/t/__proto__/articles'), 404);
      assertProblem(await app.api(`${base}/constructor`), 404);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });

    it('refuses query keys named like Object.prototype members instead of silently dropping them', async () => {
      // Dropping them would turn a filter into no filter and return every item.
      for (const q of ['filter[constructor][_eq]=x', 'filter[title][toString]=x', 'filter[__proto__][polluted]=1', 'hasOwnProperty=1']) {
        const r = await app.api(`${base}/articles?${q}`);
        assertProblem(r, 400);
      }
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });

    it('refuses oversized filters', async () => {
      const many = Array.from({ length: 101 }, () => MISSING_ID).join(',');
      assertProblem(await app.api(`${base}/articles?filter[id][_in]=${many}`), 400, 'filter.id._in');
      let deep: Record<string, unknown> = { title: { _eq: 'x' } };
      for (let i = 0; i < 8; i++) deep = { _and: [deep] };
      assertProblem(await app.api(`${base}/articles?filter=${encodeURIComponent(JSON.stringify(deep))}`), 400);
      const wide = { _or: Array.from({ length: 51 }, (_, i) => ({ views: { _eq: i } })) };
      assertProblem(await app.api(`${base}/articles?filter=${encodeURIComponent(JSON.stringify(wide))}`), 400, 'filter');
      assertProblem(await app.api(`${base}/articles?filter[title][_contains]=${'x'.repeat(501)}`), 400, 'filter.title._contains');
    });
  });
}
