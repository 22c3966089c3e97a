// Webhook payloads under a role, once per driver, with a real receiver: a subscription bound to
// "public" is sent items without the fields public may not see, and nothing about drafts until
// they are published; a subscription without a role gets the full item.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../harness.ts';
import { startReceiver, startWebhookApp, subscribe, verify, waitFor, type Json, type Receiver, type WebhookApp } from '../webhooks/helpers.ts';
import { rulesSpec, tenant } from './rules-helpers.ts';

for (const d of await drivers()) {
  describe(`webhook payloads under a role (${d})`, () => {
    let app: WebhookApp;
    let done: () => Promise<void>;
    let receiver: Receiver;
    let full: Json;
    let pub: Json;

    before(async () => {
      ({ app, done } = await startWebhookApp(d, { spec: rulesSpec() }));
      receiver = await startReceiver();
      await tenant(app, 'alpha');
      full = await subscribe(app, 'alpha', { url: `${receiver.url}/full` });
      pub = await subscribe(app, 'alpha', { url: `${receiver.url}/public`, role: 'public' });
      assert.equal(pub.role, 'public');
      assert.equal(full.role, null);
    });
    after(async () => {
      await done();
      await receiver.close();
    });

    // Deliveries run concurrently, so they arrive in any order; sorted by type here.
    const received = (path: string, secret: string) =>
      receiver.requests
        .filter((r) => r.path === path)
        .map((r) => verify(secret, r))
        .sort((a, b) => String(a.type).localeCompare(String(b.type)));

    it('shapes payloads by the role\'s field and row rules', async () => {
      const author = (await app.api('/api/t/alpha/authors', { body: { name: 'Ada', email: 'ada@example.com', bio: 'secret bio' } })).body.data;
      const article = (await app.api('/api/t/alpha/articles', { body: { title: 'Draft', author: author.id } })).body.data;
      assert.equal((await app.api(`/api/t/alpha/articles/${article.id}/transition`, { body: { to: 'published' } })).status, 200);
      // full: author.create, article.create, article.transition, article.publish; public: author.create, article.publish.
      await waitFor('all deliveries', () => receiver.requests.length === 6);
      await waitFor('the queue to empty', async () => (await app.queue.stats()).queued === 0);
      const toFull = received('/full', full.secret);
      const toPublic = received('/public', pub.secret);
      assert.deepEqual(toFull.map((m) => m.type), ['articles.create', 'articles.publish', 'articles.transition', 'authors.create']);
      assert.deepEqual(toPublic.map((m) => m.type), ['articles.publish', 'authors.create'], 'drafts are not sent to a reader of the published view');
      assert.equal(toFull[3].data.item.email, 'ada@example.com');
      assert.equal(toPublic[1].data.item.name, 'Ada');
      assert.ok(!('email' in toPublic[1].data.item) && !('bio' in toPublic[1].data.item), JSON.stringify(toPublic[1]));
      assert.equal(toPublic[0].data.item.title, 'Draft');
    });

    it('refuses a role the spec does not define', async () => {
      const r = await app.api('/api/t/alpha/webhooks', { body: { url: `${receiver.url}/x`, role: 'nobody' } });
      assert.equal(r.status, 422);
      assert.equal(r.body.errors[0].field, 'role');
    });
  });
}
