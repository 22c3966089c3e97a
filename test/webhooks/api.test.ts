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

  describe(`changing and stopping a subscription (${d})`, () => {
    it('PATCH changes url and filters, disable stops deliveries, enable resumes them; root only', async () => {
      const { app, done } = await startWebhookApp(d);
      const receiver = await startReceiver();
      try {
        await createTenant(app, 'alpha');
        const sub = await subscribe(app, 'alpha', { url: `${receiver.url}/old`, events: ['delete'] });
        const path = `/api/t/alpha/webhooks/${sub.id}`;
        const list = await app.api('/api/t/alpha/webhooks');
        assert.deepEqual(list.body.meta.events, ['create', 'update', 'delete', 'restore', 'transition', 'publish', 'unpublish']);

        for (const token of [null, 'wrong-token']) {
          assert.equal((await app.api(path, { token, method: 'PATCH', body: { url: 'ftp://x' } })).status, 401);
          assert.equal((await app.api(`${path}/disable`, { token, method: 'POST' })).status, 401);
        }
        const bad = await app.api(path, { method: 'PATCH', body: { url: 'ftp://x', events: ['explode'] } });
        assert.equal(bad.status, 422, JSON.stringify(bad.body));
        assert.equal(bad.headers.get('content-type'), 'application/problem+json');
        const badFields = (await app.api(path, { method: 'PATCH', body: { url: 'mailto:a@example.com', collections: ['tags', 'nope'] } })).body.errors.map((e: Json) => e.field);
        assert.deepEqual(badFields.sort(), ['collections.1', 'url']);
        assert.equal((await app.api(`/api/t/alpha/webhooks/00000000-0000-7000-8000-000000000000`, { method: 'PATCH', body: {} })).status, 404);

        const changed = await app.api(path, { method: 'PATCH', body: { url: `${receiver.url}/new`, events: ['create'], collections: ['tags'] } });
        assert.equal(changed.status, 200, JSON.stringify(changed.body));
        assert.deepEqual([changed.body.data.url, changed.body.data.events, changed.body.data.collections], [`${receiver.url}/new`, ['create'], ['tags']]);
        await create(app, 'alpha', 'tags', { name: 'first' });
        await waitFor('the delivery to the new URL', () => receiver.requests.length === 1);
        assert.equal(receiver.requests[0].path, '/new');
        assert.equal(verify(sub.secret, receiver.requests[0]).type, 'tags.create', 'the secret is kept');

        const stopped = await app.api(`${path}/disable`, { method: 'POST' });
        assert.equal(stopped.status, 200);
        assert.equal(stopped.body.data.enabled, false);
        assert.equal(stopped.body.data.disabledReason, 'Disabled by an operator');
        await create(app, 'alpha', 'tags', { name: 'while stopped' });
        const resumed = await app.api(`${path}/enable`, { method: 'POST' });
        assert.equal(resumed.body.data.enabled, true);
        await create(app, 'alpha', 'tags', { name: 'after' });
        await waitFor('the delivery after re-enabling', () => receiver.requests.length === 2);
        await waitFor('the queue to empty', async () => (await app.queue.stats()).queued === 0);
        assert.deepEqual(receiver.requests.map((r) => verify(sub.secret, r).data.item.name), ['first', 'after']);

        // null means all again.
        const all = await app.api(path, { method: 'PATCH', body: { events: null, collections: null } });
        assert.deepEqual([all.body.data.events, all.body.data.collections, all.body.data.url], [null, null, `${receiver.url}/new`]);
      } finally {
        await done();
        await receiver.close();
      }
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
