// The self-description endpoints: the OpenAPI document, the docs page and the health check.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { drivers, exampleSpec, startApp, type TestApp } from '../harness.ts';
import { assertProblem, type Item } from './helpers.ts';

for (const d of await drivers()) {
  describe(`openapi and health: magazine (${d})`, () => {
    let app: TestApp;
    let doc: Item;

    before(async () => {
      app = await startApp(d);
      const r = await app.api('/api/openapi.json', { token: null });
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
      doc = r.body;
    });
    after(() => app.close());

    it('is an OpenAPI 3.1 document titled after the spec', () => {
      assert.equal(doc.openapi, '3.1.0');
      assert.equal(doc.info.title, 'Kiln Magazine');
      assert.equal(typeof doc.info.version, 'string');
      assert.deepEqual(doc.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer' });
    });

    it('has a list path and an item path per collection, with every operation', () => {
      for (const c of ['articles', 'authors', 'tags', 'categories']) {
        const listPath = doc.paths[`/api/t/{tenant}/${c}`];
        const itemPath = doc.paths[`/api/t/{tenant}/${c}/{id}`];
        assert.ok(listPath, `no list path for ${c}`);
        assert.ok(itemPath, `no item path for ${c}`);
        assert.deepEqual(Object.keys(listPath).sort(), ['get', 'post']);
        assert.deepEqual(Object.keys(itemPath).sort(), ['delete', 'get', 'patch']);
        const params = listPath.get.parameters.map((p: Item) => p.name);
        for (const p of ['tenant', 'filter', 'sort', 'limit', 'cursor', 'offset', 'meta', 'fields', 'expand']) assert.ok(params.includes(p), `${c} list lacks ${p}`);
        assert.ok(itemPath.get.parameters.some((p: Item) => p.name === 'id' && p.in === 'path'));
        assert.ok(listPath.post.responses['201']);
        assert.ok(listPath.post.responses['422']);
        assert.ok(itemPath.delete.responses['204']);
      }
      assert.ok(doc.paths['/api/tenants'].post);
      assert.ok(doc.paths['/api/health'].get);
      assert.equal(doc.paths['/api/articles'], undefined, 'a multi-tenant app has no tenant-less paths');
    });

    it('has component schemas for items, create and update bodies and problems', () => {
      const s = doc.components.schemas;
      for (const name of ['Articles', 'ArticlesCreate', 'ArticlesUpdate', 'Authors', 'Tags', 'Categories', 'Problem', 'Tenant', 'TenantCreate']) assert.ok(s[name], `no schema ${name}`);
      assert.deepEqual([...s.ArticlesCreate.required].sort(), ['author', 'title']);
      assert.equal(s.ArticlesCreate.additionalProperties, false);
      assert.equal(s.ArticlesUpdate.required, undefined);
      assert.deepEqual(s.ArticlesCreate.properties.status.enum, ['draft', 'in_review', 'published', 'archived']);
      assert.equal(s.ArticlesCreate.properties.title.maxLength, 200);
      assert.deepEqual(s.Articles.properties.id, { type: 'string', format: 'uuid' });
      assert.ok(s.Problem.properties.errors);
      assert.deepEqual(doc.paths['/api/t/{tenant}/articles'].post.requestBody.content['application/json'].schema, { $ref: '#/components/schemas/ArticlesCreate' });
    });

    it('serves the docs page as HTML', async () => {
      const r = await app.api('/api/docs', { token: null });
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(r.body, /<html/i);
    });

    it('reports health with the app and driver name', async () => {
      const r = await app.api('/api/health', { token: null });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { status: 'ok', app: 'magazine', driver: d });
    });

    it('answers unknown API routes with a problem', async () => {
      const r = assertProblem(await app.api('/api/nothing-here', { token: null }), 404);
      assert.equal(r.instance, '/api/nothing-here');
      assertProblem(await app.api('/api/t/mag/articles/x/y', { token: null }), 404);
    });
  });

  describe(`openapi: single-tenant blog (${d})`, () => {
    let app: TestApp;

    before(async () => {
      app = await startApp(d, exampleSpec('blog'));
    });
    after(() => app.close());

    it('documents the tenant-less paths of a single-tenant app', async () => {
      const r = await app.api('/api/openapi.json', { token: null });
      assert.equal(r.status, 200);
      const doc = r.body;
      assert.equal(doc.openapi, '3.1.0');
      for (const c of ['posts', 'comments']) {
        assert.ok(doc.paths[`/api/${c}`]?.get, `no /api/${c}`);
        assert.ok(doc.paths[`/api/${c}/{id}`]?.patch, `no /api/${c}/{id}`);
        assert.equal(doc.paths[`/api/${c}`].get.parameters.some((p: Item) => p.name === 'tenant'), false);
      }
      assert.ok(doc.components.schemas.Posts);
      assert.deepEqual(doc.components.schemas.PostsCreate.required, ['title']);
      const health = await app.api('/api/health', { token: null });
      assert.deepEqual(health.body, { status: 'ok', app: 'blog', driver: d });
    });
  });
}
