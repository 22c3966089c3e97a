// The job queue under the webhooks: jobs exist only if their transaction commits, two workers on
// separate connections never hold the same job, a lease that runs out makes the job due again and
// voids the old claim, and the worker keeps to its concurrency and retries handlers that throw.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { drivers, freshDatabase } from '../harness.ts';
import { openDriver } from '../../src/data/open-driver.ts';
import { Store } from '../../src/data/store.ts';
import type { StorageDriver } from '../../src/data/driver.ts';
import { DbQueue, JOBS_TABLE } from '../../src/data/queue/db-queue.ts';
import { startWorker } from '../../src/data/queue/worker.ts';
import type { Job } from '../../src/data/queue/job-queue.ts';
import { backoffDelay } from '../../src/data/queue/backoff.ts';
import { newsSpec, waitFor, type Database } from './helpers.ts';

const KIND = 'test.job';

for (const d of await drivers()) {
  describe(`job queue (${d})`, () => {
    let db: Database;
    let one: StorageDriver;
    let two: StorageDriver;
    let q1: DbQueue;
    let q2: DbQueue;

    const open = () => openDriver({ databaseUrl: db.env.KILN_DATABASE_URL, dataDir: db.env.KILN_DATA_DIR, appName: 'news' });
    const enqueue = (n: number, kind = KIND) => one.db.transaction().execute(async (trx) => {
      for (let i = 0; i < n; i++) await q1.enqueue(trx, { kind, payload: { i } });
    });
    const clear = () => one.db.deleteFrom(JOBS_TABLE).execute();

    before(async () => {
      db = await freshDatabase(d);
      one = open();
      await Store.open(one, newsSpec());
      two = open();
      q1 = new DbQueue(one);
      q2 = new DbQueue(two);
    });
    after(async () => {
      await one.close();
      await two.close();
      await db.drop();
    });

    it('enqueues within the caller\'s transaction: a rollback leaves no job', async () => {
      await assert.rejects(one.db.transaction().execute(async (trx) => {
        await q1.enqueue(trx, { kind: KIND, payload: { lost: true } });
        throw new Error('roll back');
      }));
      assert.deepEqual(await q1.stats(), { queued: 0, running: 0, dead: 0 });
      await enqueue(1);
      assert.deepEqual(await q1.stats(), { queued: 1, running: 0, dead: 0 });
      const [job] = await q1.claim({ limit: 5, leaseMs: 60_000, kinds: [KIND] });
      assert.deepEqual(job.payload, { i: 0 });
      assert.equal(job.attempts, 1);
      assert.equal(await q1.complete(job), true);
      assert.deepEqual(await q1.stats(), { queued: 0, running: 0, dead: 0 });
    });

    it('never gives one job to two workers on separate connections', async () => {
      await enqueue(40);
      const seen: string[] = [];
      const drain = async (q: DbQueue) => {
        for (;;) {
          const jobs = await q.claim({ limit: 3, leaseMs: 60_000, kinds: [KIND] });
          if (jobs.length === 0) return;
          assert.ok(jobs.length <= 3);
          seen.push(...jobs.map((j) => j.id));
        }
      };
      await Promise.all([drain(q1), drain(q2), drain(q1), drain(q2)]);
      assert.equal(seen.length, 40);
      assert.equal(new Set(seen).size, 40);
      assert.deepEqual(await q1.stats(), { queued: 0, running: 40, dead: 0 });
      await clear();
    });

    it('claims only due jobs of the asked kinds', async () => {
      await one.db.transaction().execute(async (trx) => {
        await q1.enqueue(trx, { kind: KIND, payload: 'later', runAt: new Date(Date.now() + 3_600_000) });
        await q1.enqueue(trx, { kind: 'other.kind', payload: 'other' });
        await q1.enqueue(trx, { kind: KIND, payload: 'now' });
      });
      const jobs = await q2.claim({ limit: 10, leaseMs: 60_000, kinds: [KIND] });
      assert.deepEqual(jobs.map((j) => j.payload), ['now']);
      assert.deepEqual(await q2.claim({ limit: 10, leaseMs: 60_000, kinds: [] }), []);
      await clear();
    });

    it('makes a job due again when its lease runs out, and voids the old claim', async () => {
      await enqueue(1);
      const [first] = await q1.claim({ limit: 1, leaseMs: 100, kinds: [KIND] });
      assert.deepEqual(await q2.claim({ limit: 1, leaseMs: 60_000, kinds: [KIND] }), [], 'held while the lease lasts');
      const second = await waitFor('the lease to run out', async () => (await q2.claim({ limit: 1, leaseMs: 60_000, kinds: [KIND] }))[0]);
      assert.equal(second.id, first.id);
      assert.equal(second.attempts, 2);
      assert.notEqual(second.lease, first.lease);
      assert.equal(await q1.complete(first), false);
      assert.equal(await q1.fail(first, 'too late', new Date()), false);
      assert.equal(await q2.complete(second), true);
      assert.deepEqual(await q1.stats(), { queued: 0, running: 0, dead: 0 });
    });

    it('keeps a failed job for its retry time, and a dead one for inspection', async () => {
      await enqueue(2);
      const [a, b] = await q1.claim({ limit: 2, leaseMs: 60_000, kinds: [KIND] });
      assert.equal(await q1.fail(a, 'try later', new Date(Date.now() + 3_600_000)), true);
      assert.equal(await q1.fail(b, 'broken', null), true);
      assert.deepEqual(await q1.stats(), { queued: 1, running: 0, dead: 1 });
      assert.deepEqual(await q1.claim({ limit: 2, leaseMs: 60_000, kinds: [KIND] }), []);
      const dead = await one.db.selectFrom(JOBS_TABLE).select(['lastError', 'state']).where('id', '=', b.id).executeTakeFirstOrThrow();
      assert.deepEqual({ ...dead }, { lastError: 'broken', state: 'dead' });
      await clear();
    });

    it('runs jobs with at most `concurrency` at once and stops after those in flight', async () => {
      await enqueue(12);
      let inFlight = 0;
      let most = 0;
      let finished = 0;
      const worker = startWorker({
        queue: q1,
        concurrency: 3,
        pollMs: 5,
        handlers: {
          [KIND]: async () => {
            most = Math.max(most, ++inFlight);
            await new Promise((r) => setTimeout(r, 10));
            inFlight--;
            finished++;
            return { status: 'done' };
          },
        },
      });
      await waitFor('all jobs to run', () => finished === 12);
      await worker.stop();
      assert.equal(most, 3);
      assert.deepEqual(await q1.stats(), { queued: 0, running: 0, dead: 0 });
    });

    it('retries a handler that throws, then marks the job dead', async () => {
      await enqueue(1);
      const runs: Job[] = [];
      const errors: unknown[] = [];
      const worker = startWorker({
        queue: q1,
        pollMs: 5,
        maxAttempts: 3,
        retryBaseMs: 5,
        onError: (e) => errors.push(e),
        handlers: {
          [KIND]: async (job) => {
            runs.push(job);
            throw new Error(`bug ${job.attempts}`);
          },
        },
      });
      await waitFor('the job to die', async () => (await q1.stats()).dead === 1);
      await worker.stop();
      assert.deepEqual(runs.map((j) => j.attempts), [1, 2, 3]);
      assert.equal(errors.length, 3);
      const row = await one.db.selectFrom(JOBS_TABLE).select('lastError').executeTakeFirstOrThrow();
      assert.equal(row.lastError, 'bug 3');
      await clear();
    });
  });
}

describe('backoff', () => {
  it('draws the delay from zero to the exponential ceiling, capped', () => {
    const policy = { baseMs: 1000, maxMs: 60_000 };
    assert.equal(backoffDelay(1, policy, () => 0), 0);
    assert.equal(backoffDelay(1, policy, () => 0.999999), 1000);
    assert.equal(backoffDelay(4, policy, () => 0.999999), 8000);
    assert.equal(backoffDelay(10, policy, () => 0.999999), 60_000);
    assert.equal(backoffDelay(5000, policy, () => 0.5), 30_000);
    for (let i = 0; i < 100; i++) {
      const v = backoffDelay(3, policy);
      assert.ok(v >= 0 && v <= 4000);
    }
  });
});
