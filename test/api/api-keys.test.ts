// API keys, once per driver: a key acts with one role of the spec in one tenant only, so the
// magazine's writer and editor roles really decide who may write what and take which transition;
// keys are shown once, stored hashed, and stop working when revoked.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { drivers, startApp, type TestApp } from '../harness.ts';

type Item = Record<string, unknown> & { id: string };

for (const d of await drivers()) {
  describe(`API keys (${d})`, () => {
    let app: TestApp;
    let writer: string;
    let editor: string;
    let writerId: string;
    let author: Item;
    const base = '/api/t/mag';

    before(async () => {
      app = await startApp(d);
      for (const slug of ['mag', 'other']) assert.equal((await app.api('/api/tenants', { body: { slug, name: slug } })).status, 201);
      author = (await app.api(`${base}/authors`, { body: { name: 'Ada' } })).body.data;
      const w = await app.api(`${base}/api-keys`, { body: { name: 'CI writer', role: 'writer' } });
      assert.equal(w.status, 201, JSON.stringify(w.body));
      assert.match(w.body.data.key, /^kiln_key_[\w-]{43}$/);
      writer = w.body.data.key;
      writerId = w.body.data.id;
      editor = (await app.api(`${base}/api-keys`, { body: { name: 'Desk', role: 'editor' } })).body.data.key;
    });
    after(() => app.close());

    it('shows a key once and stores only its hash', async () => {
      const list = await app.api(`${base}/api-keys`);
      assert.equal(list.status, 200);
      assert.deepEqual(list.body.data.map((k: { name: string; role: string }) => [k.name, k.role]), [['CI writer', 'writer'], ['Desk', 'editor']]);
      assert.ok(!JSON.stringify(list.body).includes(writer));
      assert.equal(list.body.data[0].lastFour, writer.slice(-4));
      const rows = await app.store.driver.db.selectFrom('kiln_api_keys').select('hash').execute();
      assert.ok(rows.some((r) => r.hash === createHash('sha256').update(writer).digest('hex')));
      assert.ok(!rows.some((r) => r.hash === writer));
    });

    it("lets a writer do what the writer role grants, and nothing more", async () => {
      const a = await app.api(`${base}/articles`, { body: { title: 'By the writer', author: author.id }, token: writer });
      assert.equal(a.status, 201, JSON.stringify(a.body));
      const revs = await app.api(`${base}/articles/${a.body.data.id}/revisions`, { token: writer });
      assert.equal(revs.body.data[0].actor, `user:key:${writerId}`);
      assert.equal((await app.api(`${base}/articles?filter[title][_eq]=By%20the%20writer`, { token: writer })).body.data.length, 1, 'a writer sees drafts');
      assert.equal((await app.api(`${base}/authors`, { body: { name: 'Not allowed' }, token: writer })).status, 403);
      assert.equal((await app.api(`${base}/articles/${a.body.data.id}`, { method: 'DELETE', token: writer })).status, 403);
      assert.equal((await app.api(`${base}/articles/${a.body.data.id}`, { method: 'PATCH', body: { status: 'published' }, token: writer })).status, 422, 'the state changes only by transition');

      assert.equal((await app.api(`${base}/articles/${a.body.data.id}/transition`, { body: { to: 'in_review' }, token: writer })).status, 200);
      const publish = await app.api(`${base}/articles/${a.body.data.id}/transition`, { body: { to: 'published' }, token: writer });
      assert.equal(publish.status, 403);
      assert.deepEqual(publish.body.errors, [{ field: 'to', detail: 'allowed from "in_review": draft' }]);
      const byEditor = await app.api(`${base}/articles/${a.body.data.id}/transition`, { body: { to: 'published' }, token: editor });
      assert.equal(byEditor.status, 200);
      assert.equal((await app.api(`${base}/articles/${a.body.data.id}`, { token: null })).status, 200);
    });

    it('binds a key to its tenant: another tenant does not exist for it', async () => {
      assert.equal((await app.api('/api/t/other/articles', { token: writer })).status, 404);
      assert.equal((await app.api('/api/t/other/articles', { body: { title: 'x', author: author.id }, token: writer })).status, 404);
      assert.equal((await app.api('/api/t/other/search?q=x', { token: writer })).status, 404);
      assert.equal((await app.api('/api/tenants', { body: { slug: 'mine', name: 'Mine' }, token: editor })).status, 403);
      assert.equal((await app.api(`${base}/api-keys`, { token: editor })).status, 403, 'only the root token manages keys');
    });

    it('refuses unknown roles, unknown keys and revoked keys', async () => {
      const bad = await app.api(`${base}/api-keys`, { body: { name: 'x', role: 'public' } });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.errors[0].field, 'role');
      assert.equal((await app.api(`${base}/api-keys`, { body: { name: 'x', role: 'writer' }, token: null })).status, 401);
      assert.equal((await app.api(`${base}/articles`, { token: 'kiln_key_nope' })).status, 401);
      assert.equal((await app.api(`${base}/api-keys/${writerId}`, { method: 'DELETE' })).status, 204);
      assert.equal((await app.api(`${base}/articles`, { token: writer })).status, 401);
      assert.equal((await app.api(`${base}/api-keys/${writerId}`, { method: 'DELETE' })).status, 404);
    });
  });
}
