// Failures: a receiver that fails the first attempts gets the same message again (same webhook-id)
// until it accepts it, with every attempt in the log; one that always fails stops its subscription
// after the configured number of failures, visibly, until it is enabled again. Network errors and
// timeouts count as failures.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { drivers } from '../harness.ts';
import { create, createTenant, deliveries, startReceiver, startWebhookApp, subscribe, verify, waitFor, type Json, type WebhookApp } from './helpers.ts';

const FAILURE_LIMIT = 6;

for (const d of await drivers()) {
  describe(`webhook retries (${d})`, () => {
    let app: WebhookApp;
    let done: () => Promise<void>;
    let author: Json;

    before(async () => {
      ({ app, done } = await startWebhookApp(d, { failureLimit: FAILURE_LIMIT, timeoutMs: 300 }));
      await createTenant(app, 'alpha');
      author = await create(app, 'alpha', 'authors', { name: 'Ada' });
    });
    after(() => done());

    it('retries a receiver that fails the first two attempts, with the same webhook-id, until it succeeds', async () => {
      const receiver = await startReceiver(({ seen }) => (seen < 2 ? 503 : 200));
      try {
        const sub = await subscribe(app, 'alpha', { url: receiver.url, collections: ['articles'] });
        const article = await create(app, 'alpha', 'articles', { title: 'Flaky', author: author.id });
        await waitFor('the third attempt', () => receiver.requests.length === 3);
        const ids = new Set(receiver.requests.map((r) => r.headers['webhook-id']));
        assert.equal(ids.size, 1, 'every attempt carries the same webhook-id');
        assert.deepEqual(receiver.requests.map((r) => r.status), [503, 503, 200]);
        // Each attempt is signed afresh, and each verifies.
        for (const r of receiver.requests) assert.equal(verify(sub.secret, r).data.id, article.id);
        const log = await waitFor('the log of three attempts', async () => {
          const l = await deliveries(app, 'alpha', sub.id);
          return l.length === 3 && l;
        });
        assert.deepEqual(log.map((e) => [e.attempt, e.status, e.statusCode]), [[3, 'succeeded', 200], [2, 'failed', 503], [1, 'failed', 503]]);
        assert.equal(log[1].error, 'HTTP 503');
        for (const e of log.slice(1)) {
          assert.ok(Date.parse(e.nextAttemptAt) >= Date.parse(e.at), 'a failed attempt names when the next one is due');
          assert.equal(e.messageId, [...ids][0]);
        }
        assert.equal(log[0].nextAttemptAt, null);
        const after = (await app.api(`/api/t/alpha/webhooks/${sub.id}`)).body.data;
        assert.equal(after.consecutiveFailures, 0);
        assert.equal(after.enabled, true);
        await app.api(`/api/t/alpha/webhooks/${sub.id}`, { method: 'DELETE' });
      } finally {
        await receiver.close();
      }
    });

    it('stops a subscription whose receiver keeps failing, shows why, and resumes when enabled', async () => {
      let status = 500;
      const receiver = await startReceiver(() => status);
      try {
        const sub = await subscribe(app, 'alpha', { url: receiver.url, collections: ['tags'] });
        await create(app, 'alpha', 'tags', { name: 'doomed' });
        const stopped = await waitFor('the subscription to stop', async () => {
          const s = (await app.api(`/api/t/alpha/webhooks/${sub.id}`)).body.data;
          return s.enabled === false && s;
        });
        assert.equal(receiver.requests.length, FAILURE_LIMIT);
        assert.equal(stopped.consecutiveFailures, FAILURE_LIMIT);
        assert.match(stopped.disabledReason, new RegExp(`^Stopped after ${FAILURE_LIMIT} failed delivery attempts in a row; the last: HTTP 500$`));
        assert.ok(stopped.disabledAt);
        const listed = (await app.api('/api/t/alpha/webhooks')).body.data.find((s: Json) => s.id === sub.id);
        assert.equal(listed.enabled, false);
        assert.equal(listed.disabledReason, stopped.disabledReason);
        const log = await deliveries(app, 'alpha', sub.id);
        assert.equal(log.length, FAILURE_LIMIT);
        assert.ok(log.every((e) => e.status === 'failed' && e.statusCode === 500));
        assert.deepEqual(log.map((e) => e.attempt), Array.from({ length: FAILURE_LIMIT }, (_, i) => FAILURE_LIMIT - i));
        assert.equal(log[0].nextAttemptAt, null, 'no attempt follows the stop');
        await waitFor('the job to be marked dead', async () => (await app.queue.stats()).dead === 1);
        assert.deepEqual(await app.queue.stats(), { queued: 0, running: 0, dead: 1 });

        // While stopped, changes are not queued for it.
        await create(app, 'alpha', 'tags', { name: 'while-stopped' });
        assert.deepEqual(await app.queue.stats(), { queued: 0, running: 0, dead: 1 });

        status = 200;
        const enabled = await app.api(`/api/t/alpha/webhooks/${sub.id}/enable`, { method: 'POST' });
        assert.equal(enabled.status, 200);
        assert.equal(enabled.body.data.enabled, true);
        assert.equal(enabled.body.data.disabledReason, null);
        assert.equal(enabled.body.data.consecutiveFailures, 0);
        const tag = await create(app, 'alpha', 'tags', { name: 'after-enable' });
        await waitFor('the delivery after enabling', () => receiver.requests.some((r) => r.status === 200));
        assert.deepEqual(receiver.requests.filter((r) => r.status === 200).map((r) => verify(sub.secret, r).data.id), [tag.id]);
        await app.api(`/api/t/alpha/webhooks/${sub.id}`, { method: 'DELETE' });
      } finally {
        await receiver.close();
      }
    });

    it('counts a refused connection and a timeout as failures, with the cause in the log', async () => {
      // A port that was just free: nothing listens there.
      const probe = createServer();
      await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
      const closedPort = (probe.address() as AddressInfo).port;
      await new Promise<void>((r) => probe.close(() => r()));
      // A receiver that never answers.
      const silent = createServer(() => {});
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      try {
        const refused = await subscribe(app, 'alpha', { url: `http://127.0.0.1:${closedPort}/hook`, collections: ['categories'] });
        const hanging = await subscribe(app, 'alpha', { url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hook`, collections: ['categories'] });
        await create(app, 'alpha', 'categories', { name: 'Unreachable' });
        const first = async (id: string) => waitFor('a failed attempt in the log', async () => (await deliveries(app, 'alpha', id)).at(-1));
        const r = await first(refused.id);
        assert.equal(r.status, 'failed');
        assert.equal(r.statusCode, null);
        assert.match(r.error, /ECONNREFUSED/);
        const h = await first(hanging.id);
        assert.equal(h.status, 'failed');
        assert.equal(h.statusCode, null);
        assert.equal(h.error, 'no answer within 300 ms');
        for (const s of [refused, hanging]) assert.equal((await app.api(`/api/t/alpha/webhooks/${s.id}`, { method: 'DELETE' })).status, 204);
        await waitFor('the queue to drain once the subscriptions are gone', async () => (await app.queue.stats()).queued === 0);
      } finally {
        silent.closeAllConnections();
        await new Promise<void>((r) => silent.close(() => r()));
      }
    });
  });
}
