// Scheduled publishing, once per driver: a schedule runs through the durable job queue, also when
// no worker was running at its time (it catches up when one starts), can be cancelled, and records
// a refused transition instead of retrying it forever.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers, startApp, type TestApp } from '../harness.ts';
import { startWorker, type Worker } from '../../src/data/queue/worker.ts';
import { SCHEDULED_TRANSITION, scheduledTransitionHandler } from '../../src/data/events/scheduled-transitions.ts';

type Item = Record<string, unknown> & { id: string };

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

for (const d of await drivers()) {
  describe(`scheduled publishing (${d})`, () => {
    let app: TestApp;
    let author: Item;
    let worker: Worker | undefined;
    const base = '/api/t/mag';
    const startScheduler = () => (worker = startWorker({ queue: app.store.queue, pollMs: 20, handlers: { [SCHEDULED_TRANSITION]: scheduledTransitionHandler(() => app.store) } }));
    const draft = async (title: string): Promise<Item> => (await app.api(`${base}/articles`, { body: { title, author: author.id } })).body.data;
    const readerSees = async (title: string) => ((await app.api(`${base}/articles?filter[title][_eq]=${encodeURIComponent(title)}`, { token: null })).body.data as Item[]).length === 1;
    const schedule = async (id: string) => (await app.api(`${base}/articles/${id}/schedule`)).body.data as { status: string; error: string | null }[];

    before(async () => {
      app = await startApp(d);
      await app.api('/api/tenants', { body: { slug: 'mag', name: 'Mag' } });
      author = (await app.api(`${base}/authors`, { body: { name: 'Ada' } })).body.data;
    });
    after(async () => {
      await worker?.stop();
      await app.close();
    });

    it('publishes at the scheduled time, catching up when the worker starts after that time', async () => {
      const a = await draft('Morning news');
      // Reviewed, then scheduled: the magazine's workflow publishes from in_review.
      assert.equal((await app.api(`${base}/articles/${a.id}/transition`, { body: { to: 'in_review' } })).status, 200);
      const at = new Date(Date.now() + 300).toISOString();
      const s = await app.api(`${base}/articles/${a.id}/schedule`, { body: { at } });
      assert.equal(s.status, 201, JSON.stringify(s.body));
      assert.equal(s.body.data.to, 'published');
      assert.equal(s.body.data.status, 'pending');
      // No worker ran at that moment: the schedule waits in the database.
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(await readerSees('Morning news'), false);
      startScheduler();
      await until('the scheduled publish', async () => ((await readerSees('Morning news')) ? true : undefined));
      const [done] = await until('the schedule to be marked done', async () => {
        const list = await schedule(a.id);
        return list[0]?.status === 'done' ? list : undefined;
      });
      assert.equal(done.error, null);
      const revs = (await app.api(`${base}/articles/${a.id}/revisions`)).body.data as { type: string; actor: string }[];
      assert.deepEqual(revs.slice(-2).map((r) => [r.type, r.actor]), [['transition', 'root'], ['publish', 'root']]);
    });

    it('does nothing for a cancelled schedule, and records a transition that is no longer allowed', async () => {
      const cancelled = await draft('Never mind');
      const s = await app.api(`${base}/articles/${cancelled.id}/schedule`, { body: { at: new Date(Date.now() + 200).toISOString() } });
      const c = await app.api(`${base}/articles/${cancelled.id}/schedule/${s.body.data.id}`, { method: 'DELETE' });
      assert.equal(c.status, 200);
      assert.equal(c.body.data.status, 'cancelled');
      assert.equal((await app.api(`${base}/articles/${cancelled.id}/schedule/${s.body.data.id}`, { method: 'DELETE' })).status, 409);

      const archived = await draft('Shelved');
      assert.equal((await app.api(`${base}/articles/${archived.id}/transition`, { body: { to: 'archived' } })).status, 200);
      await app.api(`${base}/articles/${archived.id}/schedule`, { body: { at: new Date().toISOString() } });
      const [failed] = await until('the refused schedule to be recorded', async () => {
        const list = await schedule(archived.id);
        return list[0]?.status === 'failed' ? list : undefined;
      });
      assert.match(failed.error ?? '', /no transition from "archived" to "published"/i);
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(await readerSees('Never mind'), false);
      assert.equal((await schedule(cancelled.id))[0].status, 'cancelled');
    });

    it('checks the request: a valid time, a known state, a reachable one, and a caller who may edit', async () => {
      const a = await draft('Checked');
      const bad = await app.api(`${base}/articles/${a.id}/schedule`, { body: { at: 'tomorrow', to: 'gone' } });
      assert.equal(bad.status, 422);
      assert.deepEqual(bad.body.errors.map((e: { field: string }) => e.field).sort(), ['at', 'to']);
      assert.equal((await app.api(`${base}/articles/${a.id}/schedule`, { body: { at: new Date().toISOString() }, token: null })).status, 401);
      assert.equal((await app.api(`${base}/articles/01a21b00-0000-7000-8000-000000000000/schedule`, { body: { at: new Date().toISOString() } })).status, 404);
    });
  });
}
