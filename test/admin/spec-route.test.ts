// GET /api/spec: the running app's collections and roles for the admin UI, to anyone signed in and
// to nobody else.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drivers, startApp, type TestApp } from '../harness.ts';

for (const driver of await drivers()) {
  describe(`GET /api/spec (${driver})`, () => {
    let app: TestApp;
    before(async () => {
      app = await startApp(driver);
    });
    after(async () => app.close());

    test('anonymous callers are refused', async () => {
      const r = await app.api('/api/spec', { token: null });
      assert.equal(r.status, 401);
      assert.equal(r.headers.get('content-type'), 'application/problem+json');
    });

    test('a caller with credentials gets the collections, workflows, roles and MFA policy, without the rest of the spec', async () => {
      const r = await app.api('/api/spec');
      assert.equal(r.status, 200);
      assert.deepEqual(Object.keys(r.body.data).sort(), ['collections', 'mfa', 'name', 'roles', 'tenancy', 'title']);
      assert.deepEqual(r.body.data.mfa, { policy: 'optional' }, 'the MFA policy, defaulted');
      assert.equal(r.body.data.name, 'magazine');
      assert.deepEqual(Object.keys(r.body.data.collections), ['authors', 'categories', 'tags', 'articles']);
      assert.equal(r.body.data.collections.articles.workflow.publish, 'published');
      assert.equal(r.body.data.collections.articles.fields.author.to, 'authors');
      assert.deepEqual(r.body.data.roles.writer.can.articles, ['read', 'create', 'update']);
    });
  });
}
