// Who may do what: anonymous callers get what the spec's "public" role grants, writes need the root
// token, and a single-tenant app serves its collections without a tenant segment.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { checkSpec } from '../../src/spec/check.ts';
import type { Spec } from '../../src/spec/schema.ts';
import { ROOT_TOKEN, drivers, exampleSpec, startApp, type TestApp } from '../harness.ts';
import { assertProblem, countRows, create, createTenant, ids, list, type Item, type Res } from './helpers.ts';

const BAD_TOKEN = 'not-the-root-token-0123456789abcdef';

function assertUnauthenticated(r: Res): void {
  const p = assertProblem(r, 401);
  assert.equal(p.type, 'urn:kiln:problem:unauthenticated');
  assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="kiln"');
}

/** A spec whose public role reads notes but not the secrets they point at. */
function vaultSpec(): Spec {
  const r = checkSpec({
    kiln: 1,
    name: 'vault',
    tenancy: 'multi',
    collections: {
      notes: { fields: { title: { type: 'string', required: true }, secret: { type: 'relation', to: 'secrets' }, refs: { type: 'relation', to: 'secrets', many: true } } },
      secrets: { fields: { code: { type: 'string', required: true } } },
    },
    roles: { public: { can: { notes: ['read'] } } },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.spec;
}

for (const d of await drivers()) {
  describe(`access: magazine (${d})`, () => {
    let app: TestApp;
    let author: Item;
    let article: Item;
    const base = '/api/t/mag';

    before(async () => {
      app = await startApp(d);
      await createTenant(app, 'mag');
      author = await create(app, 'mag', 'authors', { name: 'Ada' });
      const tag = await create(app, 'mag', 'tags', { name: 'js' });
      await create(app, 'mag', 'categories', { name: 'News' });
      article = await create(app, 'mag', 'articles', { title: 'Public', author: author.id, tags: [tag.id], status: 'published' });
      // A draft: the magazine's workflow keeps it from anyone without edit rights.
      await create(app, 'mag', 'articles', { title: 'Draft', author: author.id, tags: [tag.id] });
    });
    after(() => app.close());

    it('lets anonymous callers read all four collections, with expansions', async () => {
      for (const c of ['articles', 'authors', 'tags', 'categories']) {
        const r = await list(app, `${base}/${c}`, null);
        assert.equal(r.data.length, 1, c);
      }
      const one = await app.api(`${base}/articles/${article.id}?expand=author,tags`, { token: null });
      assert.equal(one.status, 200);
      assert.deepEqual(one.body.data.author, author);
      assert.equal(one.body.data.tags[0].name, 'js');
      const filtered = await list(app, `${base}/articles?filter[author.name][_eq]=Ada`, null);
      assert.deepEqual(ids(filtered.data), [article.id]);
    });

    it('refuses anonymous writes with 401 and WWW-Authenticate, changing nothing', async () => {
      const before = await countRows(app);
      assertUnauthenticated(await app.api(`${base}/authors`, { body: { name: 'Anon' }, token: null }));
      assertUnauthenticated(await app.api(`${base}/articles/${article.id}`, { method: 'PATCH', body: { title: 'Defaced' }, token: null }));
      assertUnauthenticated(await app.api(`${base}/articles/${article.id}`, { method: 'DELETE', token: null }));
      assertUnauthenticated(await app.api(`${base}/tags`, { body: { name: 'anon' }, token: null }));
      assert.deepEqual(await countRows(app), before);
      assert.deepEqual((await app.api(`${base}/articles/${article.id}`)).body.data, article);
    });

    it('refuses an invalid or malformed token on reads and writes with 401', async () => {
      const before = await countRows(app);
      for (const authorization of [`Bearer ${BAD_TOKEN}`, 'Basic dXNlcjpwYXNz', 'Bearer', `Bearer ${ROOT_TOKEN} extra`, ROOT_TOKEN]) {
        const headers = { authorization };
        assertUnauthenticated(await app.api(`${base}/articles`, { token: null, headers }));
        assertUnauthenticated(await app.api(`${base}/articles/${article.id}`, { token: null, headers }));
        assertUnauthenticated(await app.api(`${base}/authors`, { body: { name: 'Bad' }, token: null, headers }));
        assertUnauthenticated(await app.api(`${base}/articles/${article.id}`, { method: 'PATCH', body: { title: 'x' }, token: null, headers }));
        assertUnauthenticated(await app.api(`${base}/articles/${article.id}`, { method: 'DELETE', token: null, headers }));
      }
      assert.deepEqual(await countRows(app), before);
    });

    it('checks who is writing before looking at the body', async () => {
      assertUnauthenticated(await app.api(`${base}/authors`, { body: { nope: 1 }, token: null }));
      assertUnauthenticated(await app.api(`${base}/authors`, { body: { nope: 1 }, token: BAD_TOKEN }));
      assertUnauthenticated(await app.api(`${base}/articles/${article.id}`, { method: 'PATCH', body: { title: null }, token: null }));
    });

    it('accepts the root token with any letter case of "Bearer"', async () => {
      const r = await app.api(`${base}/tags`, { body: { name: 'rooted' }, token: null, headers: { authorization: `bearer ${ROOT_TOKEN}` } });
      assert.equal(r.status, 201);
    });
  });

  describe(`access: private collections (${d})`, () => {
    let app: TestApp;
    let note: Item;
    const base = '/api/t/v';

    before(async () => {
      app = await startApp(d, vaultSpec());
      await createTenant(app, 'v');
      const secret = await create(app, 'v', 'secrets', { code: 'hunter2' });
      note = await create(app, 'v', 'notes', { title: 'Pointer', secret: secret.id, refs: [secret.id] });
    });
    after(() => app.close());

    it('lets anonymous callers read only what the public role grants', async () => {
      assert.deepEqual(ids((await list(app, `${base}/notes`, null)).data), [note.id]);
      assertUnauthenticated(await app.api(`${base}/secrets`, { token: null }));
      assertUnauthenticated(await app.api(`${base}/secrets/${note.secret}`, { token: null }));
      assertUnauthenticated(await app.api(`${base}/notes?expand=secret`, { token: null }));
      assertUnauthenticated(await app.api(`${base}/notes/${note.id}?expand=refs`, { token: null }));
      assert.equal((await app.api(`${base}/notes?expand=secret`)).status, 200, 'root may expand');
    });

    it('does not let anonymous callers probe an unreadable collection through a filter', async () => {
      // Were these answered, matching or not matching would reveal the secret's code.
      for (const q of ['filter[secret.code][_eq]=hunter2', 'filter[secret.code][_starts_with]=h', 'filter[refs.code][_contains]=unt']) {
        assertUnauthenticated(await app.api(`${base}/notes?${q}`, { token: null }));
      }
      assert.deepEqual(ids((await list(app, `${base}/notes?filter[secret.code][_eq]=hunter2`)).data), [note.id], 'root may filter');
    });
  });

  describe(`access: single-tenant blog (${d})`, () => {
    let app: TestApp;

    before(async () => {
      app = await startApp(d, exampleSpec('blog'));
    });
    after(() => app.close());

    it('serves /api/{collection} for the implicit "default" tenant', async () => {
      const comment = await app.api('/api/comments', { body: { authorName: 'Reader', text: 'Nice.' } });
      assert.equal(comment.status, 201);
      assert.equal(comment.body.data.approved, false);
      const r = await app.api('/api/posts', { body: { title: 'First Post', publishedOn: '2026-02-01', labels: ['tech', 'books'], comments: [comment.body.data.id] } });
      assert.equal(r.status, 201);
      const post = r.body.data;
      assert.equal(r.headers.get('location'), `/api/posts/${post.id}`);
      assert.equal(post.slug, 'first-post');
      assert.equal(post.draft, true);
      assert.equal(post.publishedOn, '2026-02-01');
      assert.deepEqual(post.labels, ['tech', 'books']);

      assert.deepEqual((await app.api(`/api/posts/${post.id}`, { token: null })).body.data, post);
      assert.deepEqual((await list(app, '/api/t/default/posts', null)).data, [post]);
      const expanded = await app.api(`/api/posts/${post.id}?expand=comments`, { token: null });
      assert.equal(expanded.body.data.comments[0].text, 'Nice.');

      const patched = await app.api(`/api/posts/${post.id}`, { method: 'PATCH', body: { draft: false, labels: null } });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.data.draft, false);
      assert.equal(patched.body.data.labels, null);
      assert.equal(patched.body.data.title, 'First Post');
    });

    it('filters a multiple enum with _contains and _null', async () => {
      const travel = await app.api('/api/posts', { body: { title: 'Trip', labels: ['travel'] } });
      const none = await app.api('/api/posts', { body: { title: 'Plain' } });
      assert.deepEqual(ids((await list(app, '/api/posts?filter[labels][_contains]=travel')).data), [travel.body.data.id]);
      assert.deepEqual(ids((await list(app, '/api/posts?filter[labels][_null]=false')).data), [travel.body.data.id]);
      assert.deepEqual(ids((await list(app, '/api/posts?filter[labels][_null]=true&sort=title')).data).includes(none.body.data.id), true);
      assertProblem(await app.api('/api/posts?filter[labels][_contains]=cooking'), 400, 'filter.labels._contains');
      assertProblem(await app.api('/api/posts', { body: { title: 'Bad', labels: ['cooking'] } }), 422);
      assertProblem(await app.api('/api/posts', { body: { title: 'Dup', labels: ['tech', 'tech'] } }), 422);
    });

    it('refuses anonymous writes and unknown tenants', async () => {
      assertUnauthenticated(await app.api('/api/posts', { body: { title: 'Anon' }, token: null }));
      assertUnauthenticated(await app.api('/api/comments', { body: { authorName: 'A', text: 'spam' }, token: null }));
      assertProblem(await app.api('/api/t/other/posts'), 404);
    });

    it('answers POST /api/tenants with 409: its one tenant is "default"', async () => {
      const r = assertProblem(await app.api('/api/tenants', { body: { slug: 'second', name: 'Second' } }), 409);
      assert.match(r.detail, /single-tenant/);
      const all = await app.api('/api/tenants');
      assert.deepEqual(all.body.data.map((t: Item) => t.slug), ['default']);
    });
  });
}
