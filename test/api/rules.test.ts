// Row and field rules of roles, once per driver, through the HTTP API with API keys bound to roles
// (two keys of one role are two users): "own" and "published" row rules, hidden and read-only
// fields in every read path (lists, single reads, expands, relation filters, sorts, search,
// revisions and diffs), createdBy/updatedBy, and per-tenant roles (memberships) in the store.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers, startApp, type TestApp } from '../harness.ts';
import { DataError } from '../../src/data/errors.ts';
import type { Actor } from '../../src/data/access.ts';
import { key, rulesSpec, tenant } from './rules-helpers.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

for (const d of await drivers()) {
  describe(`row and field rules (${d})`, () => {
    let app: TestApp;
    let writer1: { token: string; id: string };
    let writer2: { token: string; id: string };
    let proofreader: { token: string; id: string };
    let editor: { token: string; id: string };
    let ada: Json;
    let draft: Json;
    let published: Json;
    const base = '/api/t/alpha';
    const get = (path: string, token: string | null = null) => app.api(`${base}${path}`, { token });

    before(async () => {
      app = await startApp(d, rulesSpec());
      await tenant(app, 'alpha');
      await tenant(app, 'beta');
      writer1 = await key(app, 'alpha', 'writer');
      writer2 = await key(app, 'alpha', 'writer');
      proofreader = await key(app, 'alpha', 'proofreader');
      editor = await key(app, 'alpha', 'editor');
      ada = (await app.api(`${base}/authors`, { body: { name: 'Ada Lovelace', email: 'ada@analytical.example', bio: 'Mathematician' } })).body.data;
      const a = await app.api(`${base}/articles`, { body: { title: 'Draft by writer one', author: ada.id }, token: writer1.token });
      assert.equal(a.status, 201, JSON.stringify(a.body));
      draft = a.body.data;
      published = (await app.api(`${base}/articles`, { body: { title: 'Published engines', author: ada.id }, token: writer2.token })).body.data;
      assert.equal((await app.api(`${base}/articles/${published.id}/transition`, { body: { to: 'published' }, token: editor.token })).status, 200);
    });
    after(() => app.close());

    it('records who created and last changed an item, and never lets anyone write it', async () => {
      assert.equal(draft.createdBy, writer1.id);
      assert.equal(draft.updatedBy, writer1.id);
      assert.equal(ada.createdBy, null, 'the root token is nobody in particular');
      const edited = await app.api(`${base}/articles/${draft.id}`, { method: 'PATCH', body: { title: 'Draft, edited by the desk' }, token: editor.token });
      assert.equal(edited.status, 200, JSON.stringify(edited.body));
      assert.equal(edited.body.data.createdBy, writer1.id);
      assert.equal(edited.body.data.updatedBy, editor.id);
      for (const [method, path] of [['PATCH', `/articles/${draft.id}`], ['POST', '/articles']] as const) {
        const r = await app.api(`${base}${path}`, { method, body: { title: 'Mine now', createdBy: writer2.id }, token: editor.token });
        assert.equal(r.status, 422);
        assert.equal(r.body.errors[0].field, 'createdBy');
      }
      assert.equal((await get(`/articles/${draft.id}`, editor.token)).body.data.createdBy, writer1.id);
      const mine = await get(`/articles?filter[createdBy][_eq]=${encodeURIComponent(writer1.id)}`, editor.token);
      assert.deepEqual(mine.body.data.map((i: Json) => i.id), [draft.id]);
    });

    it('"own": a writer updates and deletes only the items they created', async () => {
      const other = await app.api(`${base}/articles/${draft.id}`, { method: 'PATCH', body: { title: 'Hijacked' }, token: writer2.token });
      assert.equal(other.status, 403, 'the item is readable to the writer, so its existence is no secret: 403, not 404');
      assert.equal(other.headers.get('content-type'), 'application/problem+json');
      assert.equal((await app.api(`${base}/articles/${draft.id}`, { method: 'DELETE', token: writer2.token })).status, 403);
      assert.equal((await get(`/articles/${draft.id}`, editor.token)).body.data.title, 'Draft, edited by the desk', 'unchanged');
      const own = await app.api(`${base}/articles/${draft.id}`, { method: 'PATCH', body: { title: 'Draft by writer one' }, token: writer1.token });
      assert.equal(own.status, 200);
      const temp = (await app.api(`${base}/articles`, { body: { title: 'Short-lived' }, token: writer2.token })).body.data;
      assert.equal((await app.api(`${base}/articles/${temp.id}`, { method: 'DELETE', token: writer1.token })).status, 403);
      assert.equal((await app.api(`${base}/articles/${temp.id}`, { method: 'DELETE', token: writer2.token })).status, 204);
    });

    it('"own" reads: another writer\'s notes do not exist for them', async () => {
      const note = (await app.api(`${base}/notes`, { body: { text: 'private musings' }, token: writer1.token })).body.data;
      assert.deepEqual((await get('/notes', writer1.token)).body.data.map((n: Json) => n.id), [note.id]);
      assert.deepEqual((await get('/notes', writer2.token)).body.data, []);
      assert.equal((await get(`/notes/${note.id}`, writer2.token)).status, 404);
      assert.equal((await app.api(`${base}/notes/${note.id}`, { method: 'PATCH', body: { text: 'x' }, token: writer2.token })).status, 404);
      assert.equal((await app.api(`${base}/notes/${note.id}`, { method: 'DELETE', token: writer2.token })).status, 404);
      assert.equal((await get(`/notes/${note.id}/revisions`, writer2.token)).status, 404);
      assert.equal((await get(`/notes?search=musings`, writer2.token)).body.data.length, 0);
      assert.equal((await get(`/notes?search=musings`, writer1.token)).body.data.length, 1);
      const hits = async (token: string) => (await get('/search?q=musings', token)).body.data.map((h: Json) => h.id);
      assert.deepEqual(await hits(writer2.token), []);
      assert.deepEqual(await hits(writer1.token), [note.id]);
      assert.equal((await get('/notes', editor.token)).body.data.length, 1, 'a role without the rule reads them all');
    });

    it('refuses writes of read-only fields with a 403 naming the field', async () => {
      const created = await app.api(`${base}/articles`, { body: { title: 'Backdated', publishedAt: '2020-01-01T00:00:00Z' }, token: writer1.token });
      assert.equal(created.status, 403);
      assert.equal(created.headers.get('content-type'), 'application/problem+json');
      assert.deepEqual(created.body.errors, [{ field: 'publishedAt', detail: 'is read-only for your role' }]);
      const patched = await app.api(`${base}/articles/${draft.id}`, { method: 'PATCH', body: { title: 'ok', publishedAt: null }, token: writer1.token });
      assert.equal(patched.status, 403);
      assert.equal(patched.body.errors[0].field, 'publishedAt');
      assert.equal((await get(`/articles/${draft.id}`, editor.token)).body.data.title, 'Draft by writer one', 'nothing of the refused write was kept');
      assert.equal((await app.api(`${base}/articles/${draft.id}`, { method: 'PATCH', body: { publishedAt: '2020-01-01T00:00:00Z' }, token: editor.token })).status, 200);
    });

    it('hides hidden fields in lists, single reads and expands, unless another held role sees them', async () => {
      const list = await get('/authors');
      assert.equal(list.status, 200);
      assert.equal(list.body.data[0].name, 'Ada Lovelace');
      assert.ok(!('email' in list.body.data[0]), JSON.stringify(list.body.data[0]));
      assert.ok(!('email' in (await get(`/authors/${ada.id}`)).body.data));
      const expanded = await get(`/articles/${published.id}?expand=author`);
      assert.equal(expanded.body.data.author.name, 'Ada Lovelace');
      assert.ok(!('email' in expanded.body.data.author));
      assert.ok(!JSON.stringify((await get('/articles?expand=author')).body).includes('analytical'));
      // The writer holds public too, but its own role reads authors without hiding the email.
      assert.equal((await get(`/authors/${ada.id}`, writer1.token)).body.data.email, 'ada@analytical.example');
      assert.equal((await get(`/articles/${draft.id}?expand=author`, writer1.token)).body.data.author.email, 'ada@analytical.example');
    });

    it('refuses to filter, sort, select or search by a hidden field, also along a relation', async () => {
      for (const q of ['filter[email][_eq]=ada@analytical.example', 'filter[email][_null]=false', 'sort=email', 'fields=name,email', 'filter[_or][0][email][_starts_with]=a&filter[_or][1][name][_eq]=x']) {
        const r = await get(`/authors?${q}`);
        assert.equal(r.status, 400, q);
        assert.match(r.body.detail + JSON.stringify(r.body), /email/);
      }
      const leak = await get('/articles?filter[author][email][_eq]=ada@analytical.example');
      assert.equal(leak.status, 400, 'a filter along the relation must not reveal the hidden email');
      assert.equal((await get('/articles?filter[author.email][_starts_with]=ada')).status, 400);
      assert.equal((await get('/articles?fields=title,author.email')).status, 400);
      const allowed = await get('/articles?filter[author][email][_eq]=ada@analytical.example', writer1.token);
      assert.equal(allowed.status, 200);
      assert.equal(allowed.body.data.length, 2);
    });

    it('never finds an item by hidden text, nor quotes it in a snippet', async () => {
      const anonymous = await get('/search?q=mathematician');
      assert.equal(anonymous.status, 200);
      assert.deepEqual(anonymous.body.data, [], 'only the hidden bio holds this word');
      assert.deepEqual((await get('/authors?search=mathematician')).body.data, []);
      assert.deepEqual((await get('/authors?search=analytical')).body.data, []);
      const byName = await get('/search?q=lovelace');
      assert.deepEqual(byName.body.data.map((h: Json) => [h.collection, h.id, h.title]), [['authors', ada.id, 'Ada Lovelace']]);
      assert.match(byName.body.data[0].snippet, /<mark>Lovelace<\/mark>/);
      assert.ok(!/analytical|athematician/.test(byName.body.data[0].snippet), byName.body.data[0].snippet);
      assert.equal((await get('/authors?search=lovelace')).body.data.length, 1);
      const writer = await get('/search?q=mathematician', writer1.token);
      assert.deepEqual(writer.body.data.map((h: Json) => h.id), [ada.id]);
      assert.equal((await get('/authors?search=mathematician', writer1.token)).body.data.length, 1);
    });

    it('keeps hidden fields out of revisions and diffs', async () => {
      assert.equal((await app.api(`${base}/authors/${ada.id}`, { method: 'PATCH', body: { name: 'Ada King', email: 'ada@engine.example', bio: 'Poet of science' } })).status, 200);
      const rev = await get(`/authors/${ada.id}/revisions/1`);
      assert.equal(rev.status, 200);
      assert.equal(rev.body.data.data.name, 'Ada Lovelace');
      assert.ok(!('email' in rev.body.data.data));
      const diff = await get(`/authors/${ada.id}/diff?from=1&to=2`);
      assert.equal(diff.status, 200, JSON.stringify(diff.body));
      assert.deepEqual(diff.body.data.map((c: Json) => c.field), ['name']);
      assert.ok(!/example|Poet/.test(JSON.stringify(diff.body)));
      const full = await get(`/authors/${ada.id}/diff?from=1&to=2`, writer1.token);
      assert.ok(full.body.data.some((c: Json) => c.field === 'email' && c.after === 'ada@engine.example'));
    });

    it('"published": a role that may edit still reads only the published view', async () => {
      const list = await get('/articles', proofreader.token);
      assert.deepEqual(list.body.data.map((a: Json) => a.id), [published.id]);
      assert.equal((await get(`/articles/${draft.id}`, proofreader.token)).status, 404);
      assert.equal((await get(`/articles/${published.id}/revisions`, proofreader.token)).status, 403, 'revisions hold drafts');
      assert.deepEqual((await get('/search?q=draft', proofreader.token)).body.data, []);
      assert.equal((await get(`/articles/${draft.id}`, editor.token)).status, 200);
    });

    it('applies a person\'s roles per tenant: a membership in alpha gives nothing beyond public in beta', async () => {
      const person: Actor = { kind: 'user', id: 'person-1', roles: [], memberships: { alpha: ['writer'] } };
      const store = app.store;
      const note = await store.create({ tenant: 'alpha', actor: person }, 'notes', { text: 'from a session' });
      assert.equal(note.createdBy, 'person-1');
      assert.equal((await store.list({ tenant: 'alpha', actor: person }, 'notes')).data.length, 1);
      const refused = async (work: Promise<unknown>) => {
        await assert.rejects(work, (e: unknown) => e instanceof DataError && e.kind === 'forbidden');
      };
      await refused(store.list({ tenant: 'beta', actor: person }, 'notes'));
      await refused(store.create({ tenant: 'beta', actor: person }, 'notes', { text: 'elsewhere' }));
      await refused(store.create({ tenant: 'beta', actor: person }, 'articles', { title: 'elsewhere' }));
      const betaAuthor = await store.create({ tenant: 'beta', actor: { kind: 'root' } }, 'authors', { name: 'Bea', email: 'bea@beta.example' });
      const asPublic = await store.get({ tenant: 'beta', actor: person }, 'authors', betaAuthor.id as string);
      assert.equal(asPublic.name, 'Bea');
      assert.ok(!('bio' in asPublic));
      assert.ok(!('email' in asPublic), 'in beta the person is only public');
      const inAlpha = await store.get({ tenant: 'alpha', actor: person }, 'authors', ada.id as string);
      assert.equal(typeof inAlpha.email, 'string', 'in alpha the writer role applies');
      // Without memberships, `roles` apply in every tenant the caller may act in.
      const global: Actor = { kind: 'user', id: 'person-2', roles: ['writer'] };
      assert.equal((await store.list({ tenant: 'beta', actor: global }, 'notes')).data.length, 0);
    });
  });
}
