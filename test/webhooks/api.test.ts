// The subscription API itself: tenant isolation (a tenant's subscriptions never see another
// tenant's changes, and its URLs never reach another tenant's subscriptions), the root token, and
// refused input as problem+json.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { drivers, exampleSpec } from '../harness.ts';
import { create, createTenant, startReceiver, startWebhookApp, subscribe, verify, waitFor, type Json, type Receiver, type WebhookApp } from './helpers.ts';
import { DataError } from '../../src/data/errors.ts';
import { WebhookSubscriptions } from '../../src/data/webhooks/subscriptions.ts';

for (const d of await drivers()) {
  describe(`webhook API (${d})`, () => {
    let app: WebhookApp;
    let done: () => Promise<void>;
    let receiver: Receiver;
    const subs: Record<'alpha' | 'beta', Json> = {} as never;

    before(async () => {
      ({ app, done } = await startWebhookApp(d));
      receiver = await startReceiver();
      for (const t of ['alpha', 'beta'] as const) {
        await createTenant(app, t);
        subs[t] = await subscribe(app, t, { url: `${receiver.url}/${t}` });
      }
    });
    after(async () => {
      await done();
      await receiver.close();
    });

    it('sends a tenant\'s changes only to that tenant\'s subscriptions', async () => {
      const a = await create(app, 'alpha', 'tags', { name: 'alpha-only' });
      const b = await create(app, 'beta', 'tags', { name: 'beta-only' });
      await waitFor('both deliveries', () => receiver.requests.length === 2);
      await waitFor('the queue to empty', async () => (await app.queue.stats()).queued === 0);
      assert.equal(receiver.requests.length, 2);
      const to = (t: string) => receiver.requests.filter((r) => r.path === `/${t}`).map((r) => verify(subs[t as 'alpha'].secret, r).data);
      assert.deepEqual(to('alpha').map((x) => [x.tenant, x.id]), [['alpha', a.id]]);
      assert.deepEqual(to('beta').map((x) => [x.tenant, x.id]), [['beta', b.id]]);
    });

    it('never lists, reads or changes another tenant\'s subscription', async () => {
      const list = await app.api('/api/t/beta/webhooks');
      assert.deepEqual(list.body.data.map((s: Json) => s.id), [subs.beta.id]);
      const other = `/api/t/beta/webhooks/${subs.alpha.id}`;
      assert.equal((await app.api(other)).status, 404);
      assert.equal((await app.api(`${other}/deliveries`)).status, 404);
      assert.equal((await app.api(`${other}/rotate-secret`, { method: 'POST' })).status, 404);
      assert.equal((await app.api(`${other}/enable`, { method: 'POST' })).status, 404);
      const del = await app.api(other, { method: 'DELETE' });
      assert.equal(del.status, 404);
      assert.equal(del.headers.get('content-type'), 'application/problem+json');
      assert.equal((await app.api(`/api/t/alpha/webhooks/${subs.alpha.id}`)).status, 200, 'still there');
      assert.equal((await app.api('/api/t/nobody/webhooks')).status, 404);
    });

    it('needs the root token', async () => {
      for (const token of [null, 'wrong-token']) {
        assert.equal((await app.api('/api/t/alpha/webhooks', { token })).status, 401);
        assert.equal((await app.api('/api/t/alpha/webhooks', { token, body: { url: 'ftp://x' } })).status, 401, 'checked before the body');
        assert.equal((await app.api(`/api/t/alpha/webhooks/${subs.alpha.id}`, { token, method: 'DELETE' })).status, 401);
        assert.equal((await app.api(`/api/t/alpha/webhooks/${subs.alpha.id}/deliveries`, { token })).status, 401);
      }
      const subsApi = new WebhookSubscriptions(app.store);
      await assert.rejects(subsApi.list({ tenant: 'alpha', actor: { kind: 'user', id: 'u1', roles: ['editor'] } }), (e) => e instanceof DataError && e.kind === 'forbidden');
    });

    it('refuses URLs other than http and https, and unknown filters, with 422', async () => {
      const refused = async (body: unknown, field: string) => {
        const r = await app.api('/api/t/alpha/webhooks', { body });
        assert.equal(r.status, 422, JSON.stringify(r.body));
        assert.equal(r.headers.get('content-type'), 'application/problem+json');
        assert.ok(r.body.errors.some((e: Json) => e.field === field), JSON.stringify(r.body));
      };
      for (const url of ['ftp://example.com/hook', 'file:///etc/passwd', 'javascript:alert(1)', 'mailto:a@example.com', 'not a url', '/relative', 'http://user:pass@127.0.0.1/']) await refused({ url }, 'url');
      await refused({}, 'url');
      await refused({ url: 42 }, 'url');
      await refused({ url: `http://127.0.0.1/${'x'.repeat(2000)}` }, 'url');
      await refused({ url: receiver.url, collections: ['articles', 'nope'] }, 'collections.1');
      await refused({ url: receiver.url, collections: [] }, 'collections');
      await refused({ url: receiver.url, events: ['explode'] }, 'events.0');
      await refused({ url: receiver.url, extra: true }, 'extra');
      // The data plane refuses the same without the HTTP schema in front of it.
      const subsApi = new WebhookSubscriptions(app.store);
      await assert.rejects(subsApi.create({ tenant: 'alpha', actor: { kind: 'root' } }, { url: 'gopher://x' }), (e) => e instanceof DataError && e.kind === 'invalid_body' && e.errors[0].field === 'url');
      await assert.rejects(subsApi.create({ tenant: 'alpha', actor: { kind: 'root' } }, { url: receiver.url, events: ['nope'] }), (e) => e instanceof DataError && e.errors[0].field === 'events.0');
      assert.equal((await app.api('/api/t/alpha/webhooks')).body.data.length, 1, 'nothing was created');
      const ok = await app.api('/api/t/alpha/webhooks', { body: { url: 'https://example.com/hook', events: ['create', 'update'] } });
      assert.equal(ok.status, 201);
      assert.equal(ok.headers.get('location'), `/api/t/alpha/webhooks/${ok.body.data.id}`);
      assert.equal((await app.api(`/api/t/alpha/webhooks/${ok.body.data.id}`, { method: 'DELETE' })).status, 204);
    });
  });

  describe(`webhook API in a single-tenant app (${d})`, () => {
    it('answers without the tenant segment too', async () => {
      const { app, done } = await startWebhookApp(d, { spec: exampleSpec('blog') });
      const receiver = await startReceiver();
      try {
        const r = await app.api('/api/webhooks', { body: { url: receiver.url, collections: ['posts'] } });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        assert.equal((await app.api(`/api/webhooks/${r.body.data.id}`)).status, 200);
        assert.equal((await app.api('/api/t/default/webhooks')).body.data.length, 1);
        const post = await app.api('/api/posts', { body: { title: 'Hello' } });
        assert.equal(post.status, 201);
        await waitFor('the delivery', () => receiver.requests.length === 1);
        const body = verify(r.body.data.secret, receiver.requests[0]);
        assert.equal(body.type, 'posts.create');
        assert.equal(body.data.tenant, 'default');
      } finally {
        await done();
        await receiver.close();
      }
    });
  });
}
