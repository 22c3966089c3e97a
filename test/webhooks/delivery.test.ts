// Deliveries to a real receiver: every change a subscription's filters select arrives once, signed
// per Standard Webhooks (checked with the reference library), and nothing else arrives. A write
// that rolls back queues nothing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../harness.ts';
import { create, createTenant, deliveries, startReceiver, startWebhookApp, subscribe, verify, waitFor, type Json, type Receiver, type WebhookApp } from './helpers.ts';
import { JOBS_TABLE } from '../../src/data/queue/db-queue.ts';

for (const d of await drivers()) {
  describe(`webhook delivery (${d})`, () => {
    let app: WebhookApp;
    let done: () => Promise<void>;
    let receiver: Receiver;
    const subs: Record<'all' | 'deletes' | 'tags', Json> = {} as never;
    const changes: Json = {};

    const idle = () => waitFor('the queue to empty', async () => {
      const s = await app.queue.stats();
      return s.queued === 0 && s.running === 0;
    });
    const at = (path: string) => receiver.requests.filter((r) => r.path === path);

    before(async () => {
      ({ app, done } = await startWebhookApp(d));
      receiver = await startReceiver();
      await createTenant(app, 'alpha');
      subs.all = await subscribe(app, 'alpha', { url: `${receiver.url}/all` });
      subs.deletes = await subscribe(app, 'alpha', { url: `${receiver.url}/deletes`, collections: ['articles'], events: ['delete'] });
      subs.tags = await subscribe(app, 'alpha', { url: `${receiver.url}/tags`, collections: ['tags'] });

      const author = await create(app, 'alpha', 'authors', { name: 'Ada' });
      const article = await create(app, 'alpha', 'articles', { title: 'Hello', author: author.id });
      const updated = await app.api(`/api/t/alpha/articles/${article.id}`, { method: 'PATCH', body: { title: 'Hello again' } });
      assert.equal(updated.status, 200);
      assert.equal((await app.api(`/api/t/alpha/articles/${article.id}`, { method: 'DELETE' })).status, 204);
      const tag = await create(app, 'alpha', 'tags', { name: 'news' });
      Object.assign(changes, { author, article, updated: updated.body.data, tag });
      await idle();
    });
    after(async () => {
      await done();
      await receiver.close();
    });

    it('shows the secret once, on creation, in the Standard Webhooks format', async () => {
      assert.match(subs.all.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
      assert.equal(Buffer.from(subs.all.secret.slice(6), 'base64').length, 32);
      const list = await app.api('/api/t/alpha/webhooks');
      assert.equal(list.status, 200);
      assert.deepEqual(list.body.data.map((s: Json) => s.id), [subs.all.id, subs.deletes.id, subs.tags.id]);
      for (const s of list.body.data) assert.equal('secret' in s, false);
      const one = await app.api(`/api/t/alpha/webhooks/${subs.deletes.id}`);
      assert.equal(one.status, 200);
      assert.equal('secret' in one.body.data, false);
      assert.deepEqual(one.body.data.collections, ['articles']);
      assert.deepEqual(one.body.data.events, ['delete']);
      assert.equal(one.body.data.enabled, true);
      assert.equal(one.body.data.url, `${receiver.url}/deletes`);
    });

    it('delivers every change to the subscription without filters, signed and verifiable', () => {
      const got = at('/all').map((r) => verify(subs.all.secret, r));
      assert.deepEqual(got.map((b) => b.type).sort(), ['articles.create', 'articles.delete', 'articles.update', 'authors.create', 'tags.create']);
      for (const r of at('/all')) {
        assert.match(String(r.headers['webhook-id']), /^msg_[0-9a-f-]{36}$/);
        assert.match(String(r.headers['webhook-timestamp']), /^\d{10}$/);
        assert.match(String(r.headers['webhook-signature']), /^v1,[A-Za-z0-9+/]{43}=$/);
        assert.equal(r.headers['content-type'], 'application/json');
      }
      // One webhook-id per message.
      assert.equal(new Set(at('/all').map((r) => r.headers['webhook-id'])).size, 5);
    });

    it('sends the change as {type, timestamp, data: {tenant, collection, id, revision, item}}', () => {
      const byType = new Map(at('/all').map((r) => [verify(subs.all.secret, r).type as string, verify(subs.all.secret, r)]));
      const created = byType.get('articles.create')!;
      assert.deepEqual(Object.keys(created).sort(), ['data', 'timestamp', 'type']);
      assert.equal(created.timestamp, changes.article.createdAt);
      assert.deepEqual(created.data, { tenant: 'alpha', collection: 'articles', id: changes.article.id, revision: 1, item: changes.article });
      const update = byType.get('articles.update')!;
      assert.equal(update.data.revision, 2);
      assert.deepEqual(update.data.item, changes.updated);
      const deleted = byType.get('articles.delete')!;
      assert.equal(deleted.data.revision, 3);
      assert.equal(deleted.data.id, changes.article.id);
      assert.equal(deleted.data.item, null);
    });

    it('filters by collection and by event type', () => {
      assert.deepEqual(at('/deletes').map((r) => verify(subs.deletes.secret, r).type), ['articles.delete']);
      assert.deepEqual(at('/tags').map((r) => verify(subs.tags.secret, r).type), ['tags.create']);
      // The same change carries the same webhook-id to every subscription, so one receiver can deduplicate.
      assert.equal(at('/deletes')[0].headers['webhook-id'], at('/all').find((r) => JSON.parse(r.body).type === 'articles.delete')!.headers['webhook-id']);
    });

    it('a signature made with another subscription\'s secret does not verify', () => {
      assert.throws(() => verify(subs.all.secret, at('/tags')[0]), /No matching signature/);
    });

    it('logs each delivery for its subscription', async () => {
      const log = await deliveries(app, 'alpha', subs.all.id);
      assert.equal(log.length, 5);
      for (const e of log) {
        assert.equal(e.status, 'succeeded');
        assert.equal(e.statusCode, 204);
        assert.equal(e.attempt, 1);
        assert.equal(e.error, null);
        assert.equal(e.nextAttemptAt, null);
        assert.equal(typeof e.durationMs, 'number');
      }
      assert.deepEqual(log.map((e) => e.messageId).sort(), at('/all').map((r) => r.headers['webhook-id']).sort());
      assert.deepEqual((await deliveries(app, 'alpha', subs.deletes.id)).map((e) => e.event), ['articles.delete']);
      // Pages follow the cursor, newest first.
      const first = await app.api(`/api/t/alpha/webhooks/${subs.all.id}/deliveries?limit=3`);
      assert.equal(first.body.data.length, 3);
      const rest = await app.api(`/api/t/alpha/webhooks/${subs.all.id}/deliveries?limit=3&cursor=${first.body.meta.next_cursor}`);
      assert.equal(rest.body.data.length, 2);
      assert.equal(rest.body.meta.next_cursor, null);
      assert.deepEqual([...first.body.data, ...rest.body.data], log);
      assert.equal((await app.api(`/api/t/alpha/webhooks/${subs.all.id}/deliveries?cursor=x`)).status, 400);
      assert.equal((await app.api(`/api/t/alpha/webhooks/${subs.all.id}/deliveries?limit=0`)).status, 400);
      assert.equal((await app.api(`/api/t/alpha/webhooks/${subs.all.id}/deliveries?since=1`)).status, 400);
    });

    it('a write that rolls back queues nothing, and nothing is sent', async () => {
      const count = async () => Number((await app.store.driver.db.selectFrom(JOBS_TABLE).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n);
      const sent = receiver.requests.length;
      // A listener after the webhook listener fails: the whole change, queued deliveries included, rolls back.
      app.store.onChange(async (_trx, change) => {
        if (change.data?.name === 'rollback') throw new Error('refused by a later listener');
      });
      const before = await count();
      const r = await app.api('/api/t/alpha/authors', { body: { name: 'rollback' } });
      assert.equal(r.status, 500);
      // A write refused by a constraint never reaches the listeners either.
      await create(app, 'alpha', 'tags', { name: 'unique' });
      await idle();
      const sentAfterTag = receiver.requests.length;
      assert.equal((await app.api('/api/t/alpha/tags', { body: { name: 'unique' } })).status, 409);
      assert.equal(await count(), before);
      await idle();
      assert.equal(receiver.requests.length, sentAfterTag);
      assert.equal(sentAfterTag - sent, 2, 'only the tag that was created is sent (to /all and /tags)');
      const list = await app.api('/api/t/alpha/authors?filter[name][_eq]=rollback');
      assert.equal(list.body.data.length, 0);
    });

    it('a deleted subscription receives nothing more and its log is gone', async () => {
      assert.equal((await app.api(`/api/t/alpha/webhooks/${subs.tags.id}`, { method: 'DELETE' })).status, 204);
      assert.equal((await app.api(`/api/t/alpha/webhooks/${subs.tags.id}`)).status, 404);
      assert.equal((await app.api(`/api/t/alpha/webhooks/${subs.tags.id}/deliveries`)).status, 404);
      assert.equal((await app.api(`/api/t/alpha/webhooks/${subs.tags.id}`, { method: 'DELETE' })).status, 404);
      const before = at('/tags').length;
      await create(app, 'alpha', 'tags', { name: 'after-delete' });
      await idle();
      assert.equal(at('/tags').length, before);
    });
  });
}
