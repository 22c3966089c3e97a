// Deliveries are durable: jobs queued while no worker ran, a job a crashed worker held under a
// lease, and retries pending when the server stopped are all delivered by the next server on the
// same database.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { drivers, freshDatabase } from '../harness.ts';
import { create, createTenant, deliveries, openApp, startReceiver, subscribe, verify, waitFor, type Database, type Json, type Receiver } from './helpers.ts';

for (const d of await drivers()) {
  describe(`webhook deliveries across a restart (${d})`, () => {
    let db: Database;
    let receiver: Receiver;
    let answer = 204;

    before(async () => {
      db = await freshDatabase(d);
      receiver = await startReceiver(() => answer);
    });
    after(async () => {
      await receiver.close();
      await db.drop();
    });

    it('delivers what was queued before the restart, including a job a crashed worker held', async () => {
      // A server whose worker is down: changes are queued, nothing is sent.
      const first = await openApp(d, db, { worker: false });
      await createTenant(first, 'alpha');
      const sub = await subscribe(first, 'alpha', { url: receiver.url, collections: ['tags'] });
      const tags: Json[] = [];
      for (const name of ['one', 'two', 'three']) tags.push(await create(first, 'alpha', 'tags', { name }));
      assert.deepEqual(await first.queue.stats(), { queued: 3, running: 0, dead: 0 });
      // A worker takes one job and dies before finishing it: its lease runs out and another worker retries it.
      const [held] = await first.queue.claim({ limit: 1, leaseMs: 300, kinds: ['webhook.deliver'] });
      assert.ok(held);
      assert.deepEqual(await first.queue.stats(), { queued: 2, running: 1, dead: 0 });
      await first.close();
      assert.equal(receiver.requests.length, 0);

      const second = await openApp(d, db);
      try {
        await waitFor('all three deliveries', () => receiver.requests.length === 3);
        assert.deepEqual(receiver.requests.map((r) => verify(sub.secret, r).data.id).sort(), tags.map((t) => t.id).sort());
        await waitFor('the queue to empty', async () => {
          const s = await second.queue.stats();
          return s.queued === 0 && s.running === 0;
        });
        const log = await deliveries(second, 'alpha', sub.id);
        assert.deepEqual(log.map((e) => e.status), ['succeeded', 'succeeded', 'succeeded']);
        // The held job was claimed twice: once by the worker that died, once by the one that delivered it.
        assert.deepEqual(log.map((e) => e.attempt).sort(), [1, 1, 2]);
        // The crashed worker's claim is void: it can no longer complete or fail the job.
        assert.equal(await second.queue.complete(held), false);
        assert.equal(await second.queue.fail(held, 'late', null), false);
      } finally {
        await second.close();
      }
    });

    it('keeps retrying after a restart, with the same webhook-id, once the receiver recovers', async () => {
      answer = 503;
      const before = receiver.requests.length;
      const third = await openApp(d, db, { retryBaseMs: 50 });
      let sub!: Json;
      let tag!: Json;
      try {
        sub = await subscribe(third, 'alpha', { url: `${receiver.url}/retry`, collections: ['authors'] });
        tag = await create(third, 'alpha', 'authors', { name: 'Pending' });
        await waitFor('a failed attempt', () => receiver.requests.length > before);
      } finally {
        // Stopped with the delivery pending a retry.
        await third.close();
      }
      const failed = receiver.requests.slice(before);
      assert.ok(failed.every((r) => r.status === 503));
      answer = 200;
      const fourth = await openApp(d, db);
      try {
        const ok = await waitFor('the delivery after the restart', () => receiver.requests.find((r) => r.status === 200 && r.path === '/retry'));
        assert.equal(verify(sub.secret, ok).data.id, tag.id);
        assert.equal(ok.headers['webhook-id'], failed[0].headers['webhook-id'], 'a retry is the same message');
        const log = await waitFor('the success in the log', async () => {
          const l = await deliveries(fourth, 'alpha', sub.id);
          return l[0]?.status === 'succeeded' && l;
        });
        assert.equal(log.length, failed.length + 1);
        assert.ok(log.slice(1).every((e) => e.status === 'failed' && e.statusCode === 503));
      } finally {
        await fourth.close();
      }
    });
  });
}
